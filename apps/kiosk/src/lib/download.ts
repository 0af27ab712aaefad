import { FileRefused } from './upload.ts';

/** The name the server gave the file (RFC 5987 `filename*=UTF-8''…`, Chinese kept). */
function fileNameOf(disposition: string | null): string {
  const encoded = disposition?.match(/filename\*=UTF-8''([^;]+)/i)?.[1];
  return encoded ? decodeURIComponent(encoded) : 'download';
}

/**
 * Fetches a file from one of the server's download routes (GET /api/files/…) with the session
 * cookie; a refusal throws the server's words, so `guard` shows them in the user's language.
 */
export async function fetchFile(route: string): Promise<{ blob: Blob; fileName: string }> {
  const res = await fetch(route, { credentials: 'same-origin' });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { messageKey?: string; params?: Record<string, string | number> };
    throw new FileRefused(body.messageKey ?? 'downloads.failed', body.params ?? { status: res.status });
  }
  return { blob: await res.blob(), fileName: fileNameOf(res.headers.get('content-disposition')) };
}

/** Downloads a file and hands it to the browser to save, under the server's name for it. */
export async function saveFile(route: string): Promise<void> {
  const { blob, fileName } = await fetchFile(route);
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  link.click();
  // Freed once the browser has surely taken the bytes into its download.
  setTimeout(() => URL.revokeObjectURL(link.href), 30_000);
}
