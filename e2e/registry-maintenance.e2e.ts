// Registry maintenance end to end: the demo hospital's office adds a person and edits her,
// transfers her (调动) to a second hospital whose office accepts her on a phone, and that office
// records her leaving; compliance then counts her nowhere this year (the dates in detail are the
// server test's: apps/server/test/registry-maintenance.test.ts). Screens at phone and desktop size.
import { chinaDate, chinaYear, creditCodeCheckChar, idNumberCheckChar } from '@opencme/core';
import { type Browser, expect, type Page, test } from '@playwright/test';
import { keepScreenshot } from './layout.ts';
import { adminCookie, adminMutation, adminQuery, ServerProcess } from './server.ts';

const server = new ServerProcess();
test.beforeAll(() => server.start());
test.afterAll(() => server.dispose());

const B_PASSWORD = 'hospital-b-admin-2026';

async function signIn(browser: Browser, login: string, password: string, viewport: { width: number; height: number }): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  await page.goto(`${server.url}/admin/staff`);
  await page.getByLabel('用户名').fill(login);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('button', { name: '退出' })).toBeVisible();
  return page;
}

test('a unit adds a person, edits her, transfers her to a unit that accepts, and she leaves', async ({ browser }, testInfo) => {
  // A second hospital, registered and verified by its city, with one department.
  const cities = await adminQuery<{ id: string; direct: boolean }[]>(server.url, '', 'units.cities', undefined);
  const first17 = '12340100MB0000099';
  const { unitId, login } = await adminMutation<{ unitId: string; login: string }>(server.url, '', 'units.register', {
    cityId: cities.find((c) => !c.direct)!.id,
    creditCode: first17 + creditCodeCheckChar(first17),
    name: '合肥市第二人民医院',
    admin: { displayName: '二院医教科', password: B_PASSWORD },
  });
  await adminMutation(server.url, await adminCookie(server.url, 'city'), 'units.verify', { unitId, approve: true });

  const admin = await signIn(browser, 'admin', 'opencme-demo', { width: 1280, height: 900 });
  await admin.getByText('新增人员', { exact: true }).click();
  const add = admin.getByTestId('add-person');
  const id17 = '34010419880315062';
  await add.getByLabel('姓名').fill('沈佳宁');
  await add.getByLabel('身份证号').fill(id17 + idNumberCheckChar(id17));
  await add.getByLabel('手机').fill('13955512345');
  await add.getByLabel('取得职称').fill('主治医师');
  await add.getByLabel('聘任职称').fill('主治医师');
  await add.getByRole('button', { name: '保存' }).click();
  const panel = admin.getByTestId('person');
  await expect(panel.getByRole('heading', { level: 3 })).toContainText('沈佳宁');
  await keepScreenshot(admin, testInfo, 'registry-added-desktop');

  await panel.getByText('修改人员信息').click();
  await panel.getByTestId('edit-person').getByLabel('姓名').fill('沈嘉宁');
  await panel.getByTestId('edit-person').getByRole('button', { name: '保存' }).click();
  await expect(panel.getByRole('heading', { level: 3 })).toContainText('沈嘉宁');

  await panel.getByText('调往其他单位').click();
  await panel.getByPlaceholder('搜索调入单位').fill('第二人民');
  await panel.getByRole('button', { name: '搜索' }).click();
  await expect(panel.getByLabel('调入单位', { exact: true })).toContainText('合肥市第二人民医院');
  await panel.getByLabel('原因').fill('工作调动');
  await panel.getByRole('button', { name: '发起调动' }).click();
  await expect(panel.getByTestId('transfer-started')).toBeVisible();
  await keepScreenshot(admin, testInfo, 'registry-transfer-started-desktop');

  // The receiving office, on a phone, takes her into its department.
  const phone = await signIn(browser, login, B_PASSWORD, { width: 390, height: 844 });
  const signInB = await fetch(`${server.url}/trpc/auth.login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ json: { login, password: B_PASSWORD } }),
  });
  const b = signInB.headers.get('set-cookie')!.split(';')[0]!;
  await adminMutation(server.url, b, 'units.addDepartment', { unitId, name: '心内科' });
  await phone.reload();
  const incoming = phone.getByTestId('transfers-in');
  await expect(incoming).toContainText('沈嘉宁');
  await keepScreenshot(phone, testInfo, 'registry-transfer-incoming-phone');
  await incoming.getByRole('button', { name: '接收', exact: true }).click();
  await expect(incoming).toBeHidden();
  // The list shows her among B's staff from its next load.
  await phone.reload();
  await phone.getByRole('link', { name: '沈嘉宁' }).click();
  const panelB = phone.getByTestId('person');
  const history = panelB.getByTestId('history').locator('tbody tr');
  await expect(history).toHaveCount(2);
  await expect(history.nth(0)).toContainText('合肥市第一人民医院（演示）');
  await expect(history.nth(1)).toContainText('合肥市第二人民医院');
  await expect(history.nth(1)).toContainText('心内科');
  await keepScreenshot(phone, testInfo, 'registry-history-phone');

  // She counts at B this year, and nowhere once she has left.
  const year = chinaYear(new Date());
  const listed = async (cookie: string, organisationId: string) =>
    (await adminQuery<{ rows: { name: string }[] }>(server.url, cookie, 'verification.people', { organisationId, cmeYear: year, page: 1 })).rows.some(
      (r) => r.name === '沈嘉宁',
    );
  expect(await listed(b, unitId)).toBe(true);

  await panelB.getByText('人员离开').click();
  await panelB.getByLabel('人员离开').selectOption('retired');
  await panelB.getByLabel('离开日期').fill(chinaDate(new Date()));
  await panelB.getByRole('button', { name: '登记离开' }).click();
  await phone.getByRole('dialog', { name: '请确认' }).getByRole('button', { name: '登记离开' }).click();
  await expect(panelB.getByTestId('left')).toContainText('退休');
  await keepScreenshot(phone, testInfo, 'registry-left-phone');
  expect(await listed(b, unitId)).toBe(false);

  // The compliance page of B shows no one counted.
  await phone.goto(`${server.url}/admin/compliance`);
  await keepScreenshot(phone, testInfo, 'registry-compliance-phone');
});
