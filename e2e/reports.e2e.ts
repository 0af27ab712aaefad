// A hospital admin's reports: the compliance page (the unit's rate, a chart per department and one
// through the year, the staff list paged with a department column, filters kept in the address,
// the filtered list exported as .xlsx, approved staff only) and the proofs page (a person found by
// part of a name, "done" when the batch is done, the PDF previewed in the page, the unit's seal
// uploaded and printed in the seal area), and /verify taking a code pasted over several lines.
// The proofs page with its preview is photographed on a desktop and an upright tablet (each page
// as first opened, at every size: every-page.e2e.ts).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, type Page, type TestInfo, test } from '@playwright/test';
import { printedCode, redInSealArea, redStamp, sheetRows } from '../apps/server/test/pdf.ts';
import { checkLayout, keepScreenshot, resize, SIZES } from './layout.ts';
import { ServerProcess, signedIn } from './server.ts';

let server: ServerProcess;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-reports-'));

test.beforeAll(async () => {
  server = new ServerProcess();
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The page as it is now at a desktop's and an upright tablet's size: it fits, nothing overlaps, a screenshot is kept. */
async function photograph(page: Page, testInfo: TestInfo, view: string) {
  for (const size of SIZES.filter((s) => s.name === 'desktop' || s.name === 'tablet-portrait')) {
    await resize(page, size);
    await checkLayout(page, `${view} at ${size.name}`);
    await keepScreenshot(page, testInfo, `${view}-${size.name}`);
  }
}

test('the compliance page: rate, charts, paged list with departments, filters in the address, xlsx export', async ({ browser }) => {
  const admin = await signedIn(browser, server.url, '/admin/compliance', 'admin');
  await expect(admin.getByTestId('hospital-rate')).toContainText(/本单位达标率\s*\d+(\.\d)?%/);
  const chart = admin.getByTestId('compliance-chart');
  await expect(chart.locator('svg')).toBeVisible();
  await expect(chart).toContainText('心血管内科');
  await expect(admin.getByTestId('compliance-trend').locator('svg')).toBeVisible();

  // The demo's 200 staff, not its registrants waiting for review.
  const list = admin.getByTestId('compliance-people');
  await expect(admin.getByTestId('compliance-page')).toHaveText('第1页，共200人');
  await expect(list.locator('thead')).toContainText('科室');
  await expect(list.locator('tbody tr')).toHaveCount(50);
  await admin.getByRole('link', { name: '下一页' }).click();
  await expect(admin).toHaveURL(/[?&]page=2/);
  await expect(admin.getByTestId('compliance-page')).toHaveText('第2页，共200人');

  // Filters go in the address and back to page 1; a reload keeps them.
  await admin.getByLabel('科室', { exact: true }).selectOption({ label: '心血管内科' });
  await admin.getByLabel('是否达标', { exact: true }).selectOption({ label: '未达标' });
  await expect(admin).toHaveURL(/[?&]result=no/);
  expect(admin.url()).toMatch(/[?&]department=/);
  expect(admin.url()).not.toMatch(/page=/);
  await admin.reload();
  await expect(admin.getByLabel('是否达标', { exact: true })).toHaveValue('no');
  const rows = list.locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  const shown = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
  expect(shown.every((r) => r[1] === '心血管内科' && r[6] === '未达标')).toBe(true);
  const total = Number((await admin.getByTestId('compliance-page').innerText()).match(/共(\d+)人/)![1]);

  // The export is the filtered list.
  const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByRole('button', { name: '导出Excel' }).click()]);
  expect(download.suggestedFilename()).toBe(`达标情况-${new Date().getFullYear()}.xlsx`);
  const sheet = await sheetRows(fs.readFileSync(await download.path()));
  expect(sheet[0]).toEqual(['姓名', '科室', '职称', 'Ⅰ类学分', 'Ⅱ类学分', '合计', '是否达标', '计入达标率']);
  expect(sheet).toHaveLength(total + 1);
  expect(sheet.slice(1).every((r) => r[1] === '心血管内科' && r[6] === '未达标')).toBe(true);
});

test('the proofs page: seal upload, search by name, done, preview; /verify takes a code pasted over lines', async ({ browser }, testInfo) => {
  const admin = await signedIn(browser, server.url, '/admin/proofs', 'admin');
  await expect(admin.getByText('尚未上传印章')).toBeVisible();
  await admin.getByLabel('上传印章图片').setInputFiles({ name: '公章.png', mimeType: 'image/png', buffer: await redStamp() });
  await expect(admin.getByText('印章已保存')).toBeVisible();
  await expect(admin.getByTestId('seal-image')).toBeVisible();

  // A person found by part of the name: a staff member of the first department, by the given name.
  const first = await admin.evaluate(async () => {
    const res = await fetch('/trpc/standing.departments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    return ((await res.json()) as { result: { data: { json: { id: string }[] } } }).result.data.json[0]!.id;
  });
  const name = await admin.evaluate(async (departmentId) => {
    const res = await fetch('/trpc/standing.organisation', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ json: { organisationId: departmentId, cmeYear: new Date().getFullYear() } }),
    });
    return ((await res.json()) as { result: { data: { json: { name: string }[] } } }).result.data.json[0]!.name;
  }, first);
  await admin.getByLabel('按姓名查找').fill(name.slice(1));
  await admin.getByTestId('print-matches').getByRole('button', { name, exact: true }).first().click();
  await expect(admin.getByTestId('print-person')).toContainText(name);
  await admin.getByRole('button', { name: '打印学分证明' }).click();
  await expect(admin.getByTestId('print-done')).toContainText('已完成', { timeout: 60_000 });

  // The preview is the PDF itself, in the page.
  const preview = admin.getByTestId('print-preview');
  await expect(preview).toBeVisible();
  const src = (await preview.getAttribute('src'))!;
  expect(src).toMatch(/^blob:/);
  // The frame holds that PDF (the page's policy lets no script read it back).
  await expect.poll(() => admin.frames().some((f) => f.url() === src)).toBe(true);

  // The downloaded proof bears the seal in its seal area and its code as text.
  const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('print-download').click()]);
  const file = path.join(dir, 'proof.pdf');
  await download.saveAs(file);
  expect(await redInSealArea(file)).toBeGreaterThan(0.05);
  const code = printedCode(execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }));
  expect(code).toMatch(/^OC1\./);

  // A whole department: "done" once every page is rendered.
  await admin.getByLabel('科室').selectOption({ label: '心血管内科' });
  await admin.getByRole('button', { name: '打印本科室学分证明' }).click();
  await expect(admin.getByTestId('print-done')).toContainText('已完成', { timeout: 90_000 });
  const progress = admin.getByTestId('print-progress');
  expect(await progress.getAttribute('value')).toBe(await progress.getAttribute('max'));
  await expect(preview).toBeVisible();
  await photograph(admin, testInfo, 'admin-proofs-printed');

  // The code pasted as a PDF reader copies it: broken over lines, with spaces.
  const pasted = code.match(/.{1,37}/g)!.join('\n  ') + ' \n';
  const verifier = await (await browser.newContext()).newPage();
  await verifier.goto(`${server.url}/verify`);
  await expect(verifier.getByTestId('verify-keys')).toContainText('验证密钥已保存于本设备');
  await verifier.getByLabel('二维码内容').fill(pasted);
  await verifier.getByRole('button', { name: '核验', exact: true }).click();
  await expect(verifier.getByTestId('verify-result')).toContainText('签名有效');
  await expect(verifier.getByTestId('verify-name')).toHaveText(name);
});
