// Two kiosks at the doors of one session, both online. Someone signs in at the east door; a little
// later the same card at the west door says 签退: the west door read the east door's tap from the
// server (sync.sessionTaps) at its last round. A card only the west door has seen still signs in.
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { adminCookie, adminMutation, adminQuery, demoCardNumber, ServerProcess, setKioskPin } from './server.ts';

const server = new ServerProcess();
const DAY = '2026-12-01';
/** A moment of the day in Beijing time: '07:50' or '07:52:30'. */
const beijing = (time: string) => new Date(`${DAY}T${time.length === 5 ? `${time}:00` : time}+08:00`);

test.afterAll(() => server.dispose());

interface Door {
  context: BrowserContext;
  page: Page;
}

async function openDoor(browser: import('@playwright/test').Browser, pairingCode: string): Promise<Door> {
  const context = await browser.newContext();
  await context.clock.install({ time: beijing('07:30') });
  const page = await context.newPage();
  await page.goto(`${server.url}/kiosk`);
  await page.getByLabel('配对码').fill(pairingCode);
  await page.getByRole('button', { name: '配对' }).click();
  await setKioskPin(page);
  await page.getByRole('button', { name: /急危重症诊疗新进展学习班/ }).click();
  await expect(page.getByTestId('tap-headline')).toHaveText('请刷卡');
  await expect(page.getByTestId('status-last-sync')).not.toContainText('从未');
  return { context, page };
}

async function tap(door: Door, card: string, time: string) {
  await door.context.clock.pauseAt(beijing(time));
  const pending = door.page.getByTestId('status-pending');
  const before = Number(await pending.textContent());
  await door.page.getByLabel('手工录入卡号').fill(card);
  await door.page.getByRole('button', { name: '录入' }).click();
  await expect(pending).toHaveText(String(before + 1));
  return door.page.getByTestId('tap-headline');
}

test('two doors online: signed in at the east door, the same card at the west door says 签退', async ({ browser }) => {
  await server.start({ clockStart: beijing('07:30') });
  const cookie = await adminCookie(server.url);
  const [session] = await adminQuery<{ id: string }[]>(server.url, cookie, 'sessions.list', undefined);
  const west = await adminMutation<{ id: string; pairingCode: string }>(server.url, cookie, 'devices.create', { name: '西门签到机' });
  await adminMutation(server.url, cookie, 'devices.assignSession', { deviceId: west.id, sessionId: session!.id });

  const east = await openDoor(browser, server.pairingCode);
  const westDoor = await openDoor(browser, west.pairingCode);
  const [p1, p2] = [demoCardNumber(1), demoCardNumber(2)];

  await expect(await tap(east, p1, '07:50')).toHaveText(/^签到\s*07:50$/);
  // Online, the east door hands the tap to the server at once (with its clock running: the API
  // client batches its calls on a timer).
  await east.context.clock.resume();
  await expect(east.page.getByTestId('status-pending')).toHaveText('0', { timeout: 30_000 });

  // The west door's next round (every 15 s while idle) brings the east door's tap.
  await westDoor.context.clock.pauseAt(beijing('07:54'));
  await westDoor.context.clock.resume();
  await expect(westDoor.page.getByTestId('status-last-sync')).toContainText('07:54', { timeout: 30_000 });

  await expect(await tap(westDoor, p1, '07:56')).toHaveText(/^签退\s*07:56$/);
  // A card the east door never saw is a sign-in at the west door.
  await expect(await tap(westDoor, p2, '07:57')).toHaveText(/^签到\s*07:57$/);
});
