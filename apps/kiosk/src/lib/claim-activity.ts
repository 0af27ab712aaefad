import { CLAIM_ACTIVITIES, type ClaimActivityKey } from '@opencme/core';
import { i18n } from '#lib/i18n.svelte.ts';

/** The name of a claim activity (from the core catalogue) in the user's language. */
export function activityLabel(key: string): string {
  const activity = CLAIM_ACTIVITIES[key as ClaimActivityKey];
  if (!activity) return key;
  return i18n.locale === 'en' ? activity.en : activity.zh;
}
