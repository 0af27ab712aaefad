// Issue 6 end to end in Chromium: a staff member claims credits with evidence, the department
// reviewer and the unit approve it, the staff member's standing moves, the unit prints the
// department's proofs as one PDF with a progress bar, runs and submits its verification, and
// /verify accepts one of the proofs offline.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, expect, test } from '@playwright/test';
import { printedCode } from '../apps/server/test/pdf.ts';
import { ServerProcess, signedIn as signedInAt } from './server.ts';

const server = new ServerProcess();
test.beforeAll(() => server.start());
test.afterAll(() => server.dispose());

// A real 1×1 PNG: the server checks evidence by its bytes, not its name.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

const signedIn = (browser: Browser, pathName: string, login: string) => signedInAt(browser, server.url, pathName, login);

async function approveAll(browser: Browser, login: string, description: string) {
  const page = await signedIn(browser, '/admin/claims', login);
  await page.getByRole('checkbox', { name: description }).check();
  await page.getByLabel('审核意见（退回时必填）').fill('材料齐全');
  await page.getByRole('button', { name: '通过所选' }).click();
  await expect(page.getByText('没有待审核的申报')).toBeVisible();
  await page.context().close();
}

test('a claim climbs the review chain, the standing updates, the department prints, and /verify accepts a proof offline', async ({ browser }) => {
  const description = '论文：县域胸痛中心的建设与随访';
  const staff = await signedIn(browser, '/claims', 'staff');
  const before = Number(await staff.getByTestId('standing-total').textContent());
  await staff.getByLabel('类别').selectOption({ label: '发表论文' });
  await staff.getByLabel('学分', { exact: true }).fill('3');
  await staff.getByLabel('说明').fill(description);
  await staff.getByLabel('证明材料（JPG、PNG或PDF，每个不超过10MB）').setInputFiles({ name: '论文首页.png', mimeType: 'image/png', buffer: PNG });
  await staff.getByRole('button', { name: '提交申报' }).click();
  await expect(staff.getByRole('status')).toHaveText('已提交，等待审核');
  await expect(staff.getByTestId('claim-status').first()).toContainText('审核中（科室）');

  await approveAll(browser, 'reviewer', description);
  await staff.reload();
  await expect(staff.getByTestId('claim-status').first()).toContainText('审核中（单位）');
  await expect(staff.getByTestId('standing-total')).toHaveText(String(before));

  await approveAll(browser, 'admin', description);
  await staff.reload();
  await expect(staff.getByTestId('claim-status').first()).toContainText('已通过');
  await expect(staff.getByTestId('standing-total')).toHaveText(String(before + 3));
  // Queries go as POST, as the app sends them (the server refuses GET).
  const mine = (await (await staff.request.post(`${server.url}/trpc/claims.mine`, { headers: { 'content-type': 'application/json' }, data: '{}' })).json()) as {
    result: { data: { json: { personId: string; cmeYear: number } } };
  };
  const { personId, cmeYear } = mine.result.data.json;
  const standing = (await (
    await staff.request.post(`${server.url}/trpc/standing.person`, {
      headers: { 'content-type': 'application/json' },
      data: JSON.stringify({ json: { personId, cmeYear } }),
    })
  ).json()) as { result: { data: { json: { name: string; departmentId: string } } } };
  const { name } = standing.result.data.json;

  // The staff member prints their own proof.
  await staff.getByRole('button', { name: '打印我的学分证明' }).click();
  const [mineDownload] = await Promise.all([staff.waitForEvent('download'), staff.getByTestId('my-proof-download').click()]);
  expect(mineDownload.suggestedFilename()).toBe(`学分证明-${name}-${cmeYear}.pdf`);

  // The unit prints the staff member's department: one PDF, progress shown until it is ready.
  const admin = await signedIn(browser, '/admin/proofs', 'admin');
  // This spec runs in the headless shell, which has no PDF viewer, as a phone's browser has none: a
  // PDF framed in the page would be saved as a file named after its blob, so the page must not
  // frame one there, and every file saved is a proof by its name.
  const saved: string[] = [];
  admin.on('download', (d) => saved.push(d.suggestedFilename()));
  await admin.getByLabel('科室').selectOption({ label: '心血管内科' });
  await admin.getByRole('button', { name: '打印本科室学分证明' }).click();
  const progress = admin.getByTestId('print-progress');
  await expect(admin.getByTestId('print-download')).toBeVisible({ timeout: 60_000 });
  expect(await progress.getAttribute('value')).toBe(await progress.getAttribute('max'));
  const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('print-download').click()]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-credits-')), 'department.pdf');
  await download.saveAs(file);
  const pages = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).split('\f');
  expect(pages.length - 1).toBe(Number(await progress.getAttribute('max')));
  const own = pages.find((p) => p.includes(name))!;
  expect(own).toContain(description);
  const code = printedCode(own);

  // One person's proof from the same page.
  await admin.getByLabel('按姓名查找').fill(name);
  await admin.getByTestId('print-matches').getByRole('button', { name, exact: true }).first().click();
  await admin.getByRole('button', { name: '打印学分证明' }).click();
  await expect(admin.getByText('正在生成 1 / 1')).toBeVisible({ timeout: 30_000 });
  const [single] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('print-download').click()]);
  expect(single.suggestedFilename()).toBe(`学分证明-${name}-${cmeYear}.pdf`);
  expect(await admin.evaluate(() => navigator.pdfViewerEnabled)).toBe(false);
  await expect(admin.getByTestId('print-preview')).toHaveCount(0);
  expect(saved.length).toBe(2);
  for (const fileName of saved) expect(fileName).toMatch(/^学分证明-.*\.pdf$/);

  // The unit's verification and compliance: a bar per department, the run submitted and frozen.
  await admin.goto(`${server.url}/admin/compliance`);
  await expect(admin.getByTestId('compliance-chart').locator('svg')).toBeVisible();
  await expect(admin.getByTestId('compliance-chart')).toContainText('心血管内科');
  await expect(admin.getByTestId('forecast').locator('tbody tr').first()).toContainText('未达标：还需');
  await admin.getByRole('button', { name: '进行年终审验' }).click();
  await expect(admin.getByText('审验结果 · 进行年终审验 · 未上报')).toBeVisible();
  await admin.getByRole('button', { name: '上报市州' }).click();
  await expect(admin.getByText('审验结果 · 进行年终审验 · 已上报市州（已冻结）')).toBeVisible();
  await expect(admin.getByRole('button', { name: '上报市州' })).toHaveCount(0);
  // The city forwards the unit's submitted verification to the province.
  const cityPage = await signedIn(browser, '/admin/compliance', 'city');
  const runRow = cityPage.getByTestId('runs').locator('tbody tr', { hasText: '进行年终审验' });
  // Each level's state in its row (the province's decision is e2e/verification-handoff.e2e.ts's).
  await expect(runRow).toContainText('单位已上报（');
  await expect(runRow).toContainText('等待市州转报');
  await runRow.getByRole('button', { name: '转报省继教办' }).click();
  await expect(runRow).toContainText('市州已转报（');
  await expect(runRow).toContainText('等待省级备案');
  await cityPage.context().close();

  // The recipient: one online visit to /verify, then the server goes away.
  const verifier = await (await browser.newContext()).newPage();
  await verifier.goto(`${server.url}/verify`);
  await expect(verifier.getByTestId('verify-keys')).toContainText('验证密钥已保存于本设备');
  await verifier.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await server.stop();
  await verifier.reload();
  await verifier.getByLabel('二维码内容').fill(code);
  await verifier.getByRole('button', { name: '核验', exact: true }).click();
  await expect(verifier.getByTestId('verify-result')).toContainText('签名有效');
  await expect(verifier.getByTestId('verify-name')).toHaveText(name);
  await expect(verifier.getByTestId('verify-total')).toHaveText(String(before + 3));
  await expect(verifier.getByTestId('verify-revocation')).toContainText('离线核验 — 未检查是否已撤销');
});
