import sharp from 'sharp';
import type { DB } from './db/connect.ts';
import { savePhoto } from './repositories/photos.ts';
import { sha256 } from './secrets.ts';

/** The registry photo: a 1-inch portrait (一寸照), 358×441 px, under 100 KB (DOMAIN.md). */
export const PHOTO = { width: 358, height: 441, maxBytes: 100 * 1024 } as const;
/** What a kiosk keeps for each person: enough to tell a face at the door. */
export const THUMB = { width: 120, height: 148 } as const;

/** Stores a portrait once by content hash, with its kiosk thumbnail; returns the hash. */
export async function storePhoto(db: DB, jpeg: Buffer, now: Date): Promise<string> {
  const hash = sha256(jpeg);
  const meta = await sharp(jpeg).metadata();
  const thumb = await sharp(jpeg).resize(THUMB.width, THUMB.height, { fit: 'cover' }).jpeg({ quality: 70 }).toBuffer();
  await savePhoto(db, { hash, width: meta.width, height: meta.height, jpeg, thumb, now });
  return hash;
}

/**
 * A stored JPEG inline, for the kiosk's roster only: the door keeps it offline in its own store.
 * The admin pages load portraits from `photoUrl` instead.
 */
export function jpegDataUrl(jpeg: Uint8Array | null): string | null {
  return jpeg ? `data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}` : null;
}

/** Where the admin pages load a person's portrait (downloads.ts `files.personPhoto`): full size, or the thumbnail. */
export function photoUrl(personId: string, size: 'full' | 'thumb'): string {
  return `/api/files/persons/${encodeURIComponent(personId)}/photo${size === 'thumb' ? '?size=thumb' : ''}`;
}

/** A person's portrait, full size or as the thumbnail; null when they have none. */
export async function photoOf(db: DB, personId: string, size: 'full' | 'thumb'): Promise<Uint8Array | null> {
  const row = await db
    .selectFrom('persons')
    .innerJoin('photos', 'photos.hash', 'persons.photo_hash')
    .select(size === 'thumb' ? 'photos.thumb_jpeg as jpeg' : 'photos.jpeg as jpeg')
    .where('persons.id', '=', personId)
    .executeTakeFirst();
  return row?.jpeg ?? null;
}
