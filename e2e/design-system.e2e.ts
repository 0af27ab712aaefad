// The shared design system as people see it (packages/ui on Bits UI): the staff list's DataTable
// and a ConfirmDialog before 挂失, at a phone's size and a desktop's, in Chinese. The table scrolls
// inside its own box, never the page; the dialog fits the screen, its buttons in view. The
// screenshots are attached to the report and left in test-results/.
import { expect, test } from '@playwright/test';
import { adminCookie, adminMutation, adminQuery, ServerProcess, signedIn } from './server.ts';

const server = new ServerProcess();
test.beforeAll(() => server.start());
test.afterAll(() => server.dispose());

test('the staff table and the 挂失 dialog at phone and desktop sizes', async ({ browser }, testInfo) => {
  const cookie = await adminCookie(server.url);
  const me = await adminQuery<{ organisationId: string }>(server.url, cookie, 'auth.me', undefined);
  const staff = await adminQuery<{ rows: { id: string; name: string }[] }>(server.url, cookie, 'registry.staff', { organisationId: me.organisationId });
  const person = staff.rows[2]!;
  await adminMutation(server.url, cookie, 'registry.bindCard', { personId: person.id, typed: 'C0FFEE01', encoding: 'hex', category: 'III' });

  const admin = await signedIn(browser, server.url, '/admin/staff', 'admin');
  const photograph = async (name: string) => {
    const file = testInfo.outputPath(`${name}.png`);
    await admin.screenshot({ path: file });
    await testInfo.attach(name, { path: file, contentType: 'image/png' });
  };
  for (const [size, width, height] of [
    ['phone', 390, 844],
    ['desktop', 1440, 900],
  ] as const) {
    await admin.setViewportSize({ width, height });
    await admin.goto(`${server.url}/admin/staff`);
    const table = admin.getByRole('table', { name: '人员' });
    await expect(table.locator('tbody tr')).toHaveCount(50);
    const page = await admin.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    expect(page.scrollWidth, `the page at ${size}`).toBeLessThanOrEqual(page.innerWidth);
    await expect(table.getByRole('columnheader', { name: '姓名' })).toHaveAttribute('aria-sort', 'ascending');
    await photograph(`${size}-staff`);

    await admin.goto(`${server.url}/admin/staff/${person.id}`);
    await admin.getByTestId('cards').locator('li', { hasText: 'IC卡 C0FFEE01' }).getByRole('button', { name: '挂失' }).click();
    const dialog = admin.getByRole('dialog', { name: '请确认' });
    await expect(dialog).toContainText(`确定将 ${person.name} 的 IC卡 C0FFEE01 挂失吗？`);
    for (const button of ['取消', '挂失']) await expect(dialog.getByRole('button', { name: button })).toBeInViewport();
    await photograph(`${size}-confirm`);
    await admin.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
  }
});
