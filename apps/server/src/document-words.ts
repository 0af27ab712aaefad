// Documents are printed in Chinese: proofs, the stored verification results and ledger labels are
// official records of a Chinese hospital, whatever language their reader's screen speaks. Their
// words come from @opencme/words, the same texts the app's Chinese catalogue shows.
import type { ClaimActivityKey, StandingReason } from '@opencme/core';
import { claimActivityZh, type Message, standingSentence, standingZh } from '@opencme/words';

const chinese = (message: Message): string => {
  const text: string = standingZh[message.key as keyof typeof standingZh];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(message.params?.[name] ?? ''));
};

/** A standing's reasons as one Chinese sentence (已达标（共25学分）, 未达标：还需Ⅰ类学分3分…). */
export const standingInChinese = (reasons: readonly StandingReason[]): string => standingSentence(reasons, chinese);

/** The Chinese name of a claim activity (发表论文, 外出进修…). */
export const claimActivityInChinese = (activity: ClaimActivityKey): string => claimActivityZh[`claim-activity.${activity}`];
