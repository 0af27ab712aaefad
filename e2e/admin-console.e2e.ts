// The admin console: nested routes under one signed-in layout. Reload and Back keep the admin where
// she was; 挂失 asks first; the audit log reads as sentences with its filters in the address; each
// role sees only its pages, and a page it may not use says so instead of failing under its controls.
// (Every page at phone, tablet and desktop sizes: every-page.e2e.ts.)
import { chinaDate, chinaDateTime } from '@opencme/core';
import { type Browser, expect, type Page, test } from '@playwright/test';
import { adminCookie, adminMutation, adminQuery, ServerProcess, signedIn as signedInAt } from './server.ts';

const server = new ServerProcess();
// The server's clock is the real one: the log's times are compared with the test's.
test.beforeAll(() => server.start());
test.afterAll(() => server.dispose());

const signedIn = (browser: Browser, login: string, path = '/admin') => signedInAt(browser, server.url, path, login);

const navigation = (page: Page) => page.getByRole('navigation', { name: '管理菜单' }).getByRole('link');

test('reload and Back keep the list’s order, page and the person’s panel; 挂失 asks first', async ({ browser }) => {
  const admin = await signedIn(browser, 'admin');
  await expect(admin).toHaveURL(/\/admin\/review$/);
  await navigation(admin).getByText('人员', { exact: true }).click();
  const rows = admin.getByTestId('staff').locator('tbody tr');
  const pageLabel = admin.getByTestId('staff-page');
  await expect(pageLabel).toHaveText('第1页，共200人');

  await admin.getByLabel('排序').selectOption({ label: '继教卡号' });
  await expect(admin).toHaveURL(/\/admin\/staff\?sort=cmeNumber$/);
  // The page's label follows the address at once; its rows come with the answer: first page 1 in
  // card-number order, then page 2 with other rows.
  const cardNumbers = rows.locator('td:nth-child(4)');
  const inOrder = (texts: string[]) => texts.length > 0 && texts.join() === [...texts].sort().join();
  await expect.poll(async () => inOrder(await cardNumbers.allInnerTexts())).toBe(true);
  const firstOfPage1 = (await rows.nth(0).locator('td').nth(3).textContent())!.trim();
  await admin.getByRole('link', { name: '下一页' }).click();
  await expect(pageLabel).toHaveText('第2页，共200人');
  await expect(rows.nth(0).locator('td').nth(3)).not.toHaveText(firstOfPage1);
  await expect(admin).toHaveURL(/\/admin\/staff\?sort=cmeNumber&page=2&after=[\w-]+$/);
  const first = (await rows.nth(0).locator('td').nth(1).textContent())!.trim();
  const cmeNumber = (await rows.nth(0).locator('td').nth(3).textContent())!.trim();
  await rows.nth(0).getByRole('link').click();
  const panel = admin.getByTestId('person');
  await expect(panel).toContainText(first);
  await expect(admin).toHaveURL(/\/admin\/staff\/[^/?]+\?sort=cmeNumber&page=2&after=[\w-]+$/);

  await admin.reload();
  await expect(panel).toContainText(first);
  await expect(pageLabel).toHaveText('第2页，共200人');
  await expect(admin.getByLabel('排序')).toHaveValue('cmeNumber');
  await expect(rows.nth(0)).toContainText(cmeNumber);

  await admin.goBack();
  await expect(panel).toHaveCount(0);
  await expect(pageLabel).toHaveText('第2页，共200人');
  await admin.goBack();
  await expect(pageLabel).toHaveText('第1页，共200人');
  await admin.goForward();
  await admin.goForward();
  await expect(panel).toContainText(first);

  // 挂失 of an IC card: the dialog first; cancelled, the card stays as it was.
  const personId = admin.url().match(/\/admin\/staff\/([^/?]+)/)![1]!;
  const cookie = await adminCookie(server.url);
  await adminMutation(server.url, cookie, 'registry.bindCard', { personId, typed: 'A1B2C3D4', encoding: 'hex', category: 'III' });
  await admin.reload();
  const card = panel.getByTestId('cards').locator('li', { hasText: 'IC卡 A1B2C3D4' });
  await expect(card).toContainText('Ⅲ类 补卡 · 正常');
  await card.getByRole('button', { name: '挂失' }).click();
  const dialog = admin.getByRole('dialog', { name: '请确认' });
  await expect(dialog).toContainText(`确定将 ${first} 的 IC卡 A1B2C3D4 挂失吗？`);
  // The focus starts on the safe answer and stays in the dialog; Esc is a no.
  await expect(dialog.getByRole('button', { name: '取消' })).toBeFocused();
  for (let i = 0; i < 3; i++) {
    await admin.keyboard.press('Tab');
    expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
  }
  await admin.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(card).not.toContainText('已挂失');
  await card.getByRole('button', { name: '挂失' }).click();
  await dialog.getByRole('button', { name: '取消' }).click();
  await expect(dialog).toBeHidden();
  await admin.reload();
  await expect(card).toContainText('正常');
  const detail = await adminQuery<{ credentials: { kind: string; status: string }[] }>(server.url, cookie, 'registry.person', { personId });
  expect(detail.credentials.find((c) => c.kind === 'ic-card')?.status).toBe('active');

  await card.getByRole('button', { name: '挂失' }).click();
  await dialog.getByRole('button', { name: '挂失' }).click();
  await expect(card).toContainText('已挂失');
  await expect(card.getByRole('button', { name: '挂失' })).toHaveCount(0);
});

test('the audit log reads as sentences in China time, and its filters stay in the address', async ({ browser }) => {
  const admin = await signedIn(browser, 'admin', '/admin/staff');
  const row = admin.getByTestId('staff').locator('tbody tr').nth(3);
  const name = (await row.locator('td').nth(1).textContent())!.trim();
  await row.getByRole('link').click();
  const before = chinaDateTime(new Date());
  await admin.getByTestId('person').getByRole('button', { name: '查看完整号码' }).click();
  await expect(admin.getByTestId('id-number')).toHaveText(/^\d{17}[\dX]$/);
  const after = chinaDateTime(new Date());

  await navigation(admin).getByText('操作日志', { exact: true }).click();
  const log = admin.getByTestId('audit-log').locator('li');
  const sentence = log.filter({ hasText: `查看了 ${name} 的身份证号` }).first();
  const text = (await sentence.textContent())!.trim();
  const match = text.match(/^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) 医教科管理员 查看了 (.+) 的身份证号$/);
  expect(match, text).not.toBeNull();
  expect(match![1]! >= before && match![1]! <= after, `${match![1]} within ${before} … ${after}`).toBe(true);
  expect(match![2]).toBe(name);
  // Nothing on screen is a code, a record's id or JSON.
  const shown = await admin.getByTestId('audit-log').innerText();
  expect(shown).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/i);
  expect(shown).not.toMatch(/[{}"]|\b[a-z]+\.[a-z-]+\b/);

  await admin.getByLabel('操作类型').selectOption({ label: '查看身份证号' });
  await expect(admin).toHaveURL(/\/admin\/audit\?action=person\.reveal-id-number$/);
  await expect(log).toHaveCount(1);
  const today = chinaDate(new Date());
  await admin.getByLabel('起始日期').fill(today);
  await admin.getByLabel('截止日期').fill(today);
  await expect(admin).toHaveURL(new RegExp(`action=person\\.reveal-id-number&from=${today}&to=${today}$`));
  await expect(log).toHaveCount(1);
  const tomorrow = chinaDate(new Date(Date.now() + 86_400_000));
  await admin.getByLabel('截止日期').fill(tomorrow);
  await admin.getByLabel('起始日期').fill(tomorrow);
  await expect(admin.getByText('没有符合条件的记录')).toBeVisible();

  await admin.reload();
  await expect(admin.getByText('没有符合条件的记录')).toBeVisible();
  await expect(admin.getByLabel('操作类型')).toHaveValue('person.reveal-id-number');
  await expect(admin.getByLabel('起始日期')).toHaveValue(tomorrow);
  await admin.goBack();
  await expect(admin.getByLabel('起始日期')).toHaveValue(today);
  await expect(log).toHaveCount(1);
  await expect(log.first()).toContainText(`查看了 ${name} 的身份证号`);
});

test('each role’s navigation shows only its pages, and a page it may not use says so', async ({ browser }) => {
  const expected: Record<string, string[]> = {
    admin: [
      '注册审核',
      '人员',
      '批量导入',
      '科室设置',
      '管理账号',
      '继续医学教育项目',
      '场次',
      '设备',
      '代刷预警',
      '申报审核',
      '审验与达标率',
      '统计报表',
      '打印学分证明',
      '人社对接',
      '操作日志',
    ],
    reviewer: ['注册审核', '人员', '申报审核', '审验与达标率'],
    city: ['单位审核', '人员', '批量导入', '继续医学教育项目', '申报审核', '审验与达标率', '统计报表', '打印学分证明', '操作日志'],
    province: [
      '单位审核',
      '人员',
      '批量导入',
      '继续医学教育项目',
      '申报审核',
      '审验与达标率',
      '统计报表',
      '打印学分证明',
      '人社对接',
      '学分审验规则',
      '操作日志',
    ],
  };
  for (const [login, pages] of Object.entries(expected)) {
    const page = await signedIn(browser, login);
    await expect(navigation(page)).toHaveText(pages);
    await page.context().close();
  }

  const reviewer = await signedIn(browser, 'reviewer', '/admin/audit');
  await expect(reviewer.getByRole('heading', { name: '无权访问此页面' })).toBeVisible();
  await expect(reviewer.getByTestId('no-access')).toContainText('此页面不对“科室审核”账号开放');
  await expect(reviewer.getByTestId('audit-log')).toHaveCount(0);
  await expect(reviewer.getByRole('alert')).toHaveCount(0);
  await reviewer.goto(`${server.url}/admin/devices`);
  await expect(reviewer.getByTestId('no-access')).toBeVisible();
  await expect(reviewer.getByRole('alert')).toHaveCount(0);
  await reviewer.getByRole('link', { name: '回到我的首页' }).click();
  await expect(reviewer).toHaveURL(/\/admin\/review$/);

  const city = await signedIn(browser, 'city', '/admin/rule-sets');
  await expect(city.getByTestId('no-access')).toBeVisible();
  await expect(city.getByRole('button', { name: '保存新规则' })).toHaveCount(0);

  // A staff member has no admin page: the console's home sends them to their own.
  const staff = await signedIn(browser, 'staff', '/admin');
  await expect(staff).toHaveURL(/\/me$/);
  await staff.goto(`${server.url}/admin/staff`);
  await expect(staff.getByTestId('no-access')).toBeVisible();
  await expect(staff.getByTestId('staff')).toHaveCount(0);
});
