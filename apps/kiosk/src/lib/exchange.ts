// The exchange's HTTP API (server: exchange/routes.ts) as the import page calls it: files go as
// multipart, the preview and commit come back as JSON; a refusal throws the server's message key.
import { FileRefused } from './upload.ts';

export interface ExchangeMessage {
  row: number | null;
  column: string | null;
  code: string;
  message: string;
  messageKey: string;
  params: Record<string, string | number>;
}

export interface Preview {
  previewId: string | null;
  kind: string;
  fileName: string;
  summary: { create: number; update: number; unchanged: number; rejected: number };
  header: { found: string[]; missing: string[]; unknown: string[] };
  errors: ExchangeMessage[];
  errorCount: number;
  changes: { row: number; label: string | null; changes: { column: string; from: string | null; to: string | null }[] }[];
  notices: ExchangeMessage[];
}

const headers = { 'x-opencme-upload': '1' };

async function refused(res: Response): Promise<never> {
  const body = (await res.json().catch(() => ({}))) as { messageKey?: string; params?: Record<string, string | number> };
  throw new FileRefused(body.messageKey ?? 'imports.failed', body.params ?? { status: res.status });
}

/**
 * Uploads a file for a preview, into `scope` (an office's unit) or about `project` (a project's
 * assessment results); a file whose header is unusable comes back as a preview without an id (422).
 */
export async function previewFile(kind: string, file: File, target: { scope?: string | null; project?: string }): Promise<Preview> {
  const form = new FormData();
  if (target.scope) form.append('scope', target.scope);
  if (target.project) form.append('project', target.project);
  form.append('file', file, file.name);
  const res = await fetch(`/api/exchange/${encodeURIComponent(kind)}/preview`, { method: 'POST', headers, body: form, credentials: 'same-origin' });
  if (res.ok) return (await res.json()) as Preview;
  if (res.status === 422) {
    const body = (await res.clone().json()) as Partial<Preview>;
    if (body.summary) return body as Preview;
  }
  return refused(res);
}

export async function commitPreview(previewId: string): Promise<{ batchId: string | null; summary: Preview['summary'] }> {
  const res = await fetch(`/api/exchange/previews/${encodeURIComponent(previewId)}/commit`, { method: 'POST', headers, credentials: 'same-origin' });
  if (!res.ok) return refused(res);
  return (await res.json()) as { batchId: string | null; summary: Preview['summary'] };
}
