import type { ProjectStatus } from '@opencme/core';
import { type MessageKey, t } from '../../i18n.svelte.ts';

export type { ProjectStatus };

export const statusText = (status: ProjectStatus) => t(`project.status.${status}`);

const EVENTS = [
  'declare',
  'update',
  'submit',
  'reject',
  'approve:unit',
  'approve:city',
  'approve:province',
  'report',
  'submit-credits',
  'reject-credits',
  'approve-credits',
  'cancel',
  'attach:notice',
  'attach:schedule',
  'return-report',
  'approve-report:unit',
  'approve-report:city',
  'approve-report:province',
] as const;

/** A step of a project's history in words (the server stores `approve:city` and the like). */
export function eventText(action: string): string {
  const known = (EVENTS as readonly string[]).includes(action);
  return t(known ? (`project.event.${action}` as MessageKey) : 'project.event.other');
}
