// Issue 11's end to end for the national project list: the province office imports the list
// (国家级继续医学教育项目导入模版) through the exchange's HTTP API, as its page would send it, and the
// organising hospital's admin then finds the project in Chromium and gives a session of it a kiosk.
import { addDays, chinaDate } from '@opencme/core';
import { expect, test } from '@playwright/test';
import { adminCookie, ServerProcess, signedIn } from './server.ts';

const server = new ServerProcess();
test.afterAll(() => server.dispose());

const DEMO_KIOSK = '演示签到机（学术报告厅）';
const HOSPITAL = '合肥市第一人民医院（演示）';

async function send(route: string, cookie: string, body?: FormData) {
  const res = await fetch(`${server.url}${route}`, { method: 'POST', headers: { cookie, 'x-opencme-upload': '1' }, ...(body ? { body } : {}) });
  return { status: res.status, body: (await res.json()) as { previewId?: string; batchId?: string; summary?: Record<string, number> } };
}

test('the province imports the national project list, and the organiser gives a session of one a kiosk', async ({ browser }) => {
  await server.start();
  const first = addDays(chinaDate(new Date()), 14);
  const last = addDays(first, 1);
  const list = [
    '项目编号,项目名称,负责人,主办单位,举办起止日期,举办地点,学分,学员人数',
    `2026-04-01-017(国),心血管介入诊疗新技术学习班,张三,${HOSPITAL},${first}至${last},合肥市,8,150`,
  ].join('\r\n');
  const form = new FormData();
  form.append('file', new Blob([`\ufeff${list}\r\n`]), '国家级项目.csv');
  const province = await adminCookie(server.url, 'province');
  const preview = await send('/api/exchange/national-projects/preview', province, form);
  expect(preview.status).toBe(200);
  expect(preview.body.summary).toEqual({ create: 1, update: 0, unchanged: 0, rejected: 0 });
  const committed = await send(`/api/exchange/previews/${preview.body.previewId}/commit`, province);
  expect(committed.status).toBe(200);

  const admin = await signedIn(browser, server.url, '/admin/projects', 'admin');
  await admin.getByRole('link', { name: '心血管介入诊疗新技术学习班' }).click();
  await expect(admin.getByTestId('project-status')).toHaveText('已批准');
  const sessions = admin.getByTestId('session');
  await expect(sessions).toHaveCount(2);
  await sessions.first().getByRole('combobox', { name: '分配签到机' }).selectOption({ label: DEMO_KIOSK });
  await expect(sessions.first()).toContainText(DEMO_KIOSK);
});
