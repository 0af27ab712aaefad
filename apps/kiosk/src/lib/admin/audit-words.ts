// An audit-log entry as a sentence: who (and from which organisation, when not the reader's own),
// did what in words, to whom; and the few details worth a line (a reason, a former name, a title).
import type { RouterOutputs } from '#lib/api.ts';
import { z } from 'zod';
import { t } from '../i18n.svelte.ts';

type Entry = RouterOutputs['registry']['auditLog'][number];

/** Every action code the server writes to the log (grep the server for `action:`). */
export const AUDIT_ACTIONS = [
  'person.reveal-id-number',
  'person.view',
  'person.view-photo',
  'person.search-id-number',
  'person.card-sheet',
  'person.view-standing',
  'registration.duplicate',
  'proof-key.withdraw',
  'claim.view-evidence',
  'session.export-roster',
  'public.lookup',
  'registration.submit',
  'registration.approve',
  'registration.reject',
  'card.bind',
  'card.report-lost',
  'title.held',
  'title.employed',
  'attendance.correct',
  'attendance.void',
  'proxy-alert.confirm',
  'proxy-alert.dismiss',
  'claim.approve',
  'claim.reject',
  'proof.revoke',
  'verification.submit',
  'verification.forward',
  'verification.export',
  'verification.accept',
  'verification.return',
  'hr.export',
  'hr.pull',
  'hr.token-create',
  'hr.token-revoke',
  'unit.seal',
  'department.add',
  'department.rename',
  'account.create',
  'account.activate',
  'account.reset-code',
  'unit.register',
  'unit.verify',
  'rule-set.copy',
  'project.update',
  'project.delete',
  'project.cancel',
  'project.view-enrolment',
  'enrolment.enrol',
  'enrolment.close',
  'enrolment.record-external',
  'enrolment.assess-external',
  'person.add',
  'person.edit',
  'person.change-id-number',
  'person.move-department',
  'transfer.request',
  'transfer.accept',
  'transfer.decline',
  'person.leave',
  'card.replace',
  'card.cancel',
  'settings.card-fees',
  'online.register-platform',
  'online.revoke-platform',
  'ledger.reverse',
  'ledger.void-year',
  'organiser.bar',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const isAuditAction = (code: string): code is AuditAction => (AUDIT_ACTIONS as readonly string[]).includes(code);

/** The short name of an action, for the filter. */
export const actionKind = (action: AuditAction) => t(`audit.kind.${action}` as const);

const ROLE = z.enum(['province-admin', 'city-admin', 'unit-admin', 'department-reviewer', 'staff']);

/** The fields of `before` / `after` a sentence may mention; anything else stays unsaid. */
const Change = z
  .object({
    reason: z.string().nullish(),
    name: z.string(),
    title: z.string(),
    fromDate: z.string(),
    uid: z.string(),
    cmeNumber: z.string(),
    status: z.string(),
    login: z.string(),
    role: ROLE,
    found: z.boolean(),
  })
  .partial()
  .catch({});

function changeOf(json: string | null): z.infer<typeof Change> {
  if (!json) return {};
  try {
    return Change.parse(JSON.parse(json));
  } catch {
    return {};
  }
}

function detailOf(entry: Entry): string | null {
  const before = changeOf(entry.before);
  const after = changeOf(entry.after);
  switch (entry.action) {
    case 'department.rename':
      return before.name ? t('audit.detail.formerName', { name: before.name }) : null;
    case 'title.held':
    case 'title.employed':
      return after.title ? t('audit.detail.title', { title: after.title, date: after.fromDate ?? '' }) : null;
    case 'card.bind':
    case 'card.report-lost': {
      const uid = after.uid ?? before.uid;
      return uid ? t('admin.icCard', { uid }) : null;
    }
    case 'registration.approve':
      return after.cmeNumber ? t('admin.cmeCard', { number: after.cmeNumber }) : null;
    case 'unit.verify':
      return after.status === 'verified' ? t('audit.detail.verified') : after.status === 'rejected' ? t('audit.detail.rejected') : null;
    case 'account.create':
      return after.login && after.role ? t('audit.detail.account', { login: after.login, role: t(`role.${after.role}` as const) }) : null;
    case 'project.update':
    case 'project.delete':
      // A deleted project has no name left to look up but the one the log kept.
      return (after.name ?? before.name) ? t('audit.detail.project', { name: (after.name ?? before.name)! }) : null;
    case 'public.lookup':
      return after.found === undefined ? null : t(after.found ? 'audit.detail.found' : 'audit.detail.notFound');
    default:
      return after.reason ? t('audit.detail.reason', { reason: after.reason }) : null;
  }
}

export interface AuditSentence {
  actor: string;
  /** Where the actor works, when it is not the reader's own organisation. */
  actorOrganisation: string | null;
  /** The action in words, with whom it was about. */
  did: string;
  detail: string | null;
}

export function auditSentence(entry: Entry, readerOrganisationId: string): AuditSentence {
  const target = entry.target ?? t('audit.unknownTarget');
  return {
    actor: entry.actor ?? (entry.actorDevice ? t('audit.device', { name: entry.actorDevice }) : t('audit.visitor')),
    actorOrganisation: entry.actorOrganisation && entry.actorOrganisationId !== readerOrganisationId ? entry.actorOrganisation : null,
    did: isAuditAction(entry.action) ? t(`audit.did.${entry.action}` as const, { target }) : t('audit.did.other', { target }),
    detail: detailOf(entry),
  };
}
