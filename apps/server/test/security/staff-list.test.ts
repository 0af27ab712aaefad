// The staff list's cursor travels through the browser's address, so anyone can forge one. It names
// a place in the order, never whose staff: a cursor naming another unit's person or department,
// or one copied from another unit's list, shows no one outside the caller's scope. Over HTTP.
import { newId } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeStaffCursor } from '../../src/repositories/registry.ts';
import { createUser } from '../../src/repositories/users.ts';
import { type Client, startServer, type TestServer } from '../harness.ts';

vi.setConfig({ hookTimeout: 60_000, testTimeout: 60_000 });

let server: TestServer;
let admin: Client;
let otherUnitAdmin: Client;
let hospitalId: string;
let otherHospital: string;
let otherDepartment: string;
const theirs: string[] = [];

beforeAll(async () => {
  server = await startServer();
  const { db } = server;
  const at = server.clock.now.toISOString();
  const hospital = await db.selectFrom('organisations').select(['id', 'parent_id']).where('kind', '=', 'institution').executeTakeFirstOrThrow();
  hospitalId = hospital.id;
  otherHospital = newId();
  otherDepartment = newId();
  await db
    .insertInto('organisations')
    .values([
      { id: otherHospital, kind: 'institution', name: '合肥市另一家医院', parent_id: hospital.parent_id, credit_code: null, region_code: null, created_at: at },
      { id: otherDepartment, kind: 'department', name: '内科', parent_id: otherHospital, credit_code: null, region_code: null, created_at: at },
    ])
    .execute();
  for (const [n, name] of ['外院甲', '外院乙', '外院丙'].entries()) {
    const id = newId();
    theirs.push(id);
    await db
      .insertInto('persons')
      .values({
        id,
        name,
        gender: 'male',
        ...server.vault.seal(`34010419800101${String(100 + n)}X`),
        phone: null,
        institution_id: otherHospital,
        department_id: otherDepartment,
        title: '主治医师',
        category: 'doctor',
        cme_number: null,
        photo_hash: null,
        version: 0,
        created_at: at,
        updated_at: at,
      })
      .execute();
  }
  await createUser(db, {
    login: 'other-unit-admin',
    displayName: '另一家医院医教科',
    password: 'pw-other-unit',
    role: 'unit-admin',
    organisationId: otherHospital,
    now: server.clock.now,
  });
  admin = await server.admin();
  otherUnitAdmin = server.client({ cookie: await server.login({ login: 'other-unit-admin', password: 'pw-other-unit' }) });
});
afterAll(() => server.close());

describe('a forged staff-list cursor', () => {
  it('naming another unit’s person shows only the caller’s own staff, either way', async () => {
    const forged = encodeStaffCursor({ o: 'name', d: false, g: null, k: '外院乙', i: theirs[1]! });
    for (const page of [
      await admin.registry.staff.query({ organisationId: hospitalId, after: forged, pageSize: 200 }),
      await admin.registry.staff.query({ organisationId: hospitalId, before: forged, pageSize: 200 }),
    ]) {
      expect(page.rows.length).toBeGreaterThan(0);
      expect(page.rows.filter((r) => theirs.includes(r.id))).toEqual([]);
    }
  });

  it('copied from another unit’s list shows that unit nothing of it', async () => {
    const ours = await admin.registry.staff.query({ organisationId: hospitalId, pageSize: 2 });
    const seen = await otherUnitAdmin.registry.staff.query({ organisationId: otherHospital, sort: 'name', before: ours.next, pageSize: 200 });
    expect(new Set([...seen.rows.map((r) => r.id), ...theirs])).toEqual(new Set(theirs));
  });

  it('naming another unit’s department in the department order is refused', async () => {
    const forged = encodeStaffCursor({ o: 'department', d: false, g: otherDepartment, k: '外院甲', i: theirs[0]! });
    await expect(admin.registry.staff.query({ organisationId: hospitalId, sort: 'department', after: forged })).rejects.toMatchObject({
      data: { messageKey: 'registry.list-position-unknown' },
    });
  });
});
