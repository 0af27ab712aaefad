// Two kiosks at the doors of one session, both offline for the whole event, one with its clock
// 10 minutes fast. People sign in at one door and out at the other. After both sync, every
// person has one attendance with the right times and the right credit decision.
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { adminCookie, adminMutation, adminQuery, demoCardNumber, ServerProcess, setKioskPin } from './server.ts';

const server = new ServerProcess();
const DAY = '2026-12-01';
/** A moment of the day in Beijing time: '07:50' or '07:52:30'. */
const beijing = (time: string) => new Date(`${DAY}T${time.length === 5 ? `${time}:00` : time}+08:00`);
const FAST_MS = 10 * 60_000;

test.afterAll(() => server.dispose());

interface Door {
  context: BrowserContext;
  page: Page;
  skewMs: number;
}

async function openDoor(browser: import('@playwright/test').Browser, skewMs: number, pairingCode: string): Promise<Door> {
  const context = await browser.newContext();
  // The tablet's clock: the server's time plus its error, running on from there.
  await context.clock.install({ time: new Date(beijing('07:30').getTime() + skewMs) });
  const page = await context.newPage();
  await page.goto(`${server.url}/kiosk`);
  await page.getByLabel('配对码').fill(pairingCode);
  await page.getByRole('button', { name: '配对' }).click();
  await setKioskPin(page);
  await page.getByRole('button', { name: /急危重症诊疗新进展学习班/ }).click();
  await expect(page.getByTestId('tap-headline')).toHaveText('请刷卡');
  await expect(page.getByTestId('status-last-sync')).not.toContainText('从未');
  return { context, page, skewMs };
}

/** Types a card number at a door at a true Beijing time (the door's own clock reads that plus its error). */
async function tap(door: Door, card: string, time: string) {
  await door.context.clock.pauseAt(new Date(beijing(time).getTime() + door.skewMs));
  const pending = door.page.getByTestId('status-pending');
  const before = Number(await pending.textContent());
  await door.page.getByLabel('手工录入卡号').fill(card);
  await door.page.getByRole('button', { name: '录入' }).click();
  // Every tap is recorded, whatever the door says about it.
  await expect(pending).toHaveText(String(before + 1));
  return door.page.getByTestId('tap-result');
}

const headline = (result: import('@playwright/test').Locator) => result.getByTestId('tap-headline');

test('two offline doors, one clock 10 minutes fast: one correct attendance per person after both sync', async ({ browser }) => {
  await server.start({ clockStart: beijing('07:30') });
  const cookie = await adminCookie(server.url);
  const [session] = await adminQuery<{ id: string; startsAt: string }[]>(server.url, cookie, 'sessions.list', undefined);
  expect(session!.startsAt).toBe(`${DAY}T08:00:00+08:00`);
  const west = await adminMutation<{ id: string; pairingCode: string }>(server.url, cookie, 'devices.create', { name: '西门签到机' });
  await adminMutation(server.url, cookie, 'devices.assignSession', { deviceId: west.id, sessionId: session!.id });

  const a = await openDoor(browser, 0, server.pairingCode);
  const b = await openDoor(browser, FAST_MS, west.pairingCode);
  await server.stop();

  const [p1, p2, p3, p4, p5] = [demoCardNumber(1), demoCardNumber(2), demoCardNumber(3), demoCardNumber(4), demoCardNumber(5)];
  // Morning (session 08:00–18:00; sign-in on time until 08:15, by the server's clock).
  await expect(headline(await tap(a, p1, '07:50'))).toHaveText(/^签到\s*07:50$/);
  await expect(headline(await tap(b, p2, '07:51'))).toHaveText(/^签到\s*08:01$/); // door B's clock
  await expect(headline(await tap(a, p3, '07:52'))).toHaveText(/^签到\s*07:52$/);
  await expect(headline(await tap(a, p3, '07:52:30'))).toHaveText(/^已签到\s*07:52$/); // a second swipe inside the gap
  await expect(headline(await tap(b, p4, '07:53'))).toHaveText(/^签到\s*08:03$/);
  // 08:10 by the true time is on time; door B's clock reads 08:20, late by its own count.
  await expect(headline(await tap(b, p5, '08:10'))).toHaveText(/^签到\s*08:20$/);

  // Afternoon: p1 leaves by door B, p2 by door A, p3 and p5 by the door they came in, p4 never signs out.
  // Offline, a door knows only its own taps: door B never saw p1 arrive, nor door A p2.
  await expect(headline(await tap(b, p1, '17:50'))).toHaveText(/^签到\s*18:00$/);
  await expect(headline(await tap(a, p2, '17:50'))).toHaveText(/^签到\s*17:50$/);
  const p3out = await tap(a, p3, '17:55');
  await expect(headline(p3out)).toHaveText(/^签退\s*17:55$/);
  await expect(p3out).toContainText('在场 595 分钟，符合学分要求'); // door A saw both taps: a provisional pass
  const p5out = await tap(b, p5, '17:56');
  await expect(headline(p5out)).toHaveText(/^签退\s*18:06$/);
  // By door B's fast clock p5 came at 08:20: the door says no credit; the server, which corrects the clock, decides.
  await expect(p5out).toContainText('未达到学分要求');
  await expect(a.page.getByTestId('status-pending')).toHaveText('5');
  await expect(b.page.getByTestId('status-pending')).toHaveText('5');

  // Back on the network at 18:30: each tablet's clock still runs with its own error.
  // The tablets' clocks jump to 18:30 while the server is still down: a fake clock fires the timers
  // it jumps over at their own moments, and a sync that reached the server in the middle of the
  // jump would show it a clock hours behind. Real clocks do not jump; the server then comes back.
  for (const door of [a, b]) {
    await door.context.clock.pauseAt(new Date(beijing('18:30').getTime() + door.skewMs));
    await door.context.clock.resume();
  }
  await server.start({ clockStart: beijing('18:30') });
  for (const door of [a, b]) await door.page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(a.page.getByTestId('status-pending')).toHaveText('0', { timeout: 30_000 });
  await expect(b.page.getByTestId('status-pending')).toHaveText('0', { timeout: 30_000 });

  const fresh = await adminCookie(server.url);
  const { people } = await adminQuery<{
    people: { cmeNumber: string; signInAt: string | null; signOutAt: string | null; status: string; shortfalls: string[] }[];
  }>(server.url, fresh, 'sessions.attendance', { sessionId: session!.id });
  const of = (card: string) => people.find((p) => p.cmeNumber === card)!;
  // Corrected times are within seconds of the truth (the push's transit time and the restart).
  const near = (iso: string | null, hhmm: string) => Math.abs(Date.parse(iso!) - beijing(hhmm).getTime()) < 30_000;
  expect(people).toHaveLength(5);
  const expected: [string, string, string | null, string][] = [
    [p1, '07:50', '17:50', 'complete'],
    [p2, '07:51', '17:50', 'complete'],
    [p3, '07:52', '17:55', 'complete'],
    [p4, '07:53', null, 'incomplete'],
    [p5, '08:10', '17:56', 'complete'],
  ];
  for (const [card, signIn, signOut, status] of expected) {
    const row = of(card);
    expect(near(row.signInAt, signIn), `${card} sign-in ${row.signInAt}`).toBe(true);
    if (signOut) expect(near(row.signOutAt, signOut), `${card} sign-out ${row.signOutAt}`).toBe(true);
    else expect(row.signOutAt).toBeNull();
    expect(row.status, card).toBe(status);
  }
  expect(of(p4).shortfalls).toEqual(['no-sign-out']);
  await a.context.close();
  await b.context.close();
});
