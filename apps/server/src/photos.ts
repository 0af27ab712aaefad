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

/** A stored JPEG as the browser shows it inline (kiosk roster thumbnails, printed sheets). */
export function jpegDataUrl(jpeg: Uint8Array | null): string | null {
  return jpeg ? `data:image/jpeg;base64,${Buffer.from(jpeg).toString('base64')}` : null;
}
