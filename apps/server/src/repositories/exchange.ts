// Import previews and batches (exchange/): kept in the database, so that a preview made through
// one server process can be committed through another.
import type { Selectable } from 'kysely';
import type { DB } from '../db/connect.ts';
import type { ExchangeBatchTable, ExchangePreviewTable } from '../db/schema.ts';

export type PreviewRecord = Selectable<ExchangePreviewTable>;

/** Stores a preview and drops the expired ones. */
export async function savePreview(db: DB, preview: PreviewRecord, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('exchange_previews').where('expires_at', '<', now.toISOString()).execute();
    await trx.insertInto('exchange_previews').values(preview).execute();
  });
}

/** The user's own preview, if it has not expired; someone else's is as good as none. */
export function findPreview(db: DB, input: { id: string; userId: string; now: Date }) {
  return db
    .selectFrom('exchange_previews')
    .selectAll()
    .where('id', '=', input.id)
    .where('user_id', '=', input.userId)
    .where('expires_at', '>=', input.now.toISOString())
    .executeTakeFirst();
}

/**
 * Marks the preview committed by this batch, inside the commit's transaction; `false` when
 * another commit got there first (two clicks, two tabs), which then must not apply it again.
 */
export async function claimPreview(db: DB, previewId: string, batchId: string): Promise<boolean> {
  const result = await db
    .updateTable('exchange_previews')
    .set({ committed_batch_id: batchId })
    .where('id', '=', previewId)
    .where('committed_batch_id', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function addBatch(db: DB, batch: Selectable<ExchangeBatchTable>): Promise<void> {
  await db.insertInto('exchange_batches').values(batch).execute();
}

/** The batches of these organisations, newest first, with who made and who undid them. */
export function batchesOf(db: DB, scopeIds: readonly string[], limit: number) {
  return db
    .selectFrom('exchange_batches')
    .innerJoin('organisations as scope', 'scope.id', 'exchange_batches.scope_id')
    .innerJoin('users as by', 'by.id', 'exchange_batches.user_id')
    .leftJoin('users as undoer', 'undoer.id', 'exchange_batches.undone_by')
    .select([
      'exchange_batches.id',
      'exchange_batches.kind',
      'exchange_batches.scope_id as scopeId',
      'scope.name as scope',
      'by.display_name as by',
      'exchange_batches.file_name as fileName',
      'exchange_batches.file_sha256 as sha256',
      'exchange_batches.created_count as created',
      'exchange_batches.updated_count as updated',
      'exchange_batches.unchanged_count as unchanged',
      'exchange_batches.created_at as createdAt',
      'exchange_batches.undone_at as undoneAt',
      'undoer.display_name as undoneBy',
      'exchange_batches.undo',
    ])
    .where('exchange_batches.scope_id', 'in', [...scopeIds])
    .orderBy('exchange_batches.created_at', 'desc')
    .orderBy('exchange_batches.id', 'desc')
    .limit(limit)
    .execute();
}

export function findBatch(db: DB, batchId: string) {
  return db.selectFrom('exchange_batches').selectAll().where('id', '=', batchId).executeTakeFirst();
}

/** `false` when the batch was already undone (by a concurrent undo). */
export async function markBatchUndone(db: DB, batchId: string, by: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('exchange_batches')
    .set({ undone_at: now.toISOString(), undone_by: by })
    .where('id', '=', batchId)
    .where('undone_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
