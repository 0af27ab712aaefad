// Non-project credits (非项目学分): activities outside CME projects that staff claim themselves,
// with evidence, and that reviewers approve level by level. The catalogue says, per activity,
// which class the credits are, at most how many one claim may carry, and which chain of reviewers
// it goes through (Hunan: out-of-province national projects and TCM paper certificates go
// unit → city; papers and teaching stay in the hospital).
import { z } from 'zod';
import type { ReviewChain } from './review-chain.ts';
import type { CreditClass, CreditLevel } from './rules.ts';

// An activity's name is a message key, 'claim-activity.<key>', worded in @opencme/words.
export interface ClaimActivity {
  creditClass: CreditClass;
  level: CreditLevel | null;
  maxCredits: number;
  /** Further study (进修) is claimed in months; its credits may be 0. */
  inMonths: boolean;
  /** The offices that review a claim of this activity, in order (see review-chain.ts). */
  chain: ReviewChain;
}

export const CLAIM_ACTIVITIES = {
  paper: { creditClass: 'II', level: null, maxCredits: 10, inMonths: false, chain: ['department', 'unit'] },
  teaching: { creditClass: 'II', level: null, maxCredits: 10, inMonths: false, chain: ['department', 'unit'] },
  'further-study': {
    creditClass: 'II',
    level: null,
    maxCredits: 25,
    inMonths: true,
    chain: ['department', 'unit', 'city'],
  },
  'out-of-province-national': {
    creditClass: 'I',
    level: 'national',
    maxCredits: 10,
    inMonths: false,
    chain: ['unit', 'city'],
  },
  'tcm-paper-certificate': {
    creditClass: 'I',
    level: 'provincial',
    maxCredits: 10,
    inMonths: false,
    chain: ['unit', 'city'],
  },
} as const satisfies Record<string, ClaimActivity>;

export type ClaimActivityKey = keyof typeof CLAIM_ACTIVITIES;
export const CLAIM_ACTIVITY_KEYS = Object.keys(CLAIM_ACTIVITIES) as [ClaimActivityKey, ...ClaimActivityKey[]];

export const claimDraftSchema = z
  .object({
    activity: z.enum(CLAIM_ACTIVITY_KEYS),
    /** China-local date of the activity (for further study, its last day). */
    occurredOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    credits: z.number().min(0).max(25).multipleOf(0.1),
    months: z.number().int().min(0).max(12).default(0),
    description: z.string().trim().min(2).max(500),
  })
  .superRefine((c, ctx) => {
    const a = CLAIM_ACTIVITIES[c.activity];
    if (c.credits > a.maxCredits) ctx.addIssue({ code: 'custom', path: ['credits'], message: 'claims.credits-over-max', params: { max: a.maxCredits } });
    if (a.inMonths && c.months < 1) ctx.addIssue({ code: 'custom', path: ['months'], message: 'claims.months-required' });
    if (!a.inMonths && c.credits <= 0) ctx.addIssue({ code: 'custom', path: ['credits'], message: 'claims.credits-required' });
  });
export type ClaimDraft = z.infer<typeof claimDraftSchema>;
