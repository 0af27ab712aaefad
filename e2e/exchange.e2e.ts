// The staff import as a unit admin does it: download the template, fill it (500 people, written
// by the test into the downloaded file), upload, see the preview with one error, fix it, import
// 500 people and find them in the staff list; the same file again shows "no changes" (无变化);
// the batch is undone. The page is photographed at a phone's and a desktop's size.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, type Page, type TestInfo, test } from '@playwright/test';
import { fillStaffTemplate, nameFor } from '../apps/server/test/exchange/files.ts';
import { checkLayout, keepScreenshot, resize, SIZES } from './layout.ts';
import { ServerProcess, signedIn } from './server.ts';

let server: ServerProcess;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-exchange-'));

test.beforeAll(async () => {
  server = new ServerProcess();
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function photograph(page: Page, testInfo: TestInfo, view: string) {
  for (const size of SIZES.filter((s) => s.name === 'phone' || s.name === 'desktop')) {
    await resize(page, size);
    await checkLayout(page, `${view} at ${size.name}`);
    await keepScreenshot(page, testInfo, `${view}-${size.name}`);
  }
  await resize(
    page,
    SIZES.find((s) => s.name === 'desktop')!,
  );
}

const PEOPLE = 500;
const DEPARTMENTS = ['心血管内科', '呼吸内科', '导入新科室'];

test('a unit admin imports 500 staff from the template, imports them again without changes, and undoes the batch', async ({ browser }, testInfo) => {
  test.setTimeout(240_000);
  const admin = await signedIn(browser, server.url, '/admin/exchange', 'admin');
  await expect(admin.getByRole('heading', { name: '批量导入', level: 1 }).first()).toBeVisible();

  const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('import-template').click()]);
  expect(download.suggestedFilename()).toBe('人员导入模板.xlsx');
  const template = fs.readFileSync(await download.path());
  const file = path.join(dir, '人员导入.xlsx');
  // Row 101 (as Excel numbers it) with a typo in the ID number's last character.
  fs.writeFileSync(file, await fillStaffTemplate(template, { first: 5000, count: PEOPLE, departments: DEPARTMENTS, typoAt: 101 }));

  await admin.getByTestId('import-file').setInputFiles(file);
  await admin.getByTestId('import-preview').click();
  await expect(admin.getByTestId('import-summary')).toHaveText(`新增 ${PEOPLE - 1} · 更新 0 · 无变化 0 · 有错误 1`);
  const errors = admin.getByTestId('import-errors');
  await expect(errors.locator('tbody tr')).toHaveCount(1);
  await expect(errors.locator('tbody tr')).toContainText('101');
  await expect(errors.locator('tbody tr')).toContainText('身份证号校验位不正确');
  await expect(admin.getByTestId('import-commit')).toBeDisabled();
  await expect(admin.getByText('将新建科室“导入新科室”')).toBeVisible();
  await photograph(admin, testInfo, 'exchange-preview-with-error');

  fs.writeFileSync(file, await fillStaffTemplate(template, { first: 5000, count: PEOPLE, departments: DEPARTMENTS }));
  await admin.getByTestId('import-file').setInputFiles(file);
  await admin.getByTestId('import-preview').click();
  await expect(admin.getByTestId('import-summary')).toHaveText(`新增 ${PEOPLE} · 更新 0 · 无变化 0 · 有错误 0`);
  await admin.getByTestId('import-commit').click();
  await expect(admin.getByText(`已导入：新增${PEOPLE}，更新0`)).toBeVisible({ timeout: 30_000 });
  const batches = admin.getByTestId('import-batches');
  await expect(batches.locator('tbody tr').first()).toContainText('人员导入.xlsx');
  await expect(batches.locator('tbody tr').first()).toContainText(`${PEOPLE} / 0 / 0`);

  await admin.goto(`${server.url}/admin/staff?q=${encodeURIComponent('导入')}`);
  await expect(admin.getByTestId('staff-page')).toContainText(`共${PEOPLE}人`);
  await expect(admin.getByTestId('staff')).toContainText(nameFor(5000));

  await admin.goto(`${server.url}/admin/exchange`);
  await admin.getByTestId('import-file').setInputFiles(file);
  await admin.getByTestId('import-preview').click();
  await expect(admin.getByTestId('import-summary')).toHaveText(`新增 0 · 更新 0 · 无变化 ${PEOPLE} · 有错误 0`);
  await expect(admin.getByTestId('import-no-changes')).toContainText('无变化');
  await expect(admin.getByTestId('import-commit')).toBeDisabled();
  await photograph(admin, testInfo, 'exchange-no-changes');

  await batches.getByTestId('import-undo').first().click();
  await admin.getByRole('alertdialog').or(admin.getByRole('dialog')).getByRole('button', { name: '撤销' }).click();
  await expect(admin.getByText('已撤销这次导入')).toBeVisible();
  await expect(batches.locator('tbody tr').first()).toContainText('撤销');
  await expect(batches.getByTestId('import-undo')).toHaveCount(0);
  await admin.goto(`${server.url}/admin/staff?q=${encodeURIComponent('导入')}`);
  await expect(admin.getByTestId('staff-page')).toContainText('共0人');
});
