// The kiosk on the screens it is used on: a phone, a tablet either way round, a desktop. On each,
// every kiosk screen on the way to the door and out of it (pairing, the PIN, the session choice,
// a tap, the PIN pad) fits the width, its targets are fingertip-sized and apart, and a screenshot
// is kept (test-results/screens/); the door waiting and the reader settings are every-page's.
// Kiosk mode hides the site and the admin PIN leaves it.
import { expect, type Page, test } from '@playwright/test';
import { checkLayout, keepScreenshot, resize, SIZES, type Size } from './layout.ts';
import { demoMorning, KIOSK_PIN, leaveKioskMode, ServerProcess, setKioskPin } from './server.ts';

const isTablet = (size: Size) => size.name.startsWith('tablet');
/** The demo's test hook (apps/kiosk/README.md), as far as this file uses it. */
type HookWindow = { __opencmeDemoReader?: { swipeIcCard(uidHex: string): void } };

const server = new ServerProcess();
const morning = demoMorning();
let page: Page;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async ({ browser }) => {
  await server.start({ clockStart: morning });
  page = await browser.newPage();
  await page.clock.install({ time: morning });
});
test.afterAll(async () => {
  await page.close();
  await server.dispose();
});

/** This kiosk screen at this size: it fits, nothing overlaps, every target takes a fingertip; a screenshot is kept. */
async function checkPage(label: string, size: Size): Promise<void> {
  await resize(page, size);
  await checkLayout(page, `${label} at ${size.name}`, { touch: true });
  await keepScreenshot(page, test.info(), `kiosk-${label}-${size.name}`);
}

const siteNavigation = () => page.getByRole('banner').getByRole('link', { name: '管理' });

test('pairing, then the admin PIN typed twice, fit every screen', async () => {
  await page.goto(`${server.url}/kiosk`);
  await expect(page.getByLabel('配对码')).toBeVisible();
  for (const size of SIZES) await checkPage('pairing', size);

  await page.getByLabel('配对码').fill(server.pairingCode);
  await page.getByRole('button', { name: '配对' }).click();
  await expect(page.getByLabel('新的管理员 PIN')).toBeVisible();
  for (const size of SIZES) await checkPage('pin-setup', size);
  // Two PINs that differ are refused: a mistyped PIN would lock the admin out.
  await page.getByLabel('新的管理员 PIN').fill(KIOSK_PIN);
  await page.getByLabel('再次输入 PIN').fill('1357');
  await page.getByRole('button', { name: '保存 PIN' }).click();
  await expect(page.getByRole('alert')).toHaveText('两次输入的 PIN 不一致');
  await setKioskPin(page);
  await expect(page.getByRole('heading', { name: '选择场次' })).toBeVisible();
});

test('the session choice fits every screen, with the site still reachable', async () => {
  await expect(page.getByRole('button', { name: /急危重症诊疗新进展学习班/ })).toBeVisible();
  await expect(siteNavigation()).toBeVisible();
  for (const size of SIZES) await checkPage('session-choice', size);
  await page.getByRole('button', { name: /急危重症诊疗新进展学习班/ }).click();
  await expect(page.getByTestId('tap-headline')).toHaveText('请刷卡');
});

test('at the door the site is hidden; a tap shows the face large with name and department, on every screen', async () => {
  await expect(siteNavigation()).toHaveCount(0);
  await expect(page.getByRole('link', { name: '签到机' })).toHaveCount(0);
  await expect(page.getByTestId('status-last-sync')).not.toContainText('从未');
  // The demo server offers its simulated reader; the hook taps through it.
  await page.getByRole('button', { name: '演示读卡器' }).click();
  await expect(page.getByTestId('reader-status')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('demo-reader')).toBeVisible();

  // Card holders whose photo is in the kiosk's store (fetched by hash in the background after the roster).
  const readHolders = () =>
    page.evaluate(
      () =>
        new Promise<{ uid: string; name: string; department: string | null }[]>((resolve, reject) => {
          const open = indexedDB.open('opencme-kiosk');
          open.onerror = () => reject(open.error ?? new Error('IndexedDB request failed'));
          open.onsuccess = () => {
            const tx = open.result.transaction(['people', 'photos']);
            const people = tx.objectStore('people').getAll();
            const photos = tx.objectStore('photos').getAllKeys();
            tx.oncomplete = () => {
              open.result.close();
              const held = new Set(photos.result);
              resolve(
                (people.result as { name: string; department: string | null; photoHash?: string | null; cards: string[]; lost?: string[] }[]).flatMap((p) =>
                  p.cards
                    .filter((key) => key.startsWith('ic-card:') && !p.lost?.includes(key) && held.has(p.photoHash ?? ''))
                    .map((key) => ({ uid: key.slice('ic-card:'.length), name: p.name, department: p.department })),
                ),
              );
            };
          };
        }),
    );
  await expect.poll(async () => (await readHolders()).length).toBeGreaterThanOrEqual(SIZES.length);
  const holders = await readHolders();
  expect(holders.length).toBeGreaterThanOrEqual(SIZES.length);

  for (const [i, size] of SIZES.entries()) {
    const holder = holders[i]!;
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.evaluate((uid) => (window as unknown as HookWindow).__opencmeDemoReader!.swipeIcCard(uid), holder.uid);
    await expect(page.getByTestId('tap-name')).toHaveText(holder.name);
    await expect(page.getByTestId('tap-headline')).toHaveText(/^签到/);
    if (holder.department) await expect(page.getByTestId('tap-result')).toContainText(holder.department);
    const photo = page.getByTestId('tap-result').locator('img');
    await expect(photo).toBeVisible();
    expect(await photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await checkPage('door-tap', size);
    if (isTablet(size)) {
      // On the tablet the face is at least its registry size (358×441) and, with name and result, on screen without scrolling.
      await page.evaluate(() => window.scrollTo(0, 0));
      const box = (await photo.boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(420);
      for (const shown of [photo, page.getByTestId('tap-name'), page.getByTestId('tap-headline')]) await expect(shown).toBeInViewport({ ratio: 1 });
    }
  }
});

test('leaving kiosk mode takes the admin PIN: a wrong one stays at the door, the right one reaches the reader settings', async () => {
  await page.getByRole('button', { name: '退出签到模式' }).click();
  await page.getByLabel('管理员 PIN').fill('1357');
  await page.getByRole('button', { name: '确定' }).click();
  await expect(page.getByRole('dialog').getByRole('alert')).toHaveText('PIN 不正确');
  await expect(page.getByRole('link', { name: '读卡器设置' })).toHaveCount(0);
  for (const size of SIZES) await checkPage('pin-pad', size);
  // The on-screen pad types too.
  for (const digit of '135') await page.getByRole('dialog').getByRole('button', { name: digit, exact: true }).click();
  await expect(page.getByLabel('管理员 PIN')).toHaveValue('135');
  await page.getByRole('button', { name: '取消' }).click();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  expect(new URL(page.url()).pathname).toBe('/kiosk');
  await expect(siteNavigation()).toHaveCount(0);

  await leaveKioskMode(page);
  for (const size of SIZES) await checkPage('leave-choices', size);
  await page.getByRole('link', { name: '读卡器设置' }).click();
  await expect(page.getByRole('heading', { name: '读卡器设置', level: 1 })).toBeVisible();
  await expect(siteNavigation()).toBeVisible();
  await expect(page.getByRole('heading', { name: '演示读卡器' })).toBeVisible();

  // Back at the door, kiosk mode again without a PIN.
  await page.getByRole('link', { name: '返回签到' }).click();
  await expect(page.getByTestId('tap-headline')).toHaveText('请刷卡');
  await expect(siteNavigation()).toHaveCount(0);
});

test('a production server (health says demo: false) gets no demo reader, at the door or in the settings', async () => {
  // The demo server is the only one a kiosk can be paired with here (production has no accounts
  // to issue a pairing code): its health answer is given as production gives it.
  await page.route('**/api/health', (route) => route.fulfill({ json: { status: 'ok', version: 'test', database: 'sqlite', demo: false } }));
  await page.reload();
  await expect(page.getByTestId('tap-headline')).toHaveText('请刷卡');
  await expect(page.getByTestId('demo-banner')).toHaveCount(0);
  await expect(page.getByRole('button', { name: '演示读卡器' })).toHaveCount(0);
  await expect(page.getByTestId('demo-reader')).toHaveCount(0);
  // The simulated reader left on by the demo is switched off: the real one is used.
  await expect.poll(() => page.evaluate(() => (window as unknown as HookWindow).__opencmeDemoReader === undefined)).toBe(true);
  await leaveKioskMode(page);
  await page.getByRole('link', { name: '读卡器设置' }).click();
  await expect(page.getByRole('heading', { name: '读卡器设置', level: 1 })).toBeVisible();
  await expect(page.getByRole('heading', { name: '演示读卡器' })).toHaveCount(0);
  await expect(page.getByTestId('demo-reader')).toHaveCount(0);
});
