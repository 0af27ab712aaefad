// Assessment results (考核成绩): attendance and a pass are both needed for credit. Entered by hand
// here, or imported from a spreadsheet through the exchange (exchange/kinds/assessments.ts).
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';

export interface AssessmentInput {
  /** The CME card number (继教卡号) of the attendee. */
  cmeNumber: string;
  passed: boolean;
  score: number | null;
}

/** The people with these card numbers who attended one of the project's sessions, by card number. */
export async function attendeesByCmeNumber(db: DB, projectId: string, numbers: readonly string[]): Promise<Map<string, string>> {
  if (numbers.length === 0) return new Map();
  const rows = await db
    .selectFrom('persons')
    .innerJoin('attendance', 'attendance.person_id', 'persons.id')
    .innerJoin('sessions', 'sessions.id', 'attendance.session_id')
    .select(['persons.id', 'persons.cme_number'])
    .where('sessions.project_id', '=', projectId)
    .where('persons.cme_number', 'in', [...new Set(numbers)])
    .distinct()
    .execute();
  return new Map(rows.map((p) => [p.cme_number!, p.id]));
}

/** The results already recorded for a project's people, by person. */
export async function resultsOf(db: DB, projectId: string, personIds: readonly string[]): Promise<Map<string, { passed: boolean; score: number | null }>> {
  if (personIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('assessment_results')
    .select(['person_id', 'passed', 'score'])
    .where('project_id', '=', projectId)
    .where('person_id', 'in', [...personIds])
    .execute();
  return new Map(rows.map((r) => [r.person_id, { passed: r.passed === 1, score: r.score }]));
}

/** Records (or replaces) results of attendees; the caller has checked that each attended. */
export async function saveResults(
  db: DB,
  input: { projectId: string; results: readonly { personId: string; passed: boolean; score: number | null }[]; userId: string; now: Date },
): Promise<void> {
  for (const r of input.results) {
    const values = { passed: r.passed ? 1 : 0, score: r.score, recorded_by: input.userId, recorded_at: input.now.toISOString() };
    await db
      .insertInto('assessment_results')
      .values({ project_id: input.projectId, person_id: r.personId, ...values })
      .onConflict((oc) => oc.columns(['project_id', 'person_id']).doUpdateSet(values))
      .execute();
  }
}

/**
 * Records results entered by hand for a project, only for people who attended one of its
 * sessions; any other card number refuses the whole batch, naming it. An unknown number and one
 * of someone who did not come get the same answer, so that the form tells no one which card
 * numbers exist.
 */
export async function recordAssessments(
  db: DB,
  input: { projectId: string; results: readonly AssessmentInput[]; userId: string; now: Date },
): Promise<{ recorded: number }> {
  if (input.results.length === 0) throw new UserFacingError('BAD_REQUEST', 'assessments.no-results-record');
  return db.transaction().execute(async (trx) => {
    const persons = await attendeesByCmeNumber(
      trx,
      input.projectId,
      input.results.map((r) => r.cmeNumber),
    );
    const absent = [...new Set(input.results.map((r) => r.cmeNumber))].filter((n) => !persons.has(n));
    if (absent.length > 0) {
      throw new UserFacingError('BAD_REQUEST', 'assessments.no-attendance', { cmeNumbers: absent.join(', ') });
    }
    const results = input.results.map((r) => ({ personId: persons.get(r.cmeNumber)!, passed: r.passed, score: r.score }));
    await saveResults(trx, { projectId: input.projectId, results, userId: input.userId, now: input.now });
    return { recorded: input.results.length };
  });
}
