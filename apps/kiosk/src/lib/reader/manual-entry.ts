// A CME card number typed at the door (手工录入) when a card is missing. Its check character
// catches a typo before it becomes a tap under someone else's number, or an "unknown card" the
// office must chase later; core's rule is the one the numbers were issued by.
import { type Credential, validateCmeNumber } from '@opencme/core';
import type { MessageKey } from '../i18n.svelte.ts';

export type ManualEntry = { ok: true; credential: Credential } | { ok: false; message: MessageKey };

const REFUSALS = {
  length: 'tap.manualLength',
  characters: 'tap.manualCharacters',
  'check-digit': 'tap.manualCheck',
} as const satisfies Record<string, MessageKey>;

export function manualEntry(typed: string): ManualEntry {
  if (!typed.trim()) return { ok: false, message: 'tap.manualEmpty' };
  const check = validateCmeNumber(typed);
  if (!check.valid) return { ok: false, message: REFUSALS[check.reason] };
  return { ok: true, credential: { kind: 'card-number', value: check.normalized } };
}
