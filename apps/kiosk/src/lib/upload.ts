import type { UploadPurpose } from '@opencme/server/router';

/** A refusal of the upload route, shaped like an API error so `errorMessage` shows the user's language. */
class UploadRefused extends Error {
  readonly data: { messageEn: string | null };
  constructor(message: string, messageEn: string | null) {
    super(message);
    this.data = { messageEn };
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
  const body = (await res.json().catch(() => ({}))) as { files?: { id: string }[]; error?: string; messageEn?: string };
  if (!res.ok || !body.files) throw new UploadRefused(body.error ?? `上传失败（${res.status}）`, body.messageEn ?? `Upload failed (${res.status})`);
  return body.files.map((f) => f.id);
}

/** The files a file input holds, named as the user's disk names them. */
export const chosenFiles = (files: FileList | null | undefined) => [...(files ?? [])].map((f) => ({ blob: f, name: f.name }));
