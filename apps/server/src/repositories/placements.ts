// Where a person works and worked (调动 history), transfers between units waiting for the
// receiving unit, and leaving (离职 / 退休 / 死亡). The current place is on the person's record
// (with `placed_since`); each earlier one is a closed period here.
import { addDays, newId } from '@opencme/core';
import { type DB, nextVersion } from '../db/connect.ts';
import type { LeavingReason } from '../db/schema.ts';

/** What a move needs to know of the person: where she is now and since when. */
export function placementOf(db: DB, personId: string) {
  return db
    .selectFrom('persons')
    .select(['id', 'institution_id', 'department_id', 'placed_since', 'left_on', 'registration_status', 'name'])
    .where('id', '=', personId)
    .executeTakeFirstOrThrow();
}

/**
 * Moves a person to a unit and department from a day on: her current place becomes a closed
 * period ending the day before (none when it began that same day), and the new one is current.
 */
export async function movePerson(
  db: DB,
  move: {
    person: { id: string; institution_id: string; department_id: string | null; placed_since: string | null };
    institutionId: string;
    departmentId: string | null;
    from: string;
    now: Date;
  },
): Promise<void> {
  const { person } = move;
  const version = await nextVersion(db);
  // A place left the day it was taken is kept too (it covers no whole day, so nothing counts her there).
  await db
    .insertInto('person_placements')
    .values({
      id: newId(),
      person_id: person.id,
      institution_id: person.institution_id,
      department_id: person.department_id,
      from_date: person.placed_since,
      to_date: addDays(move.from, -1),
      created_at: move.now.toISOString(),
    })
    .execute();
  await db
    .updateTable('persons')
    .set({
      institution_id: move.institutionId,
      department_id: move.departmentId,
      placed_since: move.from,
      version,
      updated_at: move.now.toISOString(),
    })
    .where('id', '=', person.id)
    .execute();
}

/** Where she was when, oldest first, her current place last (`to` null). */
export async function placementHistory(db: DB, personId: string) {
  const [past, current] = await Promise.all([
    db
      .selectFrom('person_placements as h')
      .innerJoin('organisations as unit', 'unit.id', 'h.institution_id')
      .leftJoin('organisations as dept', 'dept.id', 'h.department_id')
      .select(['unit.name as unit', 'dept.name as department', 'h.from_date as from', 'h.to_date as to'])
      .where('h.person_id', '=', personId)
      .orderBy('h.to_date')
      .execute(),
    db
      .selectFrom('persons as p')
      .innerJoin('organisations as unit', 'unit.id', 'p.institution_id')
      .leftJoin('organisations as dept', 'dept.id', 'p.department_id')
      .select(['unit.name as unit', 'dept.name as department', 'p.placed_since as from', 'p.left_on as to'])
      .where('p.id', '=', personId)
      .executeTakeFirstOrThrow(),
  ]);
  // A place left the day it was taken shows as that one day.
  return [...past.map((p) => ({ ...p, to: p.from !== null && p.to < p.from ? p.from : p.to })), current];
}

export async function recordLeaving(db: DB, personId: string, leaving: { on: string; reason: LeavingReason; version: number; now: Date }): Promise<void> {
  await db
    .updateTable('persons')
    .set({ left_on: leaving.on, leaving_reason: leaving.reason, version: leaving.version, updated_at: leaving.now.toISOString() })
    .where('id', '=', personId)
    .execute();
}

export async function addTransfer(
  db: DB,
  transfer: { personId: string; fromInstitutionId: string; toInstitutionId: string; reason: string; by: string; now: Date },
): Promise<string> {
  const id = newId();
  await db
    .insertInto('transfers')
    .values({
      id,
      person_id: transfer.personId,
      from_institution_id: transfer.fromInstitutionId,
      to_institution_id: transfer.toInstitutionId,
      to_department_id: null,
      reason: transfer.reason,
      status: 'pending',
      requested_by: transfer.by,
      requested_at: transfer.now.toISOString(),
      decided_by: null,
      decided_at: null,
    })
    .execute();
  return id;
}

export function pendingTransferOf(db: DB, personId: string) {
  return db.selectFrom('transfers').select(['id', 'to_institution_id']).where('person_id', '=', personId).where('status', '=', 'pending').executeTakeFirst();
}

export function getTransfer(db: DB, transferId: string) {
  return db.selectFrom('transfers').selectAll().where('id', '=', transferId).executeTakeFirst();
}

export async function closeTransfer(
  db: DB,
  transferId: string,
  verdict: { status: 'accepted' | 'declined'; departmentId: string | null; by: string; now: Date },
): Promise<boolean> {
  const res = await db
    .updateTable('transfers')
    .set({ status: verdict.status, to_department_id: verdict.departmentId, decided_by: verdict.by, decided_at: verdict.now.toISOString() })
    .where('id', '=', transferId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** A unit's pending transfers: those coming to it and those it sent, newest first. */
export async function pendingTransfersOf(db: DB, unitId: string) {
  const rows = await db
    .selectFrom('transfers as t')
    .innerJoin('persons as p', 'p.id', 't.person_id')
    .innerJoin('organisations as source', 'source.id', 't.from_institution_id')
    .innerJoin('organisations as target', 'target.id', 't.to_institution_id')
    .leftJoin('organisations as dept', 'dept.id', 'p.department_id')
    .select([
      't.id',
      'p.name',
      'p.title',
      'p.cme_number as cmeNumber',
      'dept.name as department',
      'source.name as fromUnit',
      'target.name as toUnit',
      't.from_institution_id',
      't.reason',
      't.requested_at as requestedAt',
    ])
    .where('t.status', '=', 'pending')
    .where((eb) => eb.or([eb('t.to_institution_id', '=', unitId), eb('t.from_institution_id', '=', unitId)]))
    .orderBy('t.requested_at', 'desc')
    .execute();
  const strip = ({ from_institution_id: _f, ...row }: (typeof rows)[number]) => row;
  return {
    incoming: rows.filter((r) => r.from_institution_id !== unitId).map(strip),
    // What the receiving unit does not yet see of her (her department here) stays with the sender.
    outgoing: rows.filter((r) => r.from_institution_id === unitId).map(strip),
  };
}
