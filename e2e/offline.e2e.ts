import { expect, type Page, test } from '@playwright/test';
import { adminCookie, adminQuery, demoCardNumber, demoMorning, ServerProcess, setKioskPin } from './server.ts';

const server = new ServerProcess();
// The demo session is today 08:00–18:00: the server and the browsers stand inside it.
const morning = demoMorning();
test.beforeAll(() => server.start({ clockStart: morning }));
test.beforeEach(({ context }) => context.clock.install({ time: morning }));
test.afterAll(() => server.dispose());

async function pairAndChooseSession(page: Page) {
  await page.goto(`${server.url}/kiosk`);
  await page.getByLabel('配对码').fill(server.pairingCode);
  await page.getByRole('button', { name: '配对' }).click();
  await setKioskPin(page);
  await page.getByRole('button', { name: /急危重症诊疗新进展学习班/ }).click();
  await expect(page.getByTestId('tap-headline')).toHaveText('请刷卡');
  // The roster has arrived and the service worker controls the page: the kiosk may lose the network.
  await expect(page.getByTestId('status-last-sync')).not.toContainText('从未');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

test('a kiosk records 50 taps with the server down, survives reloads, and delivers each tap exactly once', async ({ page }) => {
  await pairAndChooseSession(page);

  await server.stop();
  await page.reload();
  await expect(page.getByTestId('tap-headline')).toHaveText('请刷卡');

  const cardNumbers = Array.from({ length: 50 }, (_, i) => demoCardNumber(i + 1));
  for (const number of cardNumbers) {
    await page.getByLabel('手工录入卡号').fill(number);
    await page.getByRole('button', { name: '录入' }).click();
    await expect(page.getByTestId('tap-headline')).toContainText('签到');
  }
  await expect(page.getByTestId('tap-name')).not.toBeEmpty();
  await expect(page.getByTestId('status-pending')).toHaveText('50');
  await expect(page.getByTestId('status-online')).toHaveText('离线');
  await expect(page.getByTestId('status-oldest')).toBeVisible();

  // A reload while offline loses nothing.
  await page.reload();
  await expect(page.getByTestId('status-pending')).toHaveText('50');

  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { pendingSeen: string[] }).pendingSeen = seen;
    const el = document.querySelector('[data-testid="status-pending"]')!;
    seen.push(el.textContent ?? '');
    new MutationObserver(() => seen.push(el.textContent ?? '')).observe(el, { childList: true, characterData: true, subtree: true });
  });

  await server.start();
  await expect(page.getByTestId('status-pending')).toHaveText('0', { timeout: 30_000 });
  await expect(page.getByTestId('status-online')).toHaveText('在线');

  const seen = await page.evaluate(() => (window as unknown as { pendingSeen: string[] }).pendingSeen.map(Number));
  expect(seen[0]).toBe(50);
  expect(seen.at(-1)).toBe(0);
  expect(seen.every((n, i) => i === 0 || n <= seen[i - 1]!)).toBe(true);

  const cookie = await adminCookie(server.url);
  const [session] = await adminQuery<{ id: string }[]>(server.url, cookie, 'sessions.list', undefined);
  const { taps, people } = await adminQuery<{ taps: { tapId: string; status: string }[]; people: { cmeNumber: string }[] }>(
    server.url,
    cookie,
    'sessions.attendance',
    { sessionId: session!.id },
  );
  expect(taps).toHaveLength(50);
  expect(new Set(taps.map((t) => t.tapId)).size).toBe(50);
  expect(taps.every((t) => t.status === 'accepted')).toBe(true);
  expect(people.map((p) => p.cmeNumber).sort()).toEqual(cardNumbers);

  // The admin page shows the same: 50 taps, 50 people signed in.
  await page.goto(`${server.url}/admin`);
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill('opencme-demo');
  await page.getByRole('button', { name: '登录' }).click();
  await page.getByRole('link', { name: '场次', exact: true }).click();
  await page.getByRole('link', { name: /急危重症诊疗新进展学习班/ }).click();
  await expect(page.getByTestId('attendance').locator('tbody tr')).toHaveCount(50);
  await expect(page.getByTestId('taps').locator('tbody tr')).toHaveCount(50);
  await expect(page.getByTestId('attendance')).toContainText(demoCardNumber(50));
});
