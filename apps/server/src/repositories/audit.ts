import { newId } from '@opencme/core';
import type { DB } from '../db/connect.ts';

export interface AuditEntry {
  actor: { userId?: string | null; deviceId?: string | null };
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
  await db
    .insertInto('audit_log')
    .values({
      id: newId(),
      at: entry.at.toISOString(),
      actor_user_id: entry.actor.userId ?? null,
      actor_device_id: entry.actor.deviceId ?? null,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId,
      organisation_id: entry.organisationId,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    })
    .execute();
}
