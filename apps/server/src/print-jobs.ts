// Printing a department's proofs takes seconds: the job runs in the server process that was asked,
// while the admin page polls its progress, then downloads the one PDF. The job lives in the
// database for a short while (repositories/print-jobs.ts), so that with several server processes
// behind one proxy the polls and the download may reach any of them. A lost job (its process
// stopped) is printed again: the proofs themselves are already recorded.
import type { DB } from './db/connect.ts';
import { createPrintJob, finishPrintJob, printJobPdf, printJobStatus, recordPrintProgress, type PrintJobStatus } from './repositories/print-jobs.ts';
import { newToken } from './secrets.ts';

const KEEP_MS = 15 * 60_000;
/** Progress is written at most this often: a poll every second or so needs no finer grain. */
const PROGRESS_EVERY_MS = 500;
/** A job unfinished with no word from its renderer for this long lost its process. */
const SILENT_MS = 2 * 60_000;

export class PrintJobs {
  readonly #db: DB;
  /** The real clock, not a test's frozen one: a job expires in real time, as its renderer runs in it. */
  readonly #clock: () => Date;

  constructor(db: DB, clock: () => Date = () => new Date()) {
    this.#db = db;
    this.#clock = clock;
  }

  /** Starts rendering; `work` reports pages as it goes. Returns the job's unguessable id once the job is recorded. */
  async start(owner: string, total: number, fileName: string, work: (onPage: (done: number) => void) => Promise<Buffer>): Promise<string> {
    const id = newToken();
    const now = this.#clock();
    await createPrintJob(this.#db, { id, owner, total, fileName, now, expiresAt: new Date(now.getTime() + KEEP_MS) });
    let written = now.getTime();
    // One progress write at a time, the latest count wins; the result waits for the last one.
    let writing: Promise<void> = Promise.resolve();
    const onPage = (done: number) => {
      const at = this.#clock();
      if (at.getTime() - written < PROGRESS_EVERY_MS) return;
      written = at.getTime();
      writing = writing.then(() => recordPrintProgress(this.#db, id, done, at)).catch(() => undefined);
    };
    void work(onPage)
      .then(
        (pdf) => ({ pdf }),
        (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
      )
      .then(async (outcome) => {
        await writing;
        await finishPrintJob(this.#db, id, outcome, this.#clock());
      })
      // Nobody awaits this: a database that fails here fails the poll too, which says so.
      .catch(() => undefined);
    return id;
  }

  /** The job of this owner, or null (someone else's job, an expired one, or one whose process stopped, is as good as none). */
  async get(id: string, owner: string): Promise<PrintJobStatus | null> {
    const now = this.#clock();
    const job = await printJobStatus(this.#db, { id, owner, now });
    if (!job) return null;
    if (!job.finished && Date.parse(job.updatedAt) < now.getTime() - SILENT_MS) return null;
    return job;
  }

  /** The finished PDF of this owner's job, or null. */
  pdf(id: string, owner: string): Promise<{ pdf: Uint8Array; fileName: string } | null> {
    return printJobPdf(this.#db, { id, owner, now: this.#clock() });
  }
}
