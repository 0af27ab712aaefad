import type { DB } from '../db/connect.ts';

/** Stores a portrait and its kiosk thumbnail under its content hash, once: the same photo sent again is kept as it was. */
export async function savePhoto(db: DB, photo: { hash: string; width: number; height: number; jpeg: Buffer; thumb: Buffer; now: Date }): Promise<void> {
  await db
    .insertInto('photos')
    .values({ hash: photo.hash, width: photo.width, height: photo.height, jpeg: photo.jpeg, thumb_jpeg: photo.thumb, created_at: photo.now.toISOString() })
    .onConflict((oc) => oc.column('hash').doNothing())
    .execute();
}
