import type { DB } from '../db/connect.ts';

/** Sessions of the projects a unit organises, with how many taps and attendees each has. */
export async function listSessions(db: DB, institutionId: string) {
  return db
    .selectFrom('sessions')
    .innerJoin('projects', 'projects.id', 'sessions.project_id')
    .select((eb) => [
      'sessions.id',
      'sessions.title',
      'sessions.venue',
      'sessions.starts_at as startsAt',
      'sessions.ends_at as endsAt',
      'projects.name as projectName',
      'projects.number as projectNumber',
      eb.selectFrom('taps').whereRef('taps.session_id', '=', 'sessions.id').select(eb.fn.countAll<number>().as('n')).as('tapCount'),
      eb.selectFrom('attendance').whereRef('attendance.session_id', '=', 'sessions.id').select(eb.fn.countAll<number>().as('n')).as('attendeeCount'),
    ])
    .where('projects.organiser_id', '=', institutionId)
    .orderBy('sessions.starts_at', 'desc')
    .execute();
}
