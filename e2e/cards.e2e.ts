// The unit admin's desk: an IC card swiped on a keyboard-wedge reader is bound to a person, and
// card application sheets print one A4 page a person with the registry photo.
import { expect, type Page, test } from '@playwright/test';
import { adminCookie, adminMutation, adminQuery, ServerProcess } from './server.ts';

/**
 * What a keyboard-wedge reader sends: the UID's keys and Enter in one burst, microseconds apart.
 * Dispatched in one task, so a busy test machine cannot stretch the gaps as CDP key presses can.
 */
async function readerBurst(page: Page, typed: string) {
  await page.evaluate((keys) => {
    const code = (c: string) => (/\d/.test(c) ? `Digit${c}` : `Key${c.toUpperCase()}`);
    for (const c of keys) window.dispatchEvent(new KeyboardEvent('keydown', { code: code(c), key: c, bubbles: true }));
    window.dispatchEvent(new KeyboardEvent('keydown', { code: 'Enter', key: 'Enter', bubbles: true }));
  }, typed);
}

const server = new ServerProcess();
test.beforeAll(() => server.start());
test.afterAll(() => server.dispose());

test('an IC card swiped at the admin’s reader is bound, and a batch of application sheets prints on A4', async ({ page, context }) => {
  await page.goto(`${server.url}/admin`);
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill('opencme-demo');
  await page.getByRole('button', { name: '登录' }).click();
  // The unit admin reaches every page of their role from the side navigation, and not the province's rule sets.
  for (const [name, href] of [
    ['继续医学教育项目', '/admin/projects'],
    ['申报审核', '/admin/claims'],
    ['审验与达标率', '/admin/compliance'],
    ['打印学分证明', '/admin/proofs'],
  ]) {
    await expect(page.getByRole('link', { name: name!, exact: true })).toHaveAttribute('href', href!);
  }
  await expect(page.getByRole('link', { name: '学分审验规则' })).toHaveCount(0);
  await page.getByRole('link', { name: '人员', exact: true }).click();

  const rows = page.getByTestId('staff').locator('tbody tr');
  await expect(rows).toHaveCount(50);
  const first = (await rows.nth(0).locator('td').nth(1).textContent())!.trim();
  await rows.nth(0).getByRole('link').click();
  const panel = page.getByTestId('person');
  await expect(panel).toContainText(first);

  await readerBurst(page, '26DEFAE7');
  await expect(panel.getByLabel('IC卡号')).toHaveValue('26DEFAE7');
  // A person typing digits slowly (120 ms a key, far beyond the 50 ms of a reader) is not a reader.
  await panel.getByLabel('IC卡号').fill('');
  await page.locator('body').click({ position: { x: 5, y: 300 } });
  await page.keyboard.type('11223344', { delay: 120 });
  await page.keyboard.press('Enter');
  await expect(panel.getByLabel('IC卡号')).toHaveValue('');

  await readerBurst(page, '26DEFAE7');
  await panel.getByLabel('发卡类别').selectOption('II');
  await panel.getByRole('button', { name: '绑定IC卡' }).click();
  await expect(panel).toContainText('IC卡 26DEFAE7 · Ⅱ类 新办卡 · 正常');
  await panel.getByRole('button', { name: '关闭' }).click();

  await rows.nth(0).getByRole('checkbox').check();
  await rows.nth(1).getByRole('checkbox').check();
  const second = (await rows.nth(1).locator('td').nth(1).textContent())!.trim();
  const [sheetPage] = await Promise.all([context.waitForEvent('page'), page.getByRole('button', { name: '打印制卡申请表' }).first().click()]);
  const sheets = sheetPage.getByTestId('card-sheet');
  await expect(sheets).toHaveCount(2);
  await expect(sheets.nth(0)).toContainText(first);
  await expect(sheets.nth(0)).toContainText('26DEFAE7');
  await expect(sheets.nth(0)).toContainText('☑ Ⅱ类 新办卡');
  await expect(sheets.nth(1)).toContainText(second);
  // Each portrait at its stored width once it has loaded (the second may still be on its way).
  await expect.poll(() => sheets.locator('img').evaluateAll((imgs) => imgs.map((img) => (img as HTMLImageElement).naturalWidth))).toEqual([358, 358]);

  const pdf = await sheetPage.pdf({ format: 'A4', preferCSSPageSize: true });
  const pages = pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) ?? [];
  expect(pages).toHaveLength(2);

  // The department tree: add one, rename it; the staff list narrows to one department.
  await page.bringToFront();
  await page.getByRole('link', { name: '科室设置', exact: true }).click();
  await page.getByLabel('新科室名称').fill('眼科');
  await page.getByRole('button', { name: '创建' }).click();
  const eye = page.getByTestId('departments').locator('tr', { hasText: '眼科' });
  await eye.getByRole('button', { name: '改名' }).click();
  await page.getByTestId('departments').getByLabel('科室').fill('眼耳鼻喉科');
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await expect(page.getByTestId('departments')).toContainText('眼耳鼻喉科');
  await expect(page.getByTestId('departments').locator('tr', { hasText: /^眼科/ })).toHaveCount(0);

  await page.getByRole('link', { name: '人员', exact: true }).click();
  await page.getByRole('combobox', { name: '科室' }).selectOption({ label: '心血管内科' });
  await expect(page.getByTestId('staff-page')).not.toContainText('共200人');
  const departmentsShown = await page.getByTestId('staff').locator('tbody tr td:nth-child(3)').allTextContents();
  expect(departmentsShown.length).toBeGreaterThan(0);
  expect(new Set(departmentsShown)).toEqual(new Set(['心血管内科']));
});

test('an account with an initial password changes it first, then reaches its page', async ({ browser }) => {
  const cookie = await adminCookie(server.url);
  const [department] = await adminQuery<{ id: string; name: string }[]>(server.url, cookie, 'units.departments', {
    unitId: (await adminQuery<{ organisationId: string }>(server.url, cookie, 'auth.me', undefined)).organisationId,
  });
  const { initialPassword } = await adminMutation<{ initialPassword: string }>(server.url, cookie, 'auth.createAccount', {
    organisationId: department!.id,
    role: 'department-reviewer',
    login: 'new-reviewer',
    displayName: '新审核员',
  });

  const page = await (await browser.newContext()).newPage();
  await page.goto(`${server.url}/admin/claims`);
  await page.getByLabel('用户名').fill('new-reviewer');
  await page.getByLabel('密码').fill(initialPassword);
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('heading', { name: '首次登录请修改初始密码' })).toBeVisible();
  await page.getByLabel('原密码').fill('not-the-password');
  await page.getByLabel('新密码（至少10位）').fill('a-new-password');
  await page.getByRole('button', { name: '修改密码' }).click();
  await expect(page.getByRole('alert')).toHaveText('原密码不正确');
  await page.getByLabel('原密码').fill(initialPassword);
  await page.getByRole('button', { name: '修改密码' }).click();
  await expect(page.getByText('新审核员')).toBeVisible();
  await expect(page.getByRole('alert')).toHaveCount(0);
});
