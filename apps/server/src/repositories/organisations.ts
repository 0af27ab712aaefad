// The organisation tree (省 → 市州 → 县区 → 医疗机构 → 科室): the one place that walks it, down
// (a subtree: whom an office oversees) or up (ancestors: which province a unit answers to).
// Everything else asks here instead of writing its own recursive query.
import { provinceCodeOfRegion } from '@opencme/core';
import { type RawBuilder, type Selectable, sql } from 'kysely';
import type { DB } from '../db/connect.ts';
import type { OrganisationTable } from '../db/schema.ts';

type Organisation = Selectable<OrganisationTable>;

/** The query of an organisation's subtree ids (itself included). */
const subtree = (rootId: string) => sql<{ id: string }>`
  with recursive subtree(id) as (
    select id from organisations where id = ${rootId}
    union all
    select o.id from organisations o join subtree s on o.parent_id = s.id
  )
  select id from subtree`;

/** The organisation and everything below it in the tree (a unit and its departments, a city and its units…). */
export async function subtreeIds(db: DB, rootId: string): Promise<string[]> {
  const rows = await subtree(rootId).execute(db);
  return rows.rows.map((r) => r.id);
}

/**
 * Up to how many ids a subtree is bound as a list (see `subtreeSet`): a province's units and
 * departments. A query may name the set six times (`placedOn`), and SQLite binds at most 32 766
 * values in one statement.
 */
const SUBTREE_LIST_LIMIT = 2_000;

/**
 * The subtree as a set to test against in raw SQL (`x in ${set}`): its ids bound as a list when
 * there are few enough (a unit, a city, a province), else the recursive subquery. PostgreSQL
 * cannot estimate a recursive query's size and guessed 200 units for one, reading every person of
 * the province to find a unit's 3 000; a list it plans from its statistics, and takes the index.
 */
export async function subtreeSet(db: DB, rootId: string): Promise<RawBuilder<string>> {
  const ids = await subtreeIds(db, rootId);
  if (ids.length > SUBTREE_LIST_LIMIT) return inSubtree(rootId);
  return sql<string>`(${sql.join(ids.length ? ids : [''])})`;
}

/**
 * The same subtree as a subquery, for a query that keeps to it in one statement:
 * `eb('persons.institution_id', 'in', inSubtree(id))`, or `x in ${inSubtree(id)}` in raw SQL.
 */
export function inSubtree(rootId: string): RawBuilder<string> {
  return sql<string>`(${subtree(rootId)})`;
}

/** The organisation and its ancestors, nearest first: `depth` 0 is the organisation itself. */
const ancestry = (organisationId: string) => sql`
  with recursive ancestors(id, parent_id, depth) as (
    select id, parent_id, 0 from organisations where id = ${organisationId}
    union all
    select o.id, o.parent_id, a.depth + 1 from organisations o join ancestors a on o.id = a.parent_id
  )`;

/** Whether `organisationId` is `scopeRoot` or lies below it in the organisation tree. */
export async function withinScope(db: DB, scopeRoot: string, organisationId: string): Promise<boolean> {
  const row = await sql<{ found: number }>`${ancestry(organisationId)} select 1 as found from ancestors where id = ${scopeRoot}`.execute(db);
  return row.rows.length > 0;
}

/** The nearest organisation of a kind at or above `organisationId` (the unit of a department, the province of a unit). */
export async function enclosing(db: DB, organisationId: string, kind: OrganisationTable['kind']): Promise<Organisation | null> {
  const rows = await sql<Organisation>`${ancestry(organisationId)}
    select o.* from ancestors a join organisations o on o.id = a.id where o.kind = ${kind} order by a.depth limit 1`.execute(db);
  return rows.rows[0] ?? null;
}

/** The province an organisation lies in (itself, if it is one). */
export async function provinceOf(db: DB, organisationId: string): Promise<string | null> {
  return (await enclosing(db, organisationId, 'province'))?.id ?? null;
}

/** The province division code of each organisation given, from its province's stored region code (never from its name). */
export async function provinceCodesOf(db: DB, organisationIds: readonly string[]): Promise<Map<string, string | null>> {
  const codes = new Map<string, string | null>();
  for (const id of new Set(organisationIds)) codes.set(id, provinceCodeOfRegion((await enclosing(db, id, 'province'))?.region_code));
  return codes;
}

/** The province division code of one organisation (see `provinceCodesOf`). */
export async function provinceCodeOf(db: DB, organisationId: string): Promise<string | null> {
  return (await provinceCodesOf(db, [organisationId])).get(organisationId) ?? null;
}

/** The departments within an organisation's subtree, each with its unit's name, for choosing whom to print or count. */
export async function departmentsWithin(db: DB, rootId: string): Promise<{ id: string; name: string; institution: string | null }[]> {
  const rows = await sql<{ id: string; name: string; parent_name: string | null }>`
    select d.id, d.name, p.name as parent_name from organisations d left join organisations p on p.id = d.parent_id
    where d.kind = 'department' and d.id in ${inSubtree(rootId)} order by p.name, d.name`.execute(db);
  return rows.rows.map((r) => ({ id: r.id, name: r.name, institution: r.parent_name }));
}

/**
 * Cities (市州) under each province, for the unit registration form, and each province itself
 * (`direct`) for a province-direct unit (省直/委直属), after its cities.
 */
export async function citiesWithProvinces(db: DB) {
  const [cities, provinces] = await Promise.all([
    db
      .selectFrom('organisations as city')
      .innerJoin('organisations as province', 'province.id', 'city.parent_id')
      .select(['city.id', 'city.name', 'province.name as province'])
      .where('city.kind', '=', 'city')
      .orderBy('province.name')
      .orderBy('city.name')
      .execute(),
    db.selectFrom('organisations').select(['id', 'name']).where('kind', '=', 'province').orderBy('name').execute(),
  ]);
  return provinces.flatMap((p) => [
    ...cities.filter((c) => c.province === p.name).map((c) => ({ ...c, direct: false })),
    { id: p.id, name: p.name, province: p.name, direct: true },
  ]);
}

/** Where a unit may register: under a city, or (省直/委直属) straight under its province. */
export async function isCityOrProvince(db: DB, organisationId: string): Promise<boolean> {
  return (
    (await db.selectFrom('organisations').select('id').where('id', '=', organisationId).where('kind', 'in', ['city', 'province']).executeTakeFirst()) !==
    undefined
  );
}

/** A province-direct unit (省直/委直属): it answers to its province with no city office between. */
export async function isProvinceDirect(db: DB, unitId: string): Promise<boolean> {
  const row = await db
    .selectFrom('organisations as unit')
    .innerJoin('organisations as parent', 'parent.id', 'unit.parent_id')
    .select('parent.kind')
    .where('unit.id', '=', unitId)
    .executeTakeFirst();
  return row?.kind === 'province';
}

export async function creditCodeTaken(db: DB, creditCode: string): Promise<boolean> {
  return (await db.selectFrom('organisations').select('id').where('credit_code', '=', creditCode).executeTakeFirst()) !== undefined;
}

/** A self-registered unit, pending until its city or province office verifies it; `cityId` is its province for a province-direct one. */
export async function addUnit(db: DB, unit: { id: string; name: string; cityId: string; creditCode: string; now: Date }): Promise<void> {
  await db
    .insertInto('organisations')
    .values({
      id: unit.id,
      kind: 'institution',
      name: unit.name,
      parent_id: unit.cityId,
      credit_code: unit.creditCode,
      created_at: unit.now.toISOString(),
      status: 'pending',
    })
    .execute();
}

/** Units waiting for verification within an office's part of the tree, oldest first. */
export function pendingUnitsWithin(db: DB, rootId: string) {
  return db
    .selectFrom('organisations')
    .select(['id', 'name', 'credit_code as creditCode', 'created_at as createdAt'])
    .where('id', 'in', inSubtree(rootId))
    .where('kind', '=', 'institution')
    .where('status', '=', 'pending')
    .orderBy('created_at')
    .execute();
}

export function findUnit(db: DB, unitId: string) {
  return db.selectFrom('organisations').select(['status', 'parent_id']).where('id', '=', unitId).where('kind', '=', 'institution').executeTakeFirst();
}

export async function setUnitStatus(db: DB, unitId: string, verdict: { status: 'verified' | 'rejected'; by: string; at: Date }): Promise<void> {
  await db
    .updateTable('organisations')
    .set({ status: verdict.status, verified_at: verdict.at.toISOString(), verified_by: verdict.by })
    .where('id', '=', unitId)
    .execute();
}

/** A unit's departments by name. */
export function departmentsOf(db: DB, unitId: string) {
  return db.selectFrom('organisations').select(['id', 'name']).where('parent_id', '=', unitId).where('kind', '=', 'department').orderBy('name').execute();
}

/** Whether anything below the unit already has this name. */
export async function nameTakenUnder(db: DB, unitId: string, name: string): Promise<boolean> {
  return (await db.selectFrom('organisations').select('id').where('parent_id', '=', unitId).where('name', '=', name).executeTakeFirst()) !== undefined;
}

export async function addDepartment(db: DB, department: { id: string; unitId: string; name: string; now: Date }): Promise<void> {
  await db
    .insertInto('organisations')
    .values({
      id: department.id,
      kind: 'department',
      name: department.name,
      parent_id: department.unitId,
      credit_code: null,
      created_at: department.now.toISOString(),
    })
    .execute();
}

export function getDepartment(db: DB, departmentId: string) {
  return db.selectFrom('organisations').select(['name', 'parent_id']).where('id', '=', departmentId).where('kind', '=', 'department').executeTakeFirstOrThrow();
}

export async function renameOrganisation(db: DB, organisationId: string, name: string): Promise<void> {
  await db.updateTable('organisations').set({ name }).where('id', '=', organisationId).execute();
}

/** Verified units whose name contains the query (at most 20), for a registrant choosing theirs. */
export function verifiedUnitsNamed(db: DB, query: string) {
  let q = db.selectFrom('organisations').select(['id', 'name']).where('kind', '=', 'institution').where('status', '=', 'verified');
  // SQLite's LIKE ignores ASCII case and PostgreSQL's does not: both compare lower(name) with a
  // pattern lowered the same way (ASCII letters only, as both databases' lower() does in C collation).
  const pattern = `%${query.replace(/[%_]/g, '')}%`.replace(/[A-Z]/g, (c) => c.toLowerCase());
  if (query) q = q.where((eb) => eb(eb.fn<string>('lower', ['name']), 'like', pattern));
  return q.orderBy('name').orderBy('id').limit(20).execute();
}

/** Whether the department belongs to the unit and the unit is verified: where a registrant may register. */
export async function isDepartmentOfVerifiedUnit(db: DB, departmentId: string, unitId: string): Promise<boolean> {
  const found = await db
    .selectFrom('organisations as d')
    .innerJoin('organisations as u', 'u.id', 'd.parent_id')
    .select(['d.id'])
    .where('d.id', '=', departmentId)
    .where('u.id', '=', unitId)
    .where('u.status', '=', 'verified')
    .executeTakeFirst();
  return found !== undefined;
}

export function getOrganisation(db: DB, organisationId: string) {
  return db.selectFrom('organisations').select(['id', 'kind', 'name']).where('id', '=', organisationId).executeTakeFirstOrThrow();
}

/** The units (医疗机构) among some organisations. */
export async function unitsAmong(db: DB, organisationIds: readonly string[]): Promise<string[]> {
  const rows = await db.selectFrom('organisations').select('id').where('id', 'in', organisationIds).where('kind', '=', 'institution').execute();
  return rows.map((r) => r.id);
}

export async function kindOf(db: DB, organisationId: string): Promise<OrganisationTable['kind'] | null> {
  return (await db.selectFrom('organisations').select('kind').where('id', '=', organisationId).executeTakeFirst())?.kind ?? null;
}
