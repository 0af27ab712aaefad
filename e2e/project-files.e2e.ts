// Projects' rest of life through the admin page (issue 13): the organiser declares a project with
// its specialty (专业), attaches the notice (办班通知) and schedule (日程安排), downloads one back,
// submits it, and cancels it (项目废止) with the reason, which the page and the history keep.
import { expect, type Page, test } from '@playwright/test';
import { ServerProcess } from './server.ts';

const server = new ServerProcess();
test.afterAll(() => server.dispose());

const beijing = (iso: string) => new Date(`${iso}+08:00`);
const EVENT_DAY = '2026-12-20';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

async function signIn(page: Page) {
  await page.goto(`${server.url}/admin`);
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill('opencme-demo');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('button', { name: '退出' })).toBeVisible();
  await page.goto(`${server.url}/admin/projects`);
}

test('declare with files → download one back → submit → cancel with the reason', async ({ browser }) => {
  const now = beijing('2026-11-24T10:00:00');
  await server.start({ clockStart: now });
  const context = await browser.newContext({ acceptDownloads: true });
  await context.clock.install({ time: now });
  const admin = await context.newPage();
  await signIn(admin);

  const declare = admin.locator('form.declare');
  await declare.getByLabel('项目编号').fill('2026-U-0777');
  await declare.getByLabel('项目名称').fill('急诊急救技能培训班');
  await declare.getByLabel('级别').selectOption('unit');
  await declare.getByLabel('学分类别').selectOption('II');
  await declare.locator('input[name=credits]').fill('1');
  await declare.getByLabel('举办地点').fill('技能中心');
  await declare.getByLabel('专业').fill('急诊医学');
  await declare.getByLabel('开始日期').fill(EVENT_DAY);
  await declare.getByLabel('结束日期').fill(EVENT_DAY);
  const course = declare.locator('fieldset').first();
  await course.getByLabel('课程名称').fill('心肺复苏');
  await course.getByLabel('课程开始').fill(`${EVENT_DAY}T09:00`);
  await course.getByLabel('课程结束').fill(`${EVENT_DAY}T11:00`);
  await course.getByLabel('学分').fill('1');
  await declare.getByRole('button', { name: '保存草稿' }).click();
  const status = admin.getByTestId('project-status');
  await expect(status).toHaveText('草稿');
  await expect(admin.getByTestId('project-detail')).toContainText('专业：急诊医学');

  const files = admin.getByTestId('project-files');
  await admin.getByTestId('file-notice').setInputFiles({ name: '办班通知.pdf', mimeType: 'application/pdf', buffer: PDF });
  await expect(files.getByRole('button', { name: '办班通知.pdf' })).toBeVisible();
  await admin.getByTestId('file-schedule').setInputFiles({ name: '日程安排.pdf', mimeType: 'application/pdf', buffer: PDF });
  await expect(files.getByRole('button', { name: '日程安排.pdf' })).toBeVisible();
  const downloading = admin.waitForEvent('download');
  await files.getByRole('button', { name: '办班通知.pdf' }).click();
  expect((await downloading).suggestedFilename()).toBe('办班通知.pdf');

  await admin.getByRole('button', { name: '提交审核' }).click();
  await expect(status).toHaveText('审核中');
  await expect(admin.getByTestId('deadline')).toContainText('申报审核截止 2026-12-19');

  await admin.getByLabel('废止原因').fill('主讲专家无法到场');
  await admin.getByRole('button', { name: '废止项目' }).click();
  await admin.getByRole('alertdialog').or(admin.getByRole('dialog')).getByRole('button', { name: '废止项目' }).click();
  await expect(status).toHaveText('已废止');
  await expect(admin.getByTestId('cancelled')).toHaveText('已废止：主讲专家无法到场');
  await expect(admin.getByTestId('history')).toContainText('主讲专家无法到场');
});
