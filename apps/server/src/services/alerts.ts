// The queue of proxy-tap (代刷) alerts for the organiser's reviewers, and their decisions. Confirming
// voids the attendance the alert's taps name, through the same record an organiser's correction
// uses, and takes back the credits it earned by a reversing ledger entry: both with the reason,
// both audited. Dismissing keeps everything as it was, with the reason, audited.
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import { courseStillAttended, voidAttendance } from '../repositories/attendance.ts';
import { audit } from '../repositories/audit.ts';
import { reverseLedgerEntry, unreversedAttendanceEntry } from '../repositories/ledger.ts';
import { dropCreditAward } from '../repositories/projects.ts';
import { alertForDecision, type AlertStatus, listAlerts, setAlertDecision } from '../repositories/proxy-alerts.ts';
import type { Actor } from './registry.ts';

const DECIDED = {
  confirm: { status: 'confirmed', action: 'proxy-alert.confirm' },
  dismiss: { status: 'dismissed', action: 'proxy-alert.dismiss' },
} as const;

/** The most alerts one page of the queue shows; the oldest open ones wait below the newest. */
const QUEUE_PAGE = 200;

export function alertQueue(db: DB, viewer: Actor, status: AlertStatus) {
  return listAlerts(db, viewer.organisationId, status, QUEUE_PAGE);
}

export async function decideAlert(
  db: DB,
  input: { alertId: string; decision: 'confirm' | 'dismiss'; reason: string; personIds?: readonly string[] | undefined; actor: Actor; now: Date },
): Promise<{ voided: number }> {
  return db.transaction().execute(async (trx) => {
    const alert = await alertForDecision(trx, input.alertId);
    if (!alert) throw new UserFacingError('NOT_FOUND', 'alerts.no-such-alert');
    if (alert.status !== 'open') throw new UserFacingError('CONFLICT', 'alerts.already-decided');
    const named = new Set(alert.attendances.map((a) => a.personId));
    if (input.personIds?.some((id) => !named.has(id))) throw new UserFacingError('BAD_REQUEST', 'alerts.person-not-in-alert', {}, 'personIds');
    const chosen = input.personIds ? new Set(input.personIds) : named;
    const voided: { sessionId: string; personId: string; reversedEntry: string | null }[] = [];
    if (input.decision === 'confirm') {
      for (const { sessionId, personId } of alert.attendances.filter((a) => chosen.has(a.personId))) {
        const done = await voidAttendance(trx, {
          sessionId,
          personId,
          reason: input.reason,
          userId: input.actor.id,
          organisationId: alert.organisation_id,
          now: input.now,
        });
        if (!done) continue;
        // The course's credits go only if no other sitting of the course still earns them.
        const course = await courseStillAttended(trx, sessionId, personId);
        let reversedEntry: string | null = null;
        if (course.courseId && !course.attended) {
          await dropCreditAward(trx, course.courseId, personId);
          const entryId = await unreversedAttendanceEntry(trx, personId, course.courseId);
          if (entryId) reversedEntry = await reverseLedgerEntry(trx, { entryId, reason: input.reason, approvedBy: input.actor.id, at: input.now });
        }
        voided.push({ sessionId, personId, reversedEntry });
      }
    }
    const { status, action } = DECIDED[input.decision];
    // Two reviewers deciding at once: the second finds it decided.
    if (!(await setAlertDecision(trx, alert.id, { status, userId: input.actor.id, reason: input.reason, at: input.now }))) {
      throw new UserFacingError('CONFLICT', 'alerts.already-decided');
    }
    await audit(trx, {
      actor: { userId: input.actor.id, organisationId: input.actor.organisationId },
      action,
      entity: 'proxy-alert',
      entityId: alert.id,
      organisationId: alert.organisation_id,
      before: { status: 'open', rule: alert.rule },
      after: { status, reason: input.reason, voided },
      at: input.now,
    });
    return { voided: voided.length };
  });
}
