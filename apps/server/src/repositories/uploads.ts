// Uploaded files waiting for the form that needs them (see uploads.ts for the route).
import type { DB } from '../db/connect.ts';
import type { UploadTable } from '../db/schema.ts';
import { UserFacingError } from '../errors.ts';
import { newToken } from '../secrets.ts';

export type UploadPurpose = UploadTable['purpose'];

/** A form is submitted minutes after its files are chosen; an hour is more than enough. */
export const UPLOAD_TTL_MS = 60 * 60_000;

export interface UploadedFile {
  fileName: string;
  contentType: string;
  bytes: Uint8Array;
}

/** Stores the files of one request; drops the uploads nobody submitted in time. Returns their ids in order. */
export async function saveUploads(db: DB, input: { purpose: UploadPurpose; ownerUserId: string | null; files: UploadedFile[]; now: Date }): Promise<string[]> {
  const ids = input.files.map(() => newToken());
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('uploads')
      .where('created_at', '<', new Date(input.now.getTime() - UPLOAD_TTL_MS).toISOString())
      .execute();
    for (const [i, f] of input.files.entries()) {
      await trx
        .insertInto('uploads')
        .values({
          id: ids[i]!,
          purpose: input.purpose,
          owner_user_id: input.ownerUserId,
          file_name: f.fileName,
          content_type: f.contentType,
          size: f.bytes.length,
          bytes: f.bytes,
          created_at: input.now.toISOString(),
        })
        .execute();
    }
  });
  return ids;
}

/**
 * The files a form names, in its order, removed from the waiting room: each must be an upload of
 * this purpose, by this account (or by nobody, for a public form), and not expired.
 */
export async function takeUploads(
  db: DB,
  input: { ids: readonly string[]; purpose: UploadPurpose; ownerUserId: string | null; now: Date },
): Promise<UploadedFile[]> {
  if (input.ids.length === 0) return [];
  let q = db
    .selectFrom('uploads')
    .select(['id', 'file_name', 'content_type', 'bytes'])
    .where('id', 'in', [...input.ids])
    .where('purpose', '=', input.purpose)
    .where('created_at', '>=', new Date(input.now.getTime() - UPLOAD_TTL_MS).toISOString());
  q = input.ownerUserId === null ? q.where('owner_user_id', 'is', null) : q.where('owner_user_id', '=', input.ownerUserId);
  const rows = new Map((await q.execute()).map((r) => [r.id, r]));
  const files = input.ids.map((id) => rows.get(id));
  if (files.some((f) => !f)) {
    throw new UserFacingError('BAD_REQUEST', 'uploads.uploaded-file-no-longer-choose');
  }
  await db
    .deleteFrom('uploads')
    .where('id', 'in', [...rows.keys()])
    .execute();
  return files.map((f) => ({ fileName: f!.file_name, contentType: f!.content_type, bytes: f!.bytes }));
}
