// Proxy-tap (代刷) alerts: the taps the rules read, and what they found, kept for the reviewers of
// the session's organiser. An alert is found again, never made twice: the same rule and finding
// for the same organiser adds its new taps to the alert there is.
import { newId, type ProxyFinding, type ProxyRuleName, type ProxyTap } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { subtreeIds } from './organisations.ts';

/** A tap as the rules read it, with the organiser of its session (null for a session that does not exist). */
export interface DetectedTap extends ProxyTap {
  organiserId: string | null;
}

/** The most taps one look-around reads: the bound on the work one push can cause. */
export const AROUND_LIMIT = 5000;

function tapsQuery(db: DB) {
  return db
    .selectFrom('taps')
    .leftJoin('sessions', 'sessions.id', 'taps.session_id')
    .leftJoin('projects', 'projects.id', 'sessions.project_id')
    .innerJoin('devices', 'devices.id', 'taps.device_id')
    .select([
      'taps.tap_id',
      'taps.device_id',
      'taps.session_id',
      'taps.person_id',
      'taps.credential_kind',
      'taps.credential_value',
      'taps.at',
      'taps.wall_time',
      'taps.source',
      'taps.flag_reasons',
      'sessions.venue',
      'devices.place',
      'projects.organiser_id',
    ]);
}

type TapQueryRow = Awaited<ReturnType<ReturnType<typeof tapsQuery>['execute']>>[number];

function detected(r: TapQueryRow): DetectedTap {
  return {
    tapId: r.tap_id,
    door: r.device_id,
    sessionId: r.session_id,
    personId: r.person_id,
    card: `${r.credential_kind}:${r.credential_value}`,
    at: new Date(r.at ?? r.wall_time).toISOString(),
    source: r.source === 'manual' ? 'manual' : 'reader',
    venue: r.venue,
    doorPlace: r.place,
    lost: (r.flag_reasons ?? '').split(',').includes('denied-credential'),
    organiserId: r.organiser_id,
  };
}

export async function tapsById(db: DB, tapIds: readonly string[]): Promise<DetectedTap[]> {
  const rows: DetectedTap[] = [];
  for (let i = 0; i < tapIds.length; i += 500) {
    rows.push(
      ...(
        await tapsQuery(db)
          .where('taps.tap_id', 'in', tapIds.slice(i, i + 500))
          .execute()
      ).map(detected),
    );
  }
  return rows;
}

/** The taps of one door between two instants (server time). */
export async function tapsOfDoor(db: DB, deviceId: string, from: Date, to: Date): Promise<DetectedTap[]> {
  const rows = await tapsQuery(db)
    .where('taps.device_id', '=', deviceId)
    .where('taps.at', '>=', from.toISOString())
    .where('taps.at', '<=', to.toISOString())
    .orderBy('taps.at')
    .limit(AROUND_LIMIT)
    .execute();
  return rows.map(detected);
}

/** The taps of some people between two instants, at any door. */
export async function tapsOfPersons(db: DB, personIds: readonly string[], from: Date, to: Date): Promise<DetectedTap[]> {
  if (personIds.length === 0) return [];
  const rows = await tapsQuery(db)
    .where('taps.person_id', 'in', personIds)
    .where('taps.at', '>=', from.toISOString())
    .where('taps.at', '<=', to.toISOString())
    .orderBy('taps.at', 'desc')
    .limit(AROUND_LIMIT)
    .execute();
  return rows.map(detected);
}

/** Who tapped in a session within a span, and when: where a twin pattern's partners are looked for. */
export async function personTapsOfSession(db: DB, sessionId: string, from: Date, to: Date): Promise<{ personId: string; at: number }[]> {
  const rows = await db
    .selectFrom('taps')
    .select(['person_id', 'at'])
    .where('session_id', '=', sessionId)
    .where('person_id', 'is not', null)
    .where('at', '>=', from.toISOString())
    .where('at', '<=', to.toISOString())
    .limit(AROUND_LIMIT)
    .execute();
  return rows.map((r) => ({ personId: r.person_id!, at: Date.parse(r.at!) }));
}

/**
 * Keeps a finding for one organiser: the alert of the same rule there that has this key or shares
 * a tap gains the finding's taps; otherwise a new alert is made. Returns the alert's id.
 */
export async function keepFinding(
  db: DB,
  finding: Pick<ProxyFinding, 'rule' | 'key' | 'params'> & { organisationId: string; sessionId: string; tapIds: readonly string[] },
  now: Date,
): Promise<string> {
  const existing = await db
    .selectFrom('proxy_alerts')
    .select('id')
    .where('rule', '=', finding.rule)
    .where('organisation_id', '=', finding.organisationId)
    .where((eb) =>
      eb.or([
        eb('key', '=', finding.key),
        eb(
          'id',
          'in',
          eb
            .selectFrom('proxy_alert_taps')
            .select('alert_id')
            .where('tap_id', 'in', [...finding.tapIds]),
        ),
      ]),
    )
    .orderBy('created_at')
    .executeTakeFirst();
  const alertId = existing?.id ?? newId();
  if (existing) {
    await db
      .updateTable('proxy_alerts')
      .set({ params: JSON.stringify(finding.params) })
      .where('id', '=', alertId)
      .execute();
  } else {
    await db
      .insertInto('proxy_alerts')
      .values({
        id: alertId,
        rule: finding.rule,
        key: finding.key,
        organisation_id: finding.organisationId,
        session_id: finding.sessionId,
        params: JSON.stringify(finding.params),
        created_at: now.toISOString(),
      })
      .execute();
  }
  await db
    .insertInto('proxy_alert_taps')
    .values(finding.tapIds.map((tapId) => ({ alert_id: alertId, tap_id: tapId })))
    .onConflict((oc) => oc.columns(['alert_id', 'tap_id']).doNothing())
    .execute();
  return alertId;
}

export type AlertStatus = 'open' | 'confirmed' | 'dismissed';

/** The alerts of the organisers within a scope, newest first, each with its taps. */
export async function listAlerts(db: DB, scopeRoot: string, status: AlertStatus, limit: number) {
  const alerts = await db
    .selectFrom('proxy_alerts')
    .innerJoin('sessions', 'sessions.id', 'proxy_alerts.session_id')
    .innerJoin('projects', 'projects.id', 'sessions.project_id')
    .leftJoin('users', 'users.id', 'proxy_alerts.decided_by')
    .select([
      'proxy_alerts.id',
      'proxy_alerts.rule',
      'proxy_alerts.params',
      'proxy_alerts.status',
      'proxy_alerts.created_at as createdAt',
      'proxy_alerts.decided_at as decidedAt',
      'proxy_alerts.decision_reason as decisionReason',
      'users.display_name as decidedBy',
      'sessions.title as sessionTitle',
      'projects.name as projectName',
    ])
    .where('proxy_alerts.organisation_id', 'in', await subtreeIds(db, scopeRoot))
    .where('proxy_alerts.status', '=', status)
    .orderBy('proxy_alerts.created_at', 'desc')
    .orderBy('proxy_alerts.id', 'desc')
    .limit(limit)
    .execute();
  const taps =
    alerts.length === 0
      ? []
      : await alertTaps(
          db,
          alerts.map((a) => a.id),
        );
  return alerts.map((a) => ({
    ...a,
    rule: a.rule as ProxyRuleName,
    params: JSON.parse(a.params) as Record<string, number | string>,
    taps: taps.filter((t) => t.alertId === a.id).map(({ alertId: _, ...t }) => t),
  }));
}

/** The taps of alerts in time order: when, which door, whose card (name and masked ID number only). */
async function alertTaps(db: DB, alertIds: readonly string[]) {
  return db
    .selectFrom('proxy_alert_taps')
    .innerJoin('taps', 'taps.tap_id', 'proxy_alert_taps.tap_id')
    .innerJoin('devices', 'devices.id', 'taps.device_id')
    .leftJoin('sessions', 'sessions.id', 'taps.session_id')
    .leftJoin('persons', 'persons.id', 'taps.person_id')
    .select([
      'proxy_alert_taps.alert_id as alertId',
      'taps.tap_id as tapId',
      'taps.at',
      'taps.wall_time as wallTime',
      'taps.source',
      'taps.credential_kind as credentialKind',
      'devices.name as doorName',
      'sessions.venue',
      'persons.id as personId',
      'persons.name as personName',
      'persons.id_number_masked as maskedIdNumber',
    ])
    .where('proxy_alert_taps.alert_id', 'in', [...alertIds])
    .orderBy('taps.at')
    .orderBy('taps.tap_id')
    .execute();
}

/** An alert as its decision needs it: its state and the (session, person) pairs its taps name. */
export async function alertForDecision(db: DB, alertId: string) {
  const alert = await db.selectFrom('proxy_alerts').select(['id', 'rule', 'status', 'organisation_id']).where('id', '=', alertId).executeTakeFirst();
  if (!alert) return undefined;
  const named = await db
    .selectFrom('proxy_alert_taps')
    .innerJoin('taps', 'taps.tap_id', 'proxy_alert_taps.tap_id')
    .select(['taps.session_id as sessionId', 'taps.person_id as personId'])
    .distinct()
    .where('proxy_alert_taps.alert_id', '=', alertId)
    .where('taps.person_id', 'is not', null)
    .execute();
  return { ...alert, attendances: named.map((n) => ({ sessionId: n.sessionId, personId: n.personId! })) };
}

export async function setAlertDecision(
  db: DB,
  alertId: string,
  decision: { status: 'confirmed' | 'dismissed'; userId: string; reason: string; at: Date },
): Promise<boolean> {
  const res = await db
    .updateTable('proxy_alerts')
    .set({ status: decision.status, decided_by: decision.userId, decided_at: decision.at.toISOString(), decision_reason: decision.reason })
    .where('id', '=', alertId)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
