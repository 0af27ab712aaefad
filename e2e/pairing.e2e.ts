import { expect, test } from '@playwright/test';
import { demoCardNumber, demoMorning, ServerProcess, setKioskPin } from './server.ts';

const server = new ServerProcess();
// The demo session is today 08:00–18:00: the server and the browsers stand inside it.
const morning = demoMorning();
test.beforeAll(() => server.start({ clockStart: morning }));
test.afterAll(() => server.dispose());

test('an admin creates a kiosk, assigns it a session, pairs it with the code, and a revoked kiosk is told so', async ({ browser }) => {
  const admin = await browser.newPage();
  await admin.goto(`${server.url}/admin`);
  await admin.getByLabel('用户名').fill('admin');
  await admin.getByLabel('密码').fill('wrong-password');
  await admin.getByRole('button', { name: '登录' }).click();
  await expect(admin.getByRole('alert')).toHaveText('用户名或密码错误');
  await admin.getByLabel('密码').fill('opencme-demo');
  await admin.getByRole('button', { name: '登录' }).click();

  await admin.getByRole('link', { name: '设备' }).click();
  await admin.getByLabel('设备名称').fill('二号门');
  await admin.getByRole('button', { name: '创建' }).click();
  const code = (await admin.getByTestId('pairing-code').textContent())!;
  expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  const row = admin.getByTestId('devices').locator('tr', { hasText: '二号门' });
  await expect(row).toContainText('待配对');
  await row.getByRole('combobox').selectOption({ label: '急危重症诊疗新进展学习班 · 全天授课' });
  await expect(row).toContainText('急危重症诊疗新进展学习班');

  const kioskContext = await browser.newContext();
  await kioskContext.clock.install({ time: morning });
  const kiosk = await kioskContext.newPage();
  await kiosk.goto(`${server.url}/kiosk`);
  // A code typed in lower case without the dash still works; a second use does not.
  await kiosk.getByLabel('配对码').fill(code.toLowerCase().replace('-', ''));
  await kiosk.getByRole('button', { name: '配对' }).click();
  await setKioskPin(kiosk);
  await kiosk.getByRole('button', { name: /急危重症诊疗新进展学习班/ }).click();
  // A number typed by hand is checked at the door, and stays in the field to be corrected.
  await kiosk.getByLabel('手工录入卡号').fill('123');
  await kiosk.getByRole('button', { name: '录入' }).click();
  await expect(kiosk.getByRole('alert')).toHaveText('继教卡号应为 12 位，请核对卡面后重新输入');
  await expect(kiosk.getByLabel('手工录入卡号')).toHaveValue('123');
  await expect(kiosk.getByTestId('tap-headline')).toHaveText('请刷卡');
  await kiosk.getByLabel('手工录入卡号').fill(demoCardNumber(7));
  await kiosk.getByRole('button', { name: '录入' }).click();
  await expect(kiosk.getByTestId('tap-headline')).toContainText('签到');
  await expect(kiosk.getByTestId('status-pending')).toHaveText('0');

  const other = await (await browser.newContext()).newPage();
  await other.goto(`${server.url}/kiosk`);
  await other.getByLabel('配对码').fill(code);
  await other.getByRole('button', { name: '配对' }).click();
  await expect(other.getByRole('alert')).toHaveText('配对码无效、已使用或已过期');

  // The page is in the address: a reload stays on the devices.
  await admin.reload();
  await expect(row).toContainText('已配对');
  // Revoking asks first: cancelled, nothing changes.
  await row.getByRole('button', { name: '停用' }).click();
  await admin.getByRole('dialog').getByRole('button', { name: '取消' }).click();
  await expect(row).toContainText('已配对');
  await row.getByRole('button', { name: '停用' }).click();
  await admin.getByRole('dialog').getByRole('button', { name: '停用' }).click();
  await expect(row).toContainText('已停用');

  // The revoked kiosk keeps its taps and says why it cannot sync.
  await kiosk.getByLabel('手工录入卡号').fill(demoCardNumber(8));
  await kiosk.getByRole('button', { name: '录入' }).click();
  await expect(kiosk.getByRole('alert')).toHaveText('此设备已被停用，请联系管理员');
  await expect(kiosk.getByTestId('status-pending')).toHaveText('1');
});
