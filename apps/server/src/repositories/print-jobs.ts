// Print jobs (打印任务) in the database: started by one server process, polled and downloaded
// through any. The PDF is written once, when it is whole; progress is written a few times a second
// at most, so a large batch costs a handful of small updates, not one per page.
import type { DB } from '../db/connect.ts';

export interface PrintJobStatus {
  total: number;
  done: number;
  error: string | null;
  finished: boolean;
  fileName: string;
  updatedAt: string;
}

export async function createPrintJob(db: DB, job: { id: string; owner: string; total: number; fileName: string; now: Date; expiresAt: Date }): Promise<void> {
  const at = job.now.toISOString();
  // Starting a job is rare: a cheap moment to forget the expired ones (and their PDFs).
  await db.deleteFrom('print_jobs').where('expires_at', '<=', at).execute();
  await db
    .insertInto('print_jobs')
    .values({
      id: job.id,
      owner_user_id: job.owner,
      file_name: job.fileName,
      total: job.total,
      done: 0,
      updated_at: at,
      expires_at: job.expiresAt.toISOString(),
    })
    .execute();
}

export async function recordPrintProgress(db: DB, id: string, done: number, now: Date): Promise<void> {
  await db.updateTable('print_jobs').set({ done, updated_at: now.toISOString() }).where('id', '=', id).where('finished_at', 'is', null).execute();
}

export async function finishPrintJob(db: DB, id: string, outcome: { pdf: Uint8Array } | { error: string }, now: Date): Promise<void> {
  const at = now.toISOString();
  await db
    .updateTable('print_jobs')
    .set((eb) => ({ ...('pdf' in outcome ? { pdf: outcome.pdf, done: eb.ref('total') } : { error: outcome.error }), finished_at: at, updated_at: at }))
    .where('id', '=', id)
    .execute();
}

/** The owner's unexpired job, without its PDF (a poll reads a few numbers, not megabytes). */
export async function printJobStatus(db: DB, input: { id: string; owner: string; now: Date }): Promise<PrintJobStatus | null> {
  const row = await db
    .selectFrom('print_jobs')
    .select(['total', 'done', 'error', 'finished_at', 'file_name', 'updated_at'])
    .where('id', '=', input.id)
    .where('owner_user_id', '=', input.owner)
    .where('expires_at', '>', input.now.toISOString())
    .executeTakeFirst();
  if (!row) return null;
  return { total: row.total, done: row.done, error: row.error, finished: row.finished_at !== null, fileName: row.file_name, updatedAt: row.updated_at };
}

/** The owner's finished PDF, or null. */
export async function printJobPdf(db: DB, input: { id: string; owner: string; now: Date }): Promise<{ pdf: Uint8Array; fileName: string } | null> {
  const row = await db
    .selectFrom('print_jobs')
    .select(['pdf', 'file_name'])
    .where('id', '=', input.id)
    .where('owner_user_id', '=', input.owner)
    .where('expires_at', '>', input.now.toISOString())
    .where('pdf', 'is not', null)
    .executeTakeFirst();
  return row?.pdf ? { pdf: row.pdf, fileName: row.file_name } : null;
}
