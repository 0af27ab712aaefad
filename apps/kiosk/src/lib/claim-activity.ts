import { say } from '#lib/i18n.svelte.ts';

/** The name of a claim activity (a key of core's CLAIM_ACTIVITIES) in the user's language. */
export function activityLabel(key: string): string {
  return say({ key: `claim-activity.${key}` });
}
