// Issue 12 end to end in Chromium on a phone (390×844): a nurse registers with a password, the
// department reviewer approves her in another browser, she signs in to her own pages (/me) with
// her ID number, claims a credit, sees her standing rise once the claim is approved, and downloads
// her own credit proof, which /verify accepts. Her pages are kept as screenshots at phone and
// desktop size.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, expect, type Page, test } from '@playwright/test';
import { printedCode } from '../apps/server/test/pdf.ts';
import { checkLayout, keepScreenshot } from './layout.ts';
import { phonePhoto } from './photo.ts';
import { adminCookie, adminQuery, cspViolations, ServerProcess, signedIn } from './server.ts';

const server = new ServerProcess();
// The second test signs in as the nurse the first one registered.
test.describe.configure({ mode: 'serial' });
test.beforeAll(() => server.start());
test.afterAll(() => server.dispose());

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' } as const;
const ID_NUMBER = '110105199003070017';
const PASSWORD = 'lin-xiao-2026!';
// A real 1×1 PNG: the server checks evidence by its bytes, not its name.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

/** The unit admin's console open on 林晓's page. */
async function adminOnHerPage(browser: Browser): Promise<Page> {
  const cookie = await adminCookie(server.url);
  const me = await adminQuery<{ organisationId: string }>(server.url, cookie, 'auth.me', undefined);
  const found = await adminQuery<{ rows: { id: string }[] }>(server.url, cookie, 'registry.staff', { organisationId: me.organisationId, query: '林晓' });
  return signedIn(browser, server.url, `/admin/staff/${found.rows[0]!.id}`, 'admin');
}

async function register(phone: Page) {
  await phone.goto(`${server.url}/register`);
  const photo = await phonePhoto(phone);
  await phone.getByLabel('单位').first().fill('第一人民医院');
  await phone.getByRole('combobox', { name: '单位' }).selectOption({ label: '合肥市第一人民医院（演示）' });
  await phone.getByLabel('科室').selectOption({ label: '心血管内科' });
  await phone.getByLabel('姓名').fill('林晓');
  await phone.getByLabel('身份证号').fill(ID_NUMBER);
  await phone.getByLabel('手机号').fill('13955500001');
  await phone.getByLabel('登录密码').fill(PASSWORD);
  await phone.getByLabel('再次输入密码').fill(PASSWORD);
  await phone.getByLabel('护', { exact: true }).check();
  await phone.getByLabel('职称').selectOption('护师');
  await phone.getByLabel('学历').selectOption('本科');
  await phone.getByTestId('photo-file').setInputFiles({ name: 'IMG_20261123_0815.jpg', mimeType: 'image/jpeg', buffer: photo });
  await expect(phone.getByTestId('photo-result')).toContainText('KB');
  await phone.getByRole('button', { name: '提交注册' }).click();
  await expect(phone.getByTestId('registration-status')).toHaveAttribute('data-status', 'pending');
}

async function approveClaim(browser: Browser, login: string, description: string) {
  const page = await signedIn(browser, server.url, '/admin/claims', login);
  await page.getByRole('checkbox', { name: description }).check();
  await page.getByLabel('审核意见（退回时必填）').fill('材料齐全');
  await page.getByRole('button', { name: '通过所选' }).click();
  await expect(page.getByText('没有待审核的申报')).toBeVisible();
  await page.context().close();
}

test('a nurse registers with a password, is approved, signs in with her ID number, claims, sees her standing rise and prints a proof /verify accepts', async ({
  browser,
}, testInfo) => {
  test.setTimeout(240_000);
  const phone = await (await browser.newContext(PHONE)).newPage();
  const refused = cspViolations(phone);
  await register(phone);

  // The department reviewer approves her, in a browser of his own.
  const reviewer = await signedIn(browser, server.url, '/admin/review', 'reviewer');
  const row = reviewer.getByTestId('review-queue').locator('tr', { hasText: '林晓' });
  await row.getByRole('button', { name: '通过' }).click();
  await expect(reviewer.getByTestId('issued')).toContainText('林晓');
  await reviewer.context().close();

  // Her status page points to her own pages; she signs in there with her ID number.
  await phone.reload();
  await expect(phone.getByTestId('registration-status')).toHaveAttribute('data-status', 'approved');
  await phone.getByRole('link', { name: '我的学分' }).click();
  await phone.getByLabel('身份证号', { exact: false }).fill(ID_NUMBER);
  await phone.getByLabel('密码', { exact: true }).fill(PASSWORD);
  await phone.getByRole('button', { name: '登录' }).click();
  await expect(phone.getByTestId('my-profile')).toContainText('林晓');
  await expect(phone.getByTestId('my-profile')).toContainText('110***********0017');
  await expect(phone.getByTestId('my-total')).toHaveText('0');
  await expect(phone.getByTestId('my-explanation')).toContainText('还需');
  await checkLayout(phone, '/me at 390×844');

  // She claims a paper from the claims page of her navigation.
  const description = '论文：急诊分诊的护理质量改进';
  await phone.getByRole('link', { name: '学分申报' }).click();
  await phone.getByLabel('类别').selectOption({ label: '发表论文' });
  await phone.getByLabel('学分', { exact: true }).fill('3');
  await phone.getByLabel('说明').fill(description);
  await phone.getByLabel(/^证明材料/).setInputFiles({ name: '论文首页.png', mimeType: 'image/png', buffer: PNG });
  await phone.getByRole('button', { name: '提交申报' }).click();
  await expect(phone.getByRole('status')).toHaveText('已提交，等待审核');

  await approveClaim(browser, 'reviewer', description);
  await approveClaim(browser, 'admin', description);

  // Her standing has risen by the claim.
  await phone.getByRole('link', { name: '学分达标' }).click();
  await expect(phone.getByTestId('my-total')).toHaveText('3');
  await expect(phone.getByTestId('my-entries')).toContainText('发表论文');

  // Her own credit proof, downloaded on the phone.
  await phone.getByRole('link', { name: '证书与证明' }).click();
  await phone.getByRole('button', { name: '打印我的学分证明' }).click();
  const [download] = await Promise.all([phone.waitForEvent('download'), phone.getByTestId('my-proof-download').click()]);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-nurse-')), 'proof.pdf');
  await download.saveAs(file);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  expect(text).toContain('林晓');
  const code = printedCode(text);

  // Her pages as she sees them, on the phone and on a desktop.
  for (const [route, ready] of [
    ['/me', 'my-standing'],
    ['/me/attendance', null],
    ['/me/proofs', null],
    ['/claims', 'my-claims'],
  ] as const) {
    await phone.goto(`${server.url}${route}`);
    if (ready) await expect(phone.getByTestId(ready)).toBeVisible();
    else await expect(phone.getByRole('heading', { level: 1 })).toBeVisible();
    await checkLayout(phone, `${route} at 390×844`);
    const name = route.replaceAll('/', '-').slice(1);
    await keepScreenshot(phone, testInfo, `nurse-${name}-phone`);
    await phone.setViewportSize({ width: 1366, height: 900 });
    await keepScreenshot(phone, testInfo, `nurse-${name}-desktop`);
    await phone.setViewportSize(PHONE.viewport);
  }

  // Whoever receives the proof checks it on /verify.
  const verifier = await (await browser.newContext()).newPage();
  await verifier.goto(`${server.url}/verify`);
  await verifier.getByLabel('二维码内容').fill(code);
  await verifier.getByRole('button', { name: '核验', exact: true }).click();
  await expect(verifier.getByTestId('verify-result')).toContainText('签名有效');
  await expect(verifier.getByTestId('verify-name')).toHaveText('林晓');
  await expect(verifier.getByTestId('verify-total')).toHaveText('3');
  expect(refused).toEqual([]);
});

test('the unit admin hands the nurse a one-time code; she signs in with it and must set a new password first; the admin makes a reviewer account for her', async ({
  browser,
}) => {
  const admin = await adminOnHerPage(browser);
  await admin.getByTestId('person').getByRole('button', { name: '重置密码' }).click();
  await admin.getByRole('dialog', { name: '请确认' }).getByRole('button', { name: '重置密码' }).click();
  const code = (await admin.getByTestId('reset-code').locator('.digits').textContent())!.trim();
  expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);

  const phone = await (await browser.newContext(PHONE)).newPage();
  await phone.goto(`${server.url}/me`);
  await phone.getByLabel('身份证号', { exact: false }).fill(ID_NUMBER);
  await phone.getByLabel('密码', { exact: true }).fill(code);
  await phone.getByRole('button', { name: '登录' }).click();
  // Nothing but the new password: no current one asked (the code stood for it), no page behind.
  await expect(phone.getByRole('heading', { name: '请设置新密码' })).toBeVisible();
  await expect(phone.getByLabel('原密码')).toHaveCount(0);
  await expect(phone.getByTestId('my-profile')).toHaveCount(0);
  await phone.getByLabel('新密码（至少10位）').fill('lin-xiao-new-2026');
  await phone.getByRole('button', { name: '修改密码' }).click();
  await expect(phone.getByTestId('my-profile')).toContainText('林晓');

  // Her department's reviewer account, linked to her record, made from the console.
  await admin.goto(`${server.url}/admin/accounts`);
  await admin.getByLabel('角色').selectOption({ label: '科室审核' });
  await admin.getByLabel('科室').selectOption({ label: '心血管内科' });
  await admin.getByLabel('用户名').fill('linxiao-review');
  await admin.getByLabel('显示名称').fill('林晓（审核）');
  await admin.getByLabel('按姓名查找本人').fill('林晓');
  await admin.getByLabel('本人（人员信息库）').selectOption({ label: '林晓 · 心血管内科' });
  await admin.getByRole('button', { name: '创建' }).click();
  await expect(admin.getByTestId('initial-password')).toContainText('linxiao-review');
  await expect(admin.getByTestId('accounts').locator('tr', { hasText: 'linxiao-review' })).toContainText('林晓');
});

test('the unit admin reverses her claimed credit with a reason: the entry reads 已撤销, her total drops; then voids her year; both reasons are on the audit log', async ({
  browser,
}) => {
  const admin = await adminOnHerPage(browser);
  const ledger = admin.getByTestId('ledger');
  await expect(ledger.getByTestId('ledger-total')).toContainText('合计 3 分');
  await ledger.getByTestId('ledger-entry').first().getByRole('button', { name: '撤销' }).click();
  const dialog = admin.getByRole('dialog', { name: '请确认' });
  const confirm = dialog.getByRole('button', { name: '撤销' });
  // A reason is required, and a word or two is not one.
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel('原因（至少4个字）').fill('论文重复申报');
  await confirm.click();
  await expect(admin.getByText('已撤销，学分已重新计算')).toBeVisible();
  await expect(ledger.getByTestId('ledger-entry').first()).toContainText('已撤销');
  await expect(ledger.getByTestId('ledger-entry').first()).toContainText('论文重复申报');
  await expect(ledger.getByTestId('ledger-total')).toContainText('合计 0 分');

  // Voiding the year asks with a warning and a reason too, then says so on the page.
  await ledger.getByRole('button', { name: /^作废\d{4}年度学分$/ }).click();
  const warning = admin.getByRole('dialog', { name: /^作废\d{4}年度学分$/ });
  await expect(warning).toContainText('不能恢复');
  await warning.getByLabel('原因（至少4个字）').fill('冒名签到');
  await warning.getByRole('button', { name: /^作废\d{4}年度学分$/ }).click();
  await expect(ledger.getByTestId('ledger-voided')).toContainText('冒名签到');
  await expect(ledger.getByRole('button', { name: /^作废/ })).toHaveCount(0);

  await admin.goto(`${server.url}/admin/audit`);
  await expect(admin.getByTestId('audit-log')).toContainText('论文重复申报');
  await expect(admin.getByTestId('audit-log')).toContainText('冒名签到');
});
