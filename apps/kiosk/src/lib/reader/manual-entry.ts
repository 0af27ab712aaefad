// A CME card number typed at the door (手工录入) when a card is missing. Its check character
// catches a typo before it becomes a tap under someone else's number, or an "unknown card" the
// office must chase later; core's rule is the one the numbers were issued by.
// An attendee with no card of ours (院外人员, from outside the province) is recorded by her ID
// number typed in full (18 characters, checked like the number on an ID card): the tap is an ID
// card's, sealed like one, and the organiser's record of her name and workplace resolves it.
import { type Credential, validateCmeNumber, validateIdNumber } from '@opencme/core';
import type { MessageKey } from '../i18n.svelte.ts';

export type ManualEntry = { ok: true; credential: Credential } | { ok: false; message: MessageKey };

const REFUSALS = {
  length: 'tap.manualLength',
  characters: 'tap.manualCharacters',
  'check-digit': 'tap.manualCheck',
} as const satisfies Record<string, MessageKey>;

export function manualEntry(typed: string): ManualEntry {
  if (!typed.trim()) return { ok: false, message: 'tap.manualEmpty' };
  if (typed.trim().length === 18) {
    const id = validateIdNumber(typed);
    return id.valid ? { ok: true, credential: { kind: 'id-card', value: id.normalized } } : { ok: false, message: 'tap.manualIdNumber' };
  }
  const check = validateCmeNumber(typed);
  if (!check.valid) return { ok: false, message: REFUSALS[check.reason] };
  return { ok: true, credential: { kind: 'card-number', value: check.normalized } };
}
