// The pages as their users expect them. A registrant on a phone whose submission is refused sees
// the reason beside the field, on screen; the reviewer sees the registrant's photo; a draft project
// is amended and deleted, with the lead time beside its start date; the staff list finds a person
// by the last digits of a number, and its filters apply as soon as they are chosen, kept in the
// address. Screenshots of the registration page (phone) and the staff list (desktop) go to test-results/.
import { chinaDate } from '@opencme/core';
import { type BrowserContextOptions, devices, expect, test } from '@playwright/test';
import { phonePhoto } from './photo.ts';
import { cspViolations, demoMorning, ServerProcess, signedIn as signedInAt } from './server.ts';

const server = new ServerProcess();
const morning = demoMorning();
test.beforeAll(() => server.start({ clockStart: morning }));
test.afterAll(() => server.dispose());

const signedIn = (browser: import('@playwright/test').Browser, login: string, path = '/admin', context: BrowserContextOptions = {}) =>
  signedInAt(browser, server.url, path, login, context);
/** The China date so many days after the server's today. */
const inDays = (days: number) => chinaDate(new Date(morning.getTime() + days * 86_400_000));

test('on a phone, a refused registration shows its error beside the field and in view; the reviewer sees the photo', async ({ browser }, testInfo) => {
  const context = await browser.newContext({ ...devices['Pixel 7'], viewport: { width: 390, height: 844 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const phone = await context.newPage();
  const refused = cspViolations(phone);
  await phone.goto(`${server.url}/register`);
  await phone.getByLabel('单位').first().fill('第一人民医院');
  await phone.getByRole('combobox', { name: '单位' }).selectOption({ label: '合肥市第一人民医院（演示）' });
  await phone.getByLabel('科室').selectOption({ label: '心血管内科' });
  await phone.getByLabel('姓名').fill('周敏');
  await phone.getByLabel('身份证号').fill('110105199003070017');
  // Seven digits: the browser lets it through, the server refuses it.
  await phone.getByLabel('手机号').fill('1395550');
  await phone.getByLabel('护', { exact: true }).check();
  await phone.getByLabel('职称').selectOption('护师');
  await phone.getByLabel('学历').selectOption('本科');
  await phone.getByLabel('登录密码').fill('zhou-min-2026');
  await phone.getByLabel('再次输入密码').fill('zhou-min-2026');

  // No photo yet: the reason stands by the photo, on screen.
  await phone.getByRole('button', { name: '提交注册' }).click();
  const photoError = phone.getByTestId('error-photoUpload');
  await expect(photoError).toHaveText('请上传照片');
  await expect(photoError).toBeInViewport();

  await phone.getByTestId('photo-file').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: await phonePhoto(phone) });
  await expect(phone.getByTestId('photo-result')).toContainText('358×441');
  await expect(photoError).toHaveCount(0);

  // The server's refusal of the phone number: beside the phone field, 800 px above the button, brought into view.
  await phone.getByRole('button', { name: '提交注册' }).click();
  const phoneError = phone.getByTestId('error-phone');
  await expect(phoneError).toHaveText('请填写11位手机号');
  await expect(phoneError).toBeInViewport();
  await expect(phone.getByLabel('手机号')).toBeFocused();
  const shot = testInfo.outputPath('registration-phone-390x844.png');
  await phone.screenshot({ path: shot });
  await testInfo.attach('registration-phone-390x844', { path: shot, contentType: 'image/png' });

  await phone.getByLabel('手机号').fill('13955500002');
  await expect(phoneError).toHaveCount(0);
  await phone.getByRole('button', { name: '提交注册' }).click();
  await expect(phone.getByTestId('registration-status')).toHaveAttribute('data-status', 'pending');

  // The reviewer's queue shows her photo, and her panel the full-size one.
  const reviewer = await signedIn(browser, 'reviewer');
  const row = reviewer.getByTestId('review-queue').locator('tr', { hasText: '周敏' });
  const thumb = row.getByRole('img');
  await expect(thumb).toBeVisible();
  expect(await thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(120);
  await row.getByRole('link', { name: '周敏' }).click();
  const face = reviewer.getByTestId('person-photo');
  await expect(face).toBeVisible();
  expect(await face.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(358);
  expect(refused).toEqual([]);
});

test('a draft project: the lead time beside the start date, the refusal of a too-early start there, amended, then deleted', async ({ browser }) => {
  const admin = await signedIn(browser, 'admin', '/admin/projects');
  await admin.goto(`${server.url}/admin/projects`);
  const declare = admin.getByTestId('declare-project');
  await declare.getByLabel('项目编号').fill('2026-DRAFT-1');
  await declare.getByLabel('项目名称').fill('护理质量讲座');
  await declare.getByLabel('举办地点').fill('第二会议室');
  const early = inDays(5);
  await declare.getByLabel('开始日期').fill(early);
  await declare.getByLabel('结束日期').fill(early);
  const lead = declare.getByTestId('lead-time');
  await expect(lead).toHaveText(`须在举办前至少 14 天申报：最早可选 ${inDays(14)}`);
  await expect(lead).toHaveClass(/bad/);
  await declare.getByLabel('课程名称').fill('讲座');
  await declare.getByLabel('课程开始').fill(`${early}T09:00`);
  await declare.getByLabel('课程结束').fill(`${early}T11:00`);
  await declare.getByRole('button', { name: '保存草稿' }).click();
  await expect(admin).toHaveURL(/\/admin\/projects\/[^/?]+$/);
  await expect(admin.getByTestId('project-status')).toHaveText('草稿');

  // Submitted too early: the server's refusal opens the draft at its start date.
  await admin.getByRole('button', { name: '提交审核' }).click();
  const amend = admin.getByTestId('amend-project');
  const startError = amend.getByTestId('error-startsOn');
  await expect(startError).toContainText('项目须在举办前至少 14 天申报（距举办还有 5 天）');
  await expect(startError).toBeInViewport();

  const later = inDays(30);
  await amend.getByLabel('开始日期').fill(later);
  await expect(startError).toHaveCount(0);
  await amend.getByLabel('结束日期').fill(later);
  await amend.getByLabel('课程名称').fill('上午讲座');
  await amend.getByLabel('课程开始').fill(`${later}T09:00`);
  await amend.getByLabel('课程结束').fill(`${later}T11:00`);
  await amend.getByLabel('项目名称').fill('护理质量与安全讲座');
  await amend.getByRole('button', { name: '保存草稿' }).click();
  await expect(amend).toHaveCount(0);
  await expect(admin.getByRole('heading', { level: 2 })).toContainText('护理质量与安全讲座');
  await expect(admin.getByTestId('project-detail')).toContainText(`${later.slice(0, 4)}`);
  await expect(admin.getByTestId('project-detail').locator('li', { hasText: '上午讲座' })).toHaveCount(1);

  await admin.getByRole('button', { name: '删除' }).click();
  const dialog = admin.getByRole('dialog', { name: '请确认' });
  await expect(dialog).toContainText('确定删除项目“护理质量与安全讲座”吗？');
  await dialog.getByRole('button', { name: '删除' }).click();
  await expect(admin).toHaveURL(/\/admin\/projects$/);
  await expect(admin.getByTestId('projects')).toBeVisible();
  await expect(admin.getByTestId('projects')).not.toContainText('护理质量与安全讲座');
});

test('the staff list finds a person by the last digits of the ID or card number; filters apply as chosen, kept in the address', async ({
  browser,
}, testInfo) => {
  const admin = await signedIn(browser, 'admin');
  await admin.goto(`${server.url}/admin/staff?sort=cmeNumber`);
  const rows = admin.getByTestId('staff').locator('tbody tr');
  await expect(admin.getByTestId('staff-page')).toHaveText('第1页，共200人');
  const first = rows.nth(0).locator('td');
  const name = (await first.nth(1).textContent())!.trim();
  const cmeNumber = (await first.nth(3).textContent())!.trim();
  const idEnd = (await first.nth(4).textContent())!.trim().slice(-4);

  const search = admin.getByRole('searchbox', { name: /搜索姓名/ });
  await search.fill(idEnd);
  await admin.getByRole('button', { name: '搜索', exact: true }).click();
  // She is on the unfiltered first page too: wait for the search to have replaced the list.
  await expect(admin.getByTestId('staff-page')).not.toHaveText('第1页，共200人');
  await expect(rows.filter({ hasText: name })).toHaveCount(1);
  await expect.poll(async () => (await rows.allInnerTexts()).every((text) => text.includes(idEnd))).toBe(true);

  await search.fill(cmeNumber.slice(-6));
  await admin.getByRole('button', { name: '搜索', exact: true }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0)).toContainText(name);

  await search.fill('');
  await admin.getByRole('button', { name: '搜索', exact: true }).click();
  await expect(admin.getByTestId('staff-page')).toHaveText('第1页，共200人');
  await admin.getByLabel('职称').selectOption('主治医师');
  await expect(admin).toHaveURL(/[?&]title=%E4%B8%BB%E6%B2%BB%E5%8C%BB%E5%B8%88/);
  await expect(admin.getByTestId('staff-page')).not.toHaveText('第1页，共200人');
  for (const title of await rows.locator('td:nth-child(6)').allInnerTexts()) expect(title).toBe('主治医师');
  const withTitle = await admin.getByTestId('staff-page').textContent();
  await admin.getByLabel('IC卡').selectOption({ label: '未绑卡' });
  await expect(admin).toHaveURL(/[?&]card=none/);
  await expect(admin.getByTestId('staff-page')).not.toHaveText(withTitle!);
  const filtered = await admin.getByTestId('staff-page').textContent();

  await admin.reload();
  await expect(admin.getByLabel('职称')).toHaveValue('主治医师');
  await expect(admin.getByLabel('IC卡')).toHaveValue('none');
  await expect(admin.getByTestId('staff-page')).toHaveText(filtered!);
  await admin.waitForLoadState('networkidle');
  const shot = testInfo.outputPath('staff-list-desktop.png');
  await admin.screenshot({ path: shot });
  await testInfo.attach('staff-list-desktop', { path: shot, contentType: 'image/png' });
});

test('an admin in New York sees a session at its Beijing time, 08:00 to 18:00, on its Beijing day', async ({ browser }) => {
  // In New York the demo session starts at 19:00 or 20:00 the evening before: a page formatting in
  // the browser's zone would show that.
  const admin = await signedIn(browser, 'admin', '/admin/sessions', { locale: 'zh-CN', timezoneId: 'America/New_York' });
  expect(await admin.evaluate(() => new Date().getTimezoneOffset())).toBeGreaterThan(0);
  await expect(admin.getByTestId('sessions')).toContainText(`${chinaDate(morning)} 08:00 – 18:00`);
});
