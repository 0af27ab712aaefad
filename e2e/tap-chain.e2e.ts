// The kiosk's signed tap chain in a real browser: its taps verify as a complete chain, and a tap
// deleted from its IndexedDB before it reached the server shows in the admin's device list as a gap.
import { expect, type Page, test } from '@playwright/test';
import { demoCardNumber, demoMorning, ServerProcess, setKioskPin } from './server.ts';

const server = new ServerProcess();
const morning = demoMorning();
test.beforeAll(() => server.start({ clockStart: morning }));
test.beforeEach(({ context }) => context.clock.install({ time: morning }));
test.afterAll(() => server.dispose());

async function tapCards(page: Page, from: number, count: number) {
  for (let n = from; n < from + count; n++) {
    await page.getByLabel('手工录入卡号').fill(demoCardNumber(n));
    await page.getByRole('button', { name: '录入' }).click();
    await expect(page.getByTestId('tap-name')).not.toBeEmpty();
  }
}

/** The admin's device list in a page of its own, signed in. */
async function deviceList(page: Page) {
  const admin = await page.context().newPage();
  await admin.goto(`${server.url}/admin`);
  await admin.getByLabel('用户名').fill('admin');
  await admin.getByLabel('密码').fill('opencme-demo');
  await admin.getByRole('button', { name: '登录' }).click();
  await expect(admin.getByRole('link', { name: '设备', exact: true })).toBeVisible();
  await admin.goto(`${server.url}/admin/devices`);
  return { admin, chain: admin.getByTestId('chain-state') };
}

test('a kiosk signs a complete chain; a tap deleted from its outbox before syncing shows as a gap', async ({ page }) => {
  await page.goto(`${server.url}/kiosk`);
  await page.getByLabel('配对码').fill(server.pairingCode);
  await page.getByRole('button', { name: '配对' }).click();
  await setKioskPin(page);
  await page.getByRole('button', { name: /急危重症诊疗新进展学习班/ }).click();
  await expect(page.getByTestId('status-last-sync')).not.toContainText('从未');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

  await tapCards(page, 1, 5);
  await expect(page.getByTestId('status-pending')).toHaveText('0', { timeout: 30_000 });
  const { admin, chain } = await deviceList(page);
  await expect(chain).toHaveText('当前：完整至第 5 条');

  // Offline, four more taps; the test then deletes the 7th from IndexedDB, as someone might.
  await server.stop();
  await tapCards(page, 6, 4);
  await expect(page.getByTestId('status-pending')).toHaveText('4');
  const deleted = await page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('opencme-kiosk');
        open.onerror = () => reject(new Error('cannot open the kiosk database'));
        open.onsuccess = () => {
          const tx = open.result.transaction('taps', 'readwrite');
          const request = tx.objectStore('taps').index('seq').openCursor(IDBKeyRange.only(7));
          let count = 0;
          request.onsuccess = () => {
            const cursor = request.result;
            if (!cursor) return;
            cursor.delete();
            count += 1;
            cursor.continue();
          };
          tx.oncomplete = () => {
            open.result.close();
            resolve(count);
          };
        };
      }),
  );
  expect(deleted).toBe(1);
  await page.reload();
  await expect(page.getByTestId('status-pending')).toHaveText('3');

  await server.start();
  await expect(page.getByTestId('status-pending')).toHaveText('0', { timeout: 30_000 });

  await admin.reload();
  await expect(chain).toContainText('当前：完整至第 6 条；缺第 7 条');
  await expect(chain).not.toContainText('签名不符');
});
