// The staff list pages by keyset (issue 15): a cursor marks the row a page follows or precedes.
// Paging through a unit whose names, times and card numbers tie, in every order and both
// directions, shows every person exactly once, in the database's own order.
import { newId } from '@opencme/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_SORTS } from '../src/repositories/registry.ts';
import { type Client, startServer, type TestServer } from './harness.ts';

let server: TestServer;
let admin: Client;
let hospitalId: string;

beforeAll(async () => {
  server = await startServer();
  admin = await server.admin();
  hospitalId = (await server.db.selectFrom('organisations').select('id').where('kind', '=', 'institution').executeTakeFirstOrThrow()).id;
  const departments = await server.db.selectFrom('organisations').select('id').where('parent_id', '=', hospitalId).execute();
  // Forty namesakes changed at the same moment, a quarter without a department, a third without a card number yet (who tie on it).
  const at = '2026-03-01T08:00:00.000Z';
  await server.db
    .insertInto('persons')
    .values(
      Array.from({ length: 40 }, (_, n) => ({
        id: newId(),
        name: '同名',
        gender: 'female' as const,
        ...server.vault.seal(`34150219900101${String(1000 + n).slice(1)}X`),
        phone: null,
        institution_id: hospitalId,
        department_id: n % 4 === 0 ? null : departments[n % departments.length]!.id,
        title: '护师',
        category: 'nurse' as const,
        cme_number: n % 3 === 0 ? null : `3400000${String(10000 + n).slice(1)}`,
        photo_hash: null,
        version: 0,
        created_at: at,
        updated_at: at,
      })),
    )
    .execute();
});
afterAll(() => server.close());

/** The unit's approved staff in an order, as the database sorts them in one query. */
async function expected(sort: (typeof STAFF_SORTS)[number]): Promise<string[]> {
  const base = server.db
    .selectFrom('persons')
    .leftJoin('organisations as dept', 'dept.id', 'persons.department_id')
    .select('persons.id')
    .where('persons.institution_id', '=', hospitalId)
    .where('persons.registration_status', '=', 'approved');
  const ordered =
    sort === 'name'
      ? base.orderBy('persons.name')
      : sort === 'updatedAt'
        ? base.orderBy('persons.updated_at')
        : sort === 'cmeNumber'
          ? base.orderBy(sql`case when persons.cme_number is null then 1 else 0 end`).orderBy('persons.cme_number')
          : base
              .orderBy(sql`case when persons.department_id is null then 1 else 0 end`)
              .orderBy('dept.name')
              .orderBy('dept.id')
              .orderBy('persons.name');
  return (await ordered.orderBy('persons.id').execute()).map((r) => r.id);
}

describe('staff list by keyset', () => {
  for (const sort of STAFF_SORTS)
    for (const descending of [false, true])
      it(`pages through every person once, forward and back, by ${sort}${descending ? ' descending' : ''}`, async () => {
        const want = await expected(sort);
        if (descending) want.reverse();
        const asked = { organisationId: hospitalId, sort, descending, pageSize: 16 };
        const pages: { ids: string[]; previous: string | null }[] = [];
        let after: string | null = null;
        do {
          const page: Awaited<ReturnType<Client['registry']['staff']['query']>> = await admin.registry.staff.query({ ...asked, after, count: after === null });
          if (after === null) expect(page.total).toBe(want.length);
          else expect(page.total).toBeNull();
          expect(page.previous === null).toBe(pages.length === 0);
          pages.push({ ids: page.rows.map((r) => r.id), previous: page.previous });
          after = page.next;
        } while (after !== null);
        expect(pages.flatMap((p) => p.ids)).toEqual(want);

        // Back from the last page by `previous`, each page as it was going forward.
        let before = pages.at(-1)!.previous;
        for (let p = pages.length - 2; p >= 0; p--) {
          const page = await admin.registry.staff.query({ ...asked, before, count: false });
          expect(page.rows.map((r) => r.id)).toEqual(pages[p]!.ids);
          expect(page.next).not.toBeNull();
          before = page.previous;
        }
        expect(before).toBeNull();
      });

  it('refuses a place in one order asked of another, instead of an empty page', async () => {
    const byName = await admin.registry.staff.query({ organisationId: hospitalId, sort: 'name', pageSize: 2 });
    expect(byName.next).not.toBeNull();
    for (const other of [
      { sort: 'cmeNumber' as const, descending: false },
      { sort: 'name' as const, descending: true },
    ])
      await expect(admin.registry.staff.query({ organisationId: hospitalId, ...other, pageSize: 2, after: byName.next })).rejects.toMatchObject({
        data: { messageKey: 'registry.list-position-unknown' },
      });
    expect((await admin.registry.staff.query({ organisationId: hospitalId, sort: 'name', pageSize: 2, after: byName.next })).rows).toHaveLength(2);
  });

  it('says a position it cannot read is unknown', async () => {
    await expect(admin.registry.staff.query({ organisationId: hospitalId, after: 'not-a-cursor' })).rejects.toMatchObject({
      data: { messageKey: 'registry.list-position-unknown' },
    });
  });
});
