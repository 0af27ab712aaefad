import { type RuleSet, ruleSetSchema } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';

export interface RuleSetChanges {
  sourceId: string;
  region: string;
  fromYear: number;
  name: string;
  cmeYearStart?: RuleSet['cmeYearStart'];
  furtherStudyMinMonths?: RuleSet['furtherStudyMinMonths'];
  requirements?: RuleSet['requirements'];
  basis: string;
}

/**
 * A new version of a rule set, made from a copy of an existing one with the office's changes. The
 * original is never edited: the results it produced stay explainable.
 */
export async function copyRuleSet(db: DB, changes: RuleSetChanges, by: { userId: string; at: Date }): Promise<RuleSet> {
  const source = await db.selectFrom('rule_sets').select('definition').where('id', '=', changes.sourceId).executeTakeFirst();
  if (!source) throw new UserFacingError('NOT_FOUND', 'rule-sets.no-such-rule-set');
  const base = ruleSetSchema.parse(JSON.parse(source.definition));
  const taken = new Set((await db.selectFrom('rule_sets').select('id').execute()).map((r) => r.id));
  let id = `${changes.region}-${changes.fromYear}`;
  for (let v = 2; taken.has(id); v++) id = `${changes.region}-${changes.fromYear}-v${v}`;
  const parsed = ruleSetSchema.safeParse({
    ...base,
    id,
    name: changes.name,
    region: changes.region,
    fromYear: changes.fromYear,
    toYear: null,
    cmeYearStart: changes.cmeYearStart ?? base.cmeYearStart,
    furtherStudyMinMonths: changes.furtherStudyMinMonths === undefined ? base.furtherStudyMinMonths : changes.furtherStudyMinMonths,
    requirements: changes.requirements ?? base.requirements,
    basis: changes.basis,
  });
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new UserFacingError('BAD_REQUEST', 'rule-sets.rule-set-incomplete-wrong', { where });
  }
  const ruleSet = parsed.data;
  await db
    .insertInto('rule_sets')
    .values({
      id,
      region: ruleSet.region,
      from_year: ruleSet.fromYear,
      to_year: null,
      definition: JSON.stringify(ruleSet),
      copied_from: changes.sourceId,
      created_by: by.userId,
      created_at: by.at.toISOString(),
    })
    .execute();
  return ruleSet;
}
