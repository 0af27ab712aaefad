import type { UploadPurpose } from '@opencme/server/router';

/** A refusal of a file route, shaped like an API error so `errorMessage` says it in the user's language. */
export class FileRefused extends Error {
  readonly data: { messageKey: string; params: Record<string, string | number> };
  constructor(messageKey: string, params: Record<string, string | number>) {
    super(messageKey);
    this.data = { messageKey, params };
  }
}

/**
 * Sends files as files (multipart) to the server's upload route and returns their ids, in order,
 * for the form that needs them. The header tells the server the upload comes from our own pages.
 */
export async function uploadFiles(purpose: UploadPurpose, files: readonly { blob: Blob; name: string }[]): Promise<string[]> {
  if (files.length === 0) return [];
  const form = new FormData();
  for (const f of files) form.append('file', f.blob, f.name);
  const res = await fetch(`/api/files/${purpose}`, { method: 'POST', headers: { 'x-opencme-upload': '1' }, body: form, credentials: 'same-origin' });
  const body = (await res.json().catch(() => ({}))) as { files?: { id: string }[]; messageKey?: string; params?: Record<string, string | number> };
  if (!res.ok || !body.files) throw new FileRefused(body.messageKey ?? 'uploads.failed', body.params ?? { status: res.status });
  return body.files.map((f) => f.id);
}

/** The files a file input holds, named as the user's disk names them. */
export const chosenFiles = (files: FileList | null | undefined) => [...(files ?? [])].map((f) => ({ blob: f, name: f.name }));
