// Every import kind, by the name in its URL. A new kind: declare it in a file of this folder
// (see README.md one folder up) and add it here, with its row in authz.ts ACCESS.
import type { ExchangeKind } from '../kind.ts';
import { assessments } from './assessments.ts';
import { externalCredits } from './external-credits.ts';
import { nationalProjects } from './national-projects.ts';
import { staff } from './staff.ts';
import { watchTime } from './watch-time.ts';

/** The kinds as the framework handles them: untyped values, since each kind checks its own. */
const kind = <V, D, U>(k: ExchangeKind<V, D, U>) => k as unknown as ExchangeKind;

export const KINDS: Record<string, ExchangeKind> = {
  staff: kind(staff),
  'national-projects': kind(nationalProjects),
  'external-credits': kind(externalCredits),
  assessments: kind(assessments),
  'watch-time': kind(watchTime),
};
