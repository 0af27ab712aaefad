// Issue 11's end to end for the national project list: the province office imports the list
// (国家级继续医学教育项目导入模版) through its import page in Chromium, and the organising hospital's
// admin then finds the project and gives a session of it a kiosk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addDays, chinaDate } from '@opencme/core';
import { expect, test } from '@playwright/test';
import { ServerProcess, signedIn } from './server.ts';

const server = new ServerProcess();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-national-'));
test.afterAll(async () => {
  await server.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const DEMO_KIOSK = '演示签到机（学术报告厅）';
const HOSPITAL = '合肥市第一人民医院（演示）';

test('the province imports the national project list on its page, and the organiser gives a session of one a kiosk', async ({ browser }) => {
  await server.start();
  const first = addDays(chinaDate(new Date()), 14);
  const last = addDays(first, 1);
  const list = [
    '项目编号,项目名称,负责人,主办单位,举办起止日期,举办地点,学分,学员人数',
    `2026-04-01-017(国),心血管介入诊疗新技术学习班,张三,${HOSPITAL},${first}至${last},合肥市,8,150`,
  ].join('\r\n');
  const file = path.join(dir, '国家级项目.csv');
  fs.writeFileSync(file, `\ufeff${list}\r\n`);

  const province = await signedIn(browser, server.url, '/admin/exchange', 'province');
  // The province is offered the national list (and no unit to choose for it: it goes into the province).
  await province.getByTestId('import-kind').selectOption({ label: '国家级继续医学教育项目' });
  await expect(province.getByTestId('import-unit')).toHaveCount(0);
  await expect(province.getByTestId('import-scope')).toHaveText('导入到本省');
  const [download] = await Promise.all([province.waitForEvent('download'), province.getByTestId('import-template').click()]);
  expect(download.suggestedFilename()).toBe('国家级继续医学教育项目导入模版.xlsx');

  await province.getByTestId('import-file').setInputFiles(file);
  await province.getByTestId('import-preview').click();
  await expect(province.getByTestId('import-summary')).toHaveText('新增 1 · 更新 0 · 无变化 0 · 有错误 0');
  await province.getByTestId('import-commit').click();
  await expect(province.getByText('已导入：新增1，更新0')).toBeVisible();
  const batches = province.getByTestId('import-batches');
  await expect(batches.locator('tbody tr')).toHaveCount(1);
  await expect(batches.locator('tbody tr').first()).toContainText('国家级项目.csv');
  await expect(batches.locator('tbody tr').first()).toContainText('国家级继续医学教育项目');

  const admin = await signedIn(browser, server.url, '/admin/projects', 'admin');
  await admin.getByRole('link', { name: '心血管介入诊疗新技术学习班' }).click();
  await expect(admin.getByTestId('project-status')).toHaveText('已批准');
  const sessions = admin.getByTestId('session');
  await expect(sessions).toHaveCount(2);
  await sessions.first().getByRole('combobox', { name: '分配签到机' }).selectOption({ label: DEMO_KIOSK });
  await expect(sessions.first()).toContainText(DEMO_KIOSK);

  // A unit admin is offered her staff and outside credits, never the province's list.
  await admin.goto(`${server.url}/admin/exchange`);
  await expect(admin.getByTestId('import-kind').locator('option')).toHaveText(['人员', '外部学分（远程教育等）']);
});
