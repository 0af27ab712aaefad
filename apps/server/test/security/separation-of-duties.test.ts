// Separation of duties on a CME project (issue 9): the account that declared and submitted a
// project may not approve it, nor approve the credits it submitted. A unit's own project is
// reviewed by the unit's CME office, so the same office acts on both sides: through two accounts.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_ADMIN, DEMO_DIRECTOR } from '../../src/seed.ts';
import { type Client, startServer, type TestServer } from '../harness.ts';

// Seeding the demo and hashing passwords is slow when other work shares the two cores.
vi.setConfig({ hookTimeout: 60_000, testTimeout: 60_000 });

let server: TestServer;
let organiser: Client;
let director: Client;

/** Moves the server's clock and signs both accounts in again (sign-ins expire as time passes). */
async function at(iso: string) {
  server.clock.now = new Date(iso);
  organiser = server.client({ cookie: await server.login(DEMO_ADMIN) });
  director = server.client({ cookie: await server.login(DEMO_DIRECTOR) });
}

beforeAll(async () => {
  server = await startServer();
  await at('2026-11-22T02:00:00Z');
});
afterAll(() => server.close());

const unitProject = (number: string) => ({
  number,
  name: '心内科病例讨论会',
  level: 'unit' as const,
  creditClass: 'II' as const,
  credits: 1,
  venue: '内科楼三楼示教室',
  startsOn: '2026-12-10',
  endsOn: '2026-12-10',
  mode: 'onsite' as const,
  courses: [{ name: '急性心梗病例', startsAt: '2026-12-10T09:00:00+08:00', endsAt: '2026-12-10T11:00:00+08:00', credits: 1 }],
});

/** Declares and submits a unit project as the organiser. */
async function submitted(number: string): Promise<string> {
  await at('2026-11-22T02:00:00Z');
  const { projectId } = await organiser.projects.declare.mutate(unitProject(number));
  await organiser.projects.submit.mutate({ projectId });
  return projectId;
}

describe('a unit’s own project', () => {
  it('cannot be approved by the account that declared and submitted it; another account of the office can', async () => {
    const projectId = await submitted('2026-SOD-001');
    await expect(organiser.projects.review.mutate({ projectId, decision: 'approve', reason: null })).rejects.toThrow('projects.took-part-in-declaring-running');
    expect((await organiser.projects.get.query({ projectId })).project.status).toBe('submitted');
    expect(await director.projects.review.mutate({ projectId, decision: 'approve', reason: null })).toEqual({ status: 'approved' });
  });

  it('cannot be rejected by its own organiser either: a decision on it is never the organiser’s', async () => {
    const projectId = await submitted('2026-SOD-002');
    await expect(organiser.projects.review.mutate({ projectId, decision: 'reject', reason: '自行退回' })).rejects.toThrow(
      'projects.took-part-in-declaring-running',
    );
    expect(await director.projects.review.mutate({ projectId, decision: 'reject', reason: '课程安排不完整' })).toEqual({ status: 'rejected' });
  });

  it('has its credits approved by another account than the one that submitted them, and the history shows both', async () => {
    const projectId = await submitted('2026-SOD-003');
    await director.projects.review.mutate({ projectId, decision: 'approve', reason: null });
    await at('2026-12-11T02:00:00Z');
    await organiser.projects.report.mutate({ projectId, summary: '按计划举办', attachments: [] });
    await organiser.projects.submitCredits.mutate({ projectId });
    await expect(organiser.projects.reviewCredits.mutate({ projectId, decision: 'approve', reason: null })).rejects.toThrow(
      'projects.took-part-in-declaring-running',
    );
    expect((await organiser.projects.get.query({ projectId })).project.status).toBe('credits-submitted');
    await director.projects.reviewCredits.mutate({ projectId, decision: 'approve', reason: null });

    const { project, events } = await organiser.projects.get.query({ projectId });
    expect(project.status).toBe('credits-approved');
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ['declare', '医教科管理员'],
      ['submit', '医教科管理员'],
      ['approve:unit', '医教科主任'],
      ['report', '医教科管理员'],
      ['submit-credits', '医教科管理员'],
      ['approve-credits', '医教科主任'],
    ]);
  });
});
