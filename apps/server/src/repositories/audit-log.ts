// Reading the audit log back as the admin console shows it: who did what to whom, when. Names
// only, never an ID number: the log is read by more people than may see those.
import type { DB } from '../db/connect.ts';

export const AUDIT_PAGE_SIZE = 100;

export interface AuditLogFilter {
  /** A unit sees what was done to its records, and what its own accounts did elsewhere. */
  organisationIds: readonly string[];
  /** One action code, e.g. `person.reveal-id-number`. */
  action?: string | undefined;
  /** Instants bounding the entries: `from` included, `until` excluded. */
  from?: Date | undefined;
  until?: Date | undefined;
  page: number;
}

export async function readAuditLog(db: DB, filter: AuditLogFilter) {
  let query = db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_user_id')
    .leftJoin('devices', 'devices.id', 'audit_log.actor_device_id')
    .select([
      'audit_log.id',
      'audit_log.at',
      'audit_log.action',
      'audit_log.entity',
      'audit_log.entity_id as entityId',
      'audit_log.before',
      'audit_log.after',
      'users.display_name as actor',
      'devices.name as actorDevice',
      'audit_log.actor_organisation_id as actorOrganisationId',
      'users.organisation_id as actorUserOrganisationId',
    ])
    .where((eb) => eb.or([eb('audit_log.organisation_id', 'in', filter.organisationIds), eb('audit_log.actor_organisation_id', 'in', filter.organisationIds)]));
  if (filter.action) query = query.where('audit_log.action', '=', filter.action);
  if (filter.from) query = query.where('audit_log.at', '>=', filter.from.toISOString());
  if (filter.until) query = query.where('audit_log.at', '<', filter.until.toISOString());
  const rows = await query
    .orderBy('audit_log.at', 'desc')
    .orderBy('audit_log.id', 'desc')
    .limit(AUDIT_PAGE_SIZE)
    .offset((filter.page - 1) * AUDIT_PAGE_SIZE)
    .execute();

  const targets = await targetNames(db, rows);
  const organisations = await namesOf(
    db,
    'organisations',
    rows.map((r) => r.actorOrganisationId ?? r.actorUserOrganisationId),
  );
  return rows.map(({ actorUserOrganisationId, ...r }) => {
    const actorOrganisationId = r.actorOrganisationId ?? actorUserOrganisationId;
    return {
      ...r,
      actorOrganisationId,
      actorOrganisation: actorOrganisationId ? (organisations.get(actorOrganisationId) ?? null) : null,
      /** The name of whom or what the action was about: a person, a unit, a session… */
      target: targets.get(`${r.entity}:${r.entityId}`) ?? null,
    };
  });
}

async function namesOf(db: DB, table: 'organisations' | 'persons', ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom(table).select(['id', 'name']).where('id', 'in', wanted).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The people behind records that belong to a person (a claim, a proof). */
async function ownersOf(db: DB, table: 'claims' | 'proofs' | 'ledger_entries', ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom(table)
    .innerJoin('persons', 'persons.id', `${table}.person_id`)
    .select([`${table}.id as id`, 'persons.name as name'])
    .where(`${table}.id`, 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Names of the entries' targets, keyed `entity:entityId`, looked up once per kind of record. */
async function targetNames(db: DB, rows: readonly { entity: string; entityId: string }[]): Promise<Map<string, string>> {
  const idsOf = (entity: string) => rows.filter((r) => r.entity === entity).map((r) => r.entityId);
  // An attendance correction is filed as `sessionId/personId`: it is about the person.
  const attendance = idsOf('attendance').map((id) => ({ id, personId: id.split('/')[1] ?? '' }));
  const [persons, organisations, claims, proofs, entries] = await Promise.all([
    namesOf(db, 'persons', [...idsOf('person'), ...attendance.map((a) => a.personId)]),
    namesOf(db, 'organisations', idsOf('organisation')),
    ownersOf(db, 'claims', idsOf('claim')),
    ownersOf(db, 'proofs', idsOf('proof')),
    ownersOf(db, 'ledger_entries', idsOf('ledger-entry')),
  ]);
  const names = new Map<string, string>();
  const put = (entity: string, found: Map<string, string>) => found.forEach((name, id) => names.set(`${entity}:${id}`, name));
  put('person', persons);
  put('organisation', organisations);
  put('claim', claims);
  put('proof', proofs);
  put('ledger-entry', entries);
  for (const a of attendance) {
    const name = persons.get(a.personId);
    if (name) names.set(`attendance:${a.id}`, name);
  }

  const userIds = idsOf('user');
  if (userIds.length > 0) {
    for (const u of await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', userIds).execute()) names.set(`user:${u.id}`, u.display_name);
  }
  const sessionIds = idsOf('session');
  if (sessionIds.length > 0) {
    const sessions = await db
      .selectFrom('sessions')
      .innerJoin('projects', 'projects.id', 'sessions.project_id')
      .select(['sessions.id', 'sessions.title', 'projects.name as project'])
      .where('sessions.id', 'in', sessionIds)
      .execute();
    for (const s of sessions) names.set(`session:${s.id}`, `${s.project} · ${s.title}`);
  }
  // A proxy-tap alert is about a session: named as the session is.
  const alertIds = idsOf('proxy-alert');
  if (alertIds.length > 0) {
    const alerts = await db
      .selectFrom('proxy_alerts')
      .innerJoin('sessions', 'sessions.id', 'proxy_alerts.session_id')
      .innerJoin('projects', 'projects.id', 'sessions.project_id')
      .select(['proxy_alerts.id', 'sessions.title', 'projects.name as project'])
      .where('proxy_alerts.id', 'in', alertIds)
      .execute();
    for (const a of alerts) names.set(`proxy-alert:${a.id}`, `${a.project} · ${a.title}`);
  }
  const runIds = idsOf('verification_run');
  if (runIds.length > 0) {
    const runs = await db
      .selectFrom('verification_runs')
      .innerJoin('organisations', 'organisations.id', 'verification_runs.organisation_id')
      .select(['verification_runs.id', 'organisations.name'])
      .where('verification_runs.id', 'in', runIds)
      .execute();
    for (const r of runs) names.set(`verification_run:${r.id}`, r.name);
  }
  const ruleSetIds = idsOf('rule_set');
  if (ruleSetIds.length > 0) {
    for (const r of await db.selectFrom('rule_sets').select(['id', 'definition']).where('id', 'in', ruleSetIds).execute()) {
      const name = (JSON.parse(r.definition) as { name?: unknown }).name;
      if (typeof name === 'string') names.set(`rule_set:${r.id}`, name);
    }
  }
  return names;
}
