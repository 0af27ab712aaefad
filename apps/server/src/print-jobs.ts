// Printing a department's proofs takes seconds: the job runs in the server while the admin page
// polls its progress, then downloads the one PDF. Jobs live in memory for a short while only:
// a lost job is printed again, the proofs themselves are already recorded.
import { newToken } from './secrets.ts';

interface Job {
  owner: string;
  total: number;
  done: number;
  pdf: Buffer | null;
  error: string | null;
  fileName: string;
  expiresAt: number;
}

const KEEP_MS = 15 * 60_000;

export class PrintJobs {
  readonly #jobs = new Map<string, Job>();

  /** Starts rendering; `work` reports pages as it goes. Returns the job's unguessable id. */
  start(owner: string, total: number, fileName: string, work: (onPage: (done: number) => void) => Promise<Buffer>): string {
    this.#sweep();
    const id = newToken();
    const job: Job = { owner, total, done: 0, pdf: null, error: null, fileName, expiresAt: Date.now() + KEEP_MS };
    this.#jobs.set(id, job);
    work((done) => (job.done = done)).then(
      (pdf) => {
        job.pdf = pdf;
        job.done = total;
      },
      (error: unknown) => {
        job.error = error instanceof Error ? error.message : String(error);
      },
    );
    return id;
  }

  /** The job of this owner, or null (someone else's job is as good as none). */
  get(id: string, owner: string): Readonly<Job> | null {
    const job = this.#jobs.get(id);
    return job && job.owner === owner && job.expiresAt > Date.now() ? job : null;
  }

  #sweep() {
    const now = Date.now();
    for (const [id, job] of this.#jobs) if (job.expiresAt <= now) this.#jobs.delete(id);
  }
}
