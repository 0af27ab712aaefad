// Records the credit tests need beyond the demo: organisations elsewhere in the tree, people of
// a chosen title, ledger entries.
import { idNumberCheckChar, newId } from '@opencme/core';
import type { NewLedgerEntry } from '../src/repositories/ledger.ts';
import { appendLedgerEntries } from '../src/repositories/ledger.ts';
import type { TestServer } from './harness.ts';

export async function addOrganisation(
  server: TestServer,
  kind: 'province' | 'city' | 'institution' | 'department',
  name: string,
  parentId: string | null,
  regionCode: string | null = null,
) {
  const id = newId();
  await server.db
    .insertInto('organisations')
    .values({ id, kind, name, parent_id: parentId, credit_code: null, region_code: regionCode, created_at: server.clock.now.toISOString() })
    .execute();
  return id;
}

let serial = 0;
export async function addPerson(
  server: TestServer,
  p: { name: string; title: string | null; institutionId: string; departmentId: string | null; region?: string },
) {
  const id = newId();
  serial += 1;
  const first17 = `${p.region ?? '510104'}19800101${String(100 + serial).padStart(3, '0')}`;
  const idNumber = first17 + idNumberCheckChar(first17);
  const at = server.clock.now.toISOString();
  await server.db
    .insertInto('persons')
    .values({
      id,
      name: p.name,
      gender: 'female',
      ...server.vault.seal(idNumber),
      phone: null,
      institution_id: p.institutionId,
      department_id: p.departmentId,
      title: p.title,
      category: 'doctor',
      cme_number: null,
      photo_hash: null,
      version: 0,
      created_at: at,
      updated_at: at,
    })
    .execute();
  return { id, idNumber };
}

/** Appends entries for one person and year; `sourceId`s are made unique. */
export async function credit(server: TestServer, personId: string, cmeYear: number, entries: Partial<NewLedgerEntry>[]) {
  return appendLedgerEntries(
    server.db,
    entries.map((e) => ({
      personId,
      cmeYear,
      creditClass: 'II' as const,
      level: null,
      credits: 1,
      sourceKind: 'adjustment' as const,
      sourceId: newId(),
      sourceLabel: '测试学分',
      approvedBy: null,
      at: server.clock.now,
      ...e,
    })),
  );
}
