// The kiosk on the screens it is used on: a phone, a tablet either way round, a desktop. On each,
// every kiosk page fits the width, its targets are fingertip-sized and apart, and a screenshot is
// kept (test-results/) for a person to look at. Kiosk mode hides the site and the admin PIN leaves it.
import { expect, type Page, test } from '@playwright/test';
import { demoMorning, KIOSK_PIN, leaveKioskMode, ServerProcess, setKioskPin } from './server.ts';

const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet-landscape', width: 1280, height: 800 },
  { name: 'tablet-portrait', width: 800, height: 1280 },
  { name: 'desktop', width: 1440, height: 900 },
] as const;
type Size = (typeof SIZES)[number];
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

interface Target {
  what: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The page as a finger meets it: its width against the window's, and every visible button, link,
 * input and select (a radio or checkbox by its label, which is what one taps). With a modal dialog
 * open, only the dialog's: the rest of the page cannot be touched.
 */
function measure(p: Page) {
  return p.evaluate(() => {
    const scope = document.querySelector('dialog[open]') ?? document;
    const targets: Target[] = [];
    for (const el of scope.querySelectorAll<HTMLElement>('button, a[href], input, select, textarea')) {
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0 || getComputedStyle(el).visibility === 'hidden') continue;
      const box = el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox') ? (el.closest('label') ?? el) : el;
      const r = box.getBoundingClientRect();
      const what = `${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('aria-label') || (el as HTMLInputElement).name || '').trim().slice(0, 30)}"`;
      targets.push({ what, left: r.left + window.scrollX, top: r.top + window.scrollY, width: r.width, height: r.height });
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, text: document.body.innerText, targets };
  });
}

async function checkPage(label: string, size: Size): Promise<void> {
  await page.setViewportSize({ width: size.width, height: size.height });
  // Fonts and layout settle after a resize.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const { scrollWidth, innerWidth, text, targets } = await measure(page);
  const where = `${label} at ${size.name}`;
  expect(scrollWidth, `${where}: no horizontal scroll`).toBeLessThanOrEqual(innerWidth);

  const small = targets.filter((t) => t.width < 47.5 || t.height < 47.5).map((t) => `${t.what} ${Math.round(t.width)}×${Math.round(t.height)}`);
  expect(small, `${where}: targets under 48×48 px`).toEqual([]);

  const overlaps: string[] = [];
  for (const [i, a] of targets.entries()) {
    for (const b of targets.slice(i + 1)) {
      const x = Math.min(a.left + a.width, b.left + b.width) - Math.max(a.left, b.left);
      const y = Math.min(a.top + a.height, b.top + b.height) - Math.max(a.top, b.top);
      if (x > 1 && y > 1) overlaps.push(`${a.what} / ${b.what}`);
    }
  }
  expect(overlaps, `${where}: overlapping targets`).toEqual([]);

  // What a person reads: no record ids, no JSON, no untranslated message keys.
  expect(text, `${where}: no UUID`).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
  expect(text, `${where}: no JSON`).not.toMatch(/[{[]\s*"/);
  expect(text, `${where}: no message keys`).not.toMatch(/\b(?:app|pair|pin|session|tap|demo|reader|status|selfTest)\.[a-zA-Z]/);

  // Kept under test-results/ for a person to look at: a layout can pass every check and still look wrong.
  await page.screenshot({ path: test.info().outputPath(`${label}-${size.name}.png`), fullPage: true });
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
  for (const size of SIZES) await checkPage('door-waiting', size);

  const holders = await page.evaluate(
    () =>
      new Promise<{ uid: string; name: string; department: string | null }[]>((resolve, reject) => {
        const open = indexedDB.open('opencme-kiosk');
        open.onerror = () => reject(open.error ?? new Error('IndexedDB request failed'));
        open.onsuccess = () => {
          const tx = open.result.transaction(['credentials', 'people']);
          const cards = tx.objectStore('credentials').getAll();
          const people = tx.objectStore('people').getAll();
          tx.oncomplete = () => {
            open.result.close();
            const byId = new Map((people.result as { id: string; name: string; department: string | null; photo: string | null }[]).map((p) => [p.id, p]));
            resolve(
              (cards.result as { key: string; kind: string; personId: string; status: string }[])
                .filter((c) => c.kind === 'ic-card' && c.status === 'active' && byId.get(c.personId)?.photo)
                .map((c) => ({ uid: c.key.slice('ic-card:'.length), name: byId.get(c.personId)!.name, department: byId.get(c.personId)!.department })),
            );
          };
        };
      }),
  );
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
  for (const size of SIZES) await checkPage('reader-settings', size);

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
