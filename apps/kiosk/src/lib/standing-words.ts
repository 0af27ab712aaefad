import { standingSentence, type Message } from '@opencme/words';
import { say } from '#lib/i18n.svelte.ts';

/** A standing's reasons (core's `standingReasons`, or as the server sends them) as one sentence in the user's language. */
export const standingText = (reasons: readonly Message[]): string => standingSentence(reasons, say);
