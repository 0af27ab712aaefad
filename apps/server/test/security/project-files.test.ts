// A project's files (办班通知, 日程安排, the report's attachments) and the province's statistics,
// attacked: another unit may neither download nor attach a project's files, nor read one file
// through a project of its own; a kiosk's token and nobody get nothing; the offices above the
// organiser, which review it, do get them. Statistics of another city or province are refused.
import { newId } from '@opencme/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_ADMIN, DEMO_ADMIN_B, DEMO_CITY, DEMO_PROVINCE } from '../../src/seed.ts';
import { type Client, startServer, type TestServer } from '../harness.ts';

vi.setConfig({ hookTimeout: 60_000, testTimeout: 60_000 });

let server: TestServer;
const cookies: Record<'admin' | 'otherUnit' | 'city' | 'province', string> = { admin: '', otherUnit: '', city: '', province: '' };
let as: Record<keyof typeof cookies, Client>;
let projectId: string;
let fileId: string;
let otherProjectId: string;
let kioskToken: string;
let provinceId: string;
let otherCityId: string;
let hospitalId: string;

const project = () => ({
  number: `S-${newId().slice(-8)}`,
  name: '安全测试项目',
  level: 'provincial' as const,
  creditClass: 'I' as const,
  credits: 1,
  venue: '报告厅',
  startsOn: '2026-12-20',
  endsOn: '2026-12-20',
  mode: 'onsite' as const,
  courses: [{ name: '讲座', startsAt: '2026-12-20T09:00:00+08:00', endsAt: '2026-12-20T11:00:00+08:00', credits: 1 }],
});
const PDF = { name: '办班通知.pdf', bytes: '%PDF-1.4\n%%EOF\n' };

beforeAll(async () => {
  server = await startServer();
  cookies.admin = await server.login(DEMO_ADMIN);
  cookies.otherUnit = await server.login(DEMO_ADMIN_B);
  cookies.city = await server.login(DEMO_CITY);
  cookies.province = await server.login(DEMO_PROVINCE);
  as = Object.fromEntries(Object.entries(cookies).map(([k, cookie]) => [k, server.client({ cookie })])) as typeof as;
  ({ projectId } = await as.admin.projects.declare.mutate(project()));
  await as.admin.projects.attachFiles.mutate({ projectId, kind: 'notice', uploads: await server.upload('attachment', [PDF], cookies.admin) });
  fileId = (await as.admin.projects.get.query({ projectId })).attachments[0]!.id;
  ({ projectId: otherProjectId } = await as.otherUnit.projects.declare.mutate(project()));
  kioskToken = (await server.demoKiosk()).token;
  const hospital = await server.db
    .selectFrom('organisations')
    .select(['id', 'parent_id'])
    .where('name', '=', '合肥市第一人民医院（演示）')
    .executeTakeFirstOrThrow();
  hospitalId = hospital.id;
  provinceId = (await server.db.selectFrom('organisations').select('parent_id').where('id', '=', hospital.parent_id!).executeTakeFirstOrThrow()).parent_id!;
  otherCityId = (await server.db.selectFrom('organisations').select('id').where('name', '=', '芜湖市').executeTakeFirstOrThrow()).id;
});
afterAll(() => server.close());

const fileRoute = (project: string, file: string) => `/api/files/projects/${project}/files/${file}`;

describe('a project’s files', () => {
  it('go to the organiser and the offices that review it', async () => {
    for (const who of ['admin', 'city', 'province'] as const) {
      const { res, bytes } = await server.download(fileRoute(projectId, fileId), cookies[who]);
      expect(res.status, who).toBe(200);
      expect(bytes.toString()).toBe(PDF.bytes);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment;/);
    }
  });

  it('are refused to another unit, to a kiosk and to nobody', async () => {
    expect((await server.download(fileRoute(projectId, fileId), cookies.otherUnit)).res.status).toBe(403);
    expect((await server.download(fileRoute(projectId, fileId))).res.status).toBe(401);
    const kiosk = await fetch(`${server.url}${fileRoute(projectId, fileId)}`, { headers: { authorization: `Bearer ${kioskToken}` } });
    expect(kiosk.status).toBe(401);
  });

  it('cannot be read through a project of the attacker’s own', async () => {
    const { res, bytes } = await server.download(fileRoute(otherProjectId, fileId), cookies.otherUnit);
    expect(res.status).toBe(404);
    expect(bytes.toString()).not.toContain('%PDF');
  });

  it('cannot be attached, removed or cancelled by another unit, nor with another account’s upload', async () => {
    const mine = await server.upload('attachment', [PDF], cookies.otherUnit);
    await expect(as.otherUnit.projects.attachFiles.mutate({ projectId, kind: 'notice', uploads: mine })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    await expect(as.otherUnit.projects.removeFile.mutate({ projectId, fileId })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    await expect(as.otherUnit.projects.cancel.mutate({ projectId, reason: '恶意' })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    // An upload id of another account is as good as none, even to the project's own organiser.
    await expect(as.admin.projects.attachFiles.mutate({ projectId, kind: 'schedule', uploads: mine })).rejects.toThrow(
      'uploads.uploaded-file-no-longer-choose',
    );
    expect((await as.admin.projects.get.query({ projectId })).attachments).toHaveLength(1);
  });
});

describe('statistics (统计报表)', () => {
  it('of another city or province, or of another unit, are refused on screen and as a file', async () => {
    const refused = [
      [as.city, otherCityId],
      [as.city, provinceId],
      [as.otherUnit, hospitalId],
    ] as const;
    for (const [client, organisationId] of refused) {
      await expect(client.standing.statistics.query({ organisationId, cmeYear: 2026 })).rejects.toMatchObject({ data: { code: 'FORBIDDEN' } });
    }
    expect((await server.download(`/api/files/organisations/${provinceId}/statistics/2026`, cookies.city)).res.status).toBe(403);
    expect((await server.download(`/api/files/organisations/${hospitalId}/statistics/2026`, cookies.otherUnit)).res.status).toBe(403);
    expect((await server.download(`/api/files/organisations/${provinceId}/statistics/2026`)).res.status).toBe(401);
    expect((await server.download(`/api/files/organisations/${provinceId}/statistics/2026`, cookies.province)).res.status).toBe(200);
  });
});
