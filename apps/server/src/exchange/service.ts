// The use cases of the exchange, the same for every kind: preview a file (nothing changes), commit
// a preview exactly as shown (one transaction, all or nothing), list and undo batches.
import { createHash } from 'node:crypto';
import { newId } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { ACCESS, type AccessRule } from '../authz.ts';
import type { IdNumberVault } from '../pii.ts';
import type { Role } from '../role.ts';
import { audit } from '../repositories/audit.ts';
import { addBatch, batchesOf, claimPreview, findBatch, findPreview, markBatchUndone, savePreview, unitsNamed } from '../repositories/exchange.ts';
import { kindOf, subtreeIds } from '../repositories/organisations.ts';
import { organisationOfProject } from '../repositories/scopes.ts';
import { readGrid } from './files.ts';
import type { ExchangeKind, ImportContext, Plan } from './kind.ts';
import { KINDS } from './kinds/index.ts';
import { type ExchangeError, exchangeError, ExchangeRefusal } from './messages.ts';
import { readTable, type HeaderReport } from './table.ts';

export interface ExchangeDeps {
  db: DB;
  vault: IdNumberVault;
  now: () => Date;
}
export interface Importer {
  id: string;
  organisationId: string;
  role: Role;
}

/** A preview lasts long enough to read it and fix nothing; a new file makes a new one. */
export const PREVIEW_TTL_MS = 30 * 60_000;
/** How many errors and changes a reply lists (the counts cover them all). */
export const LISTED = 100;

export interface Summary {
  create: number;
  update: number;
  unchanged: number;
  rejected: number;
}

export interface PreviewReply {
  previewId: string | null;
  kind: string;
  fileName: string;
  summary: Summary;
  header: HeaderReport;
  errors: ExchangeError[];
  /** Every error's count, when more than the first `LISTED` are listed. */
  errorCount: number;
  /** Updates, old → new (the first `LISTED`). */
  changes: { row: number; label: string | null; changes: { column: string; from: string | null; to: string | null }[] }[];
  notices: ExchangeError[];
}

/** The kind by its URL name, or a 404. */
export function kindNamed(name: string): ExchangeKind {
  const kind = Object.hasOwn(KINDS, name) ? KINDS[name] : undefined;
  if (!kind) throw new ExchangeRefusal(404, 'exchange.no-such-kind');
  return kind;
}

export interface ImportTarget {
  scopeId: string;
  subjectId: string | null;
}

/**
 * What an import is for: for a kind with a subject, the project asked and its organiser (as the
 * routers hold a project to its organisation); else the scope asked, or the caller's own
 * organisation, which must be of the kind's sort.
 */
export async function targetOf(db: DB, kind: ExchangeKind, user: Importer, asked: { scope?: string; project?: string }): Promise<ImportTarget> {
  if (kind.subject === 'project') {
    if (!asked.project) throw new ExchangeRefusal(400, 'exchange.project-required');
    const [organiser] = (await organisationOfProject(db, asked.project)) ?? [];
    if (!organiser) throw new ExchangeRefusal(404, 'exchange.project-not-found');
    return { scopeId: organiser, subjectId: asked.project };
  }
  const scopeId = asked.scope || user.organisationId;
  if ((await kindOf(db, scopeId)) !== kind.scope) throw new ExchangeRefusal(400, 'exchange.scope-not-unit');
  return { scopeId, subjectId: null };
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** What the preview showed, in a form the commit can compare: a change in the database since then changes it. */
function fingerprint(plan: Plan): string {
  return sha256(JSON.stringify([plan.rows.map((r) => [r.row, r.action, r.changes ?? null, r.problems ?? null]), plan.notices ?? []]));
}

function summarise(plan: Plan, rejectedByTable: number): Summary {
  const count = (action: string) => plan.rows.filter((r) => r.action === action).length;
  return { create: count('create'), update: count('update'), unchanged: count('unchanged'), rejected: rejectedByTable + count('rejected') };
}

const contextOf = (deps: ExchangeDeps, db: DB, user: Importer, target: ImportTarget): ImportContext => ({
  db,
  vault: deps.vault,
  now: deps.now(),
  user,
  ...target,
});

/** Reads the file, validates it and plans it; stores the preview unless the file itself is unusable. Changes nothing else. */
export async function previewImport(
  deps: ExchangeDeps,
  user: Importer,
  kind: ExchangeKind,
  file: { fileName: string; bytes: Uint8Array } & ImportTarget,
): Promise<PreviewReply> {
  const grid = await readGrid(file.fileName, file.bytes);
  const table = readTable(kind, grid);
  const base = { kind: kind.name, fileName: file.fileName, header: table.header, changes: [], notices: [] };
  if (table.fatal.length > 0) {
    return {
      ...base,
      previewId: null,
      summary: { create: 0, update: 0, unchanged: 0, rejected: table.dataRows },
      errors: table.fatal,
      errorCount: table.fatal.length,
    };
  }
  const plan = await kind.plan(contextOf(deps, deps.db, user, { scopeId: file.scopeId, subjectId: file.subjectId }), table.valid);
  const headerOf = (key: string | null) => (key ? (kind.columns.find((c) => c.key === key)?.header ?? key) : null);
  const errors = [...table.errors, ...plan.rows.flatMap((r) => (r.problems ?? []).map((p) => exchangeError(r.row, headerOf(p.column), p.key, p.params)))].sort(
    (a, b) => (a.row ?? 0) - (b.row ?? 0),
  );
  const summary = summarise(plan, table.rejected.size);
  const now = deps.now();
  const previewId = newId();
  await savePreview(
    deps.db,
    {
      id: previewId,
      kind: kind.name,
      user_id: user.id,
      scope_id: file.scopeId,
      subject_id: file.subjectId,
      file_name: file.fileName,
      file_sha256: sha256(file.bytes),
      rows: JSON.stringify(table.valid),
      fingerprint: fingerprint(plan),
      summary: JSON.stringify(summary),
      errors: JSON.stringify(errors.slice(0, LISTED)),
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + PREVIEW_TTL_MS).toISOString(),
      committed_batch_id: null,
    },
    now,
  );
  return {
    ...base,
    previewId,
    summary,
    errors: errors.slice(0, LISTED),
    errorCount: errors.length,
    changes: plan.rows
      .filter((r) => r.action === 'update')
      .slice(0, LISTED)
      .map((r) => ({ row: r.row, label: r.label ?? null, changes: r.changes ?? [] })),
    notices: (plan.notices ?? []).map((n) => exchangeError(null, null, n.key, n.params)),
  };
}

/** The caller's own unexpired preview, for the commit's access check; a 404 otherwise. */
export async function previewOf(db: DB, user: Importer, previewId: string, now: Date) {
  const preview = await findPreview(db, { id: previewId, userId: user.id, now });
  if (!preview) throw new ExchangeRefusal(404, 'exchange.preview-not-found');
  return { ...preview, kind: kindNamed(preview.kind) };
}

/** Applies a preview exactly as it was shown, in one transaction; refuses one with errors, one already committed, and one the data has moved under. */
export async function commitPreview(deps: ExchangeDeps, user: Importer, previewId: string): Promise<{ batchId: string | null; summary: Summary }> {
  const now = deps.now();
  const preview = await previewOf(deps.db, user, previewId, now);
  const summary = JSON.parse(preview.summary) as Summary;
  if (preview.committed_batch_id) throw new ExchangeRefusal(409, 'exchange.preview-already-committed');
  if (summary.rejected > 0) {
    throw new ExchangeRefusal(422, 'exchange.preview-has-errors', { rejected: summary.rejected }, { errors: JSON.parse(preview.errors) as ExchangeError[] });
  }
  const kind = preview.kind;
  const batchId = newId();
  return deps.db.transaction().execute(async (trx) => {
    if (!(await claimPreview(trx, previewId, batchId))) throw new ExchangeRefusal(409, 'exchange.preview-already-committed');
    const ctx = contextOf(deps, trx, user, { scopeId: preview.scope_id, subjectId: preview.subject_id });
    const plan = await kind.plan(ctx, JSON.parse(preview.rows) as Parameters<typeof kind.plan>[1]);
    if (fingerprint(plan) !== preview.fingerprint) throw new ExchangeRefusal(409, 'exchange.data-changed');
    const changing = plan.rows.filter((r) => r.action === 'create' || r.action === 'update');
    // The same file again: nothing to do, and no batch that did nothing.
    if (changing.length === 0) return { batchId: null, summary };
    const undo = await kind.apply(ctx, changing);
    await addBatch(trx, {
      id: batchId,
      kind: kind.name,
      scope_id: preview.scope_id,
      subject_id: preview.subject_id,
      user_id: user.id,
      file_name: preview.file_name,
      file_sha256: preview.file_sha256,
      created_count: summary.create,
      updated_count: summary.update,
      unchanged_count: summary.unchanged,
      undo: kind.undo ? JSON.stringify(undo) : null,
      created_at: now.toISOString(),
      undone_at: null,
      undone_by: null,
    });
    await audit(trx, {
      actor: { userId: user.id, organisationId: user.organisationId },
      action: `import.${kind.name}`,
      entity: 'import-batch',
      entityId: batchId,
      organisationId: preview.scope_id,
      after: { fileName: preview.file_name, sha256: preview.file_sha256, ...summary },
      at: now,
    });
    return { batchId, summary };
  });
}

/** The batches imported within an organisation (a unit, or every unit below an office), newest first. */
export async function listBatches(db: DB, organisationId: string) {
  const rows = await batchesOf(db, await subtreeIds(db, organisationId), 200);
  return rows.map(({ undo, ...row }) => ({ ...row, undoable: undo !== null && row.undoneAt === null }));
}

/** Takes a batch back as a whole, while nothing depends on what it made; its kind says what depends. */
export async function undoBatch(deps: ExchangeDeps, user: Importer, batchId: string): Promise<void> {
  const now = deps.now();
  const batch = await findBatch(deps.db, batchId);
  if (!batch) throw new ExchangeRefusal(404, 'exchange.batch-not-found');
  const kind = kindNamed(batch.kind);
  // The batch's own kind decides who may take it back, as it decided who could import it.
  const rule = (ACCESS as Record<string, AccessRule>)[kind.access];
  if (rule?.kind !== 'user' || !rule.roles.includes(user.role)) throw new ExchangeRefusal(403, 'access.role-not-do');
  if (batch.undone_at) throw new ExchangeRefusal(409, 'exchange.batch-already-undone');
  if (!kind.undo || batch.undo === null) throw new ExchangeRefusal(400, 'exchange.undo-not-supported');
  const undo = kind.undo.bind(kind);
  await deps.db.transaction().execute(async (trx) => {
    if (!(await markBatchUndone(trx, batchId, user.id, now))) throw new ExchangeRefusal(409, 'exchange.batch-already-undone');
    await undo(contextOf(deps, trx, user, { scopeId: batch.scope_id, subjectId: batch.subject_id }), JSON.parse(batch.undo!) as unknown);
    await audit(trx, {
      actor: { userId: user.id, organisationId: user.organisationId },
      action: `import.${kind.name}.undo`,
      entity: 'import-batch',
      entityId: batchId,
      organisationId: batch.scope_id,
      before: { fileName: batch.file_name, created: batch.created_count, updated: batch.updated_count },
      at: now,
    });
  });
}

/** The units an account may import into: its own, or every unit below its office. */
export async function unitsForImport(db: DB, organisationId: string) {
  return unitsNamed(db, await subtreeIds(db, organisationId));
}
