import type { ApiClient } from '#lib/api.ts';

export interface PrintProgress {
  done: number;
  total: number;
  downloadUrl: string | null;
}

/** Starts a print job on the server and reports its progress until the PDF can be downloaded. */
export async function followPrintJob(
  api: ApiClient,
  start: () => Promise<{ jobId: string; total: number }>,
  onProgress: (p: PrintProgress) => void,
): Promise<void> {
  const job = await start();
  let progress: PrintProgress = { done: 0, total: job.total, downloadUrl: null };
  onProgress(progress);
  while (!progress.downloadUrl) {
    await new Promise((r) => setTimeout(r, 300));
    progress = await api.proofs.job.query({ jobId: job.jobId });
    onProgress(progress);
  }
}
