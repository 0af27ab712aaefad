import { newId } from '@opencme/core';
import type { DB } from '../db/connect.ts';

export interface AuditEntry {
  actor: { userId?: string | null; deviceId?: string | null; organisationId?: string | null };
  action: string;
  entity: string;
  entityId: string;
  organisationId: string | null;
  before?: unknown;
  after?: unknown;
  at: Date;
}

/** Appends to the audit log; call it inside the transaction that makes the change. */
export async function audit(db: DB, entry: AuditEntry): Promise<void> {
  await auditMany(db, [entry]);
}

async function auditMany(db: DB, entries: readonly AuditEntry[]): Promise<void> {
  // SQLite binds at most 32 766 values; 11 columns a line.
  for (let i = 0; i < entries.length; i += 1000) {
    await db
      .insertInto('audit_log')
      .values(
        entries.slice(i, i + 1000).map((entry) => ({
          id: newId(),
          at: entry.at.toISOString(),
          actor_user_id: entry.actor.userId ?? null,
          actor_device_id: entry.actor.deviceId ?? null,
          actor_organisation_id: entry.actor.organisationId ?? null,
          action: entry.action,
          entity: entry.entity,
          entity_id: entry.entityId,
          organisation_id: entry.organisationId,
          before: entry.before === undefined ? null : JSON.stringify(entry.before),
          after: entry.after === undefined ? null : JSON.stringify(entry.after),
        })),
      )
      .execute();
  }
}

/**
 * A view or export of personal data in full (ID numbers, evidence, a person's detail): one line per
 * person, filed under the person's own unit (so that unit's admin sees who looked at its staff,
 * whichever unit the viewer belongs to) and carrying the viewer's organisation beside it.
 */
export async function auditPersonalData(
  db: DB,
  view: {
    /** An account, or none when a system reads with a token of its own (the HR pull: `detail` names the token). */
    actor: { userId: string | null; organisationId: string };
    /** e.g. `person.view`, `person.reveal-id-number`, `session.export-roster` */
    action: string;
    persons: readonly { id: string; institutionId: string }[];
    /** What was seen, never the data itself: e.g. `{ fields: ['idNumber'] }`, `{ sessionId }`. */
    detail?: unknown;
    at: Date;
  },
): Promise<void> {
  await auditMany(
    db,
    view.persons.map((p) => ({
      actor: view.actor,
      action: view.action,
      entity: 'person',
      entityId: p.id,
      organisationId: p.institutionId,
      after: view.detail,
      at: view.at,
    })),
  );
}

/** The signed-in account as a personal-data audit line names it: who, and from which organisation. */
export function viewerOf(user: { id: string; organisationId: string }) {
  return { userId: user.id, organisationId: user.organisationId };
}

/**
 * `auditPersonalData` for views that know the persons only by id: each line still goes under the
 * person's own unit, read here.
 */
export async function auditPersonalDataOf(
  db: DB,
  view: Omit<Parameters<typeof auditPersonalData>[1], 'persons'> & { personIds: readonly string[] },
): Promise<void> {
  if (view.personIds.length === 0) return;
  const persons = await db.selectFrom('persons').select(['id', 'institution_id as institutionId']).where('id', 'in', view.personIds).execute();
  await auditPersonalData(db, { actor: view.actor, action: view.action, persons, detail: view.detail, at: view.at });
}
