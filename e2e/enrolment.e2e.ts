// Attendees from other units and provinces, end to end in Chromium: a nurse of hospital B (芜湖)
// enrols on her phone from the public catalogue in hospital A's course; A's kiosk, with the server
// gone, shows her name and photo when her ID card is placed on the simulated reader; an external
// attendee (院外人员) is recorded at the door by her typed ID number and by the organiser on the
// project's page, and once the credits are approved her certificate downloads and /verify accepts it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chinaDate } from '@opencme/core';
import { expect, type Page, test } from '@playwright/test';
import { printedCode } from '../apps/server/test/pdf.ts';
import { keepScreenshot, resize, SIZES } from './layout.ts';
import { adminCookie, adminMutation, adminQuery, demoMorning, kioskAtDoor, ServerProcess, signedIn } from './server.ts';

const server = new ServerProcess();
const morning = demoMorning();
const COURSE = '急危重症诊疗新进展学习班';
/** The second hospital's nurse (apps/server/src/seed.ts, DEMO_STAFF_B). */
const NURSE = { login: 'staff-b', name: '沈若溪', idNumber: '340202199203150328' };
const EXTERNAL = { name: '林嘉怡', idNumber: '44030519900101123X', workplace: '深圳市人民医院' };

test.describe.configure({ mode: 'serial' });
test.beforeAll(() => server.start({ clockStart: morning }));
test.afterAll(() => server.dispose());

const phone = SIZES.find((s) => s.name === 'phone')!;
const desktop = SIZES.find((s) => s.name === 'desktop')!;

test('a nurse of another hospital enrols on her phone from the public catalogue', async ({ browser }, testInfo) => {
  const page = await (await browser.newContext({ viewport: { width: phone.width, height: phone.height }, isMobile: true, hasTouch: true })).newPage();
  await page.goto(`${server.url}/catalogue`);
  const course = page.getByTestId('catalogue-project').filter({ hasText: COURSE });
  await expect(course).toContainText('报名中');
  await expect(course).toContainText('合肥市第一人民医院（演示）');
  await expect(course).toContainText('2 学分（Ⅰ类）');
  await keepScreenshot(page, testInfo, 'catalogue-phone');
  await resize(page, desktop);
  await keepScreenshot(page, testInfo, 'catalogue-desktop');
  await resize(page, phone);

  await course.getByRole('button', { name: '登录后报名' }).click();
  await page.getByLabel('用户名').fill(NURSE.login);
  await page.getByLabel('密码').fill('opencme-demo');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await course.getByRole('button', { name: '报名', exact: true }).click();
  await expect(course).toContainText('已报名');
  await keepScreenshot(page, testInfo, 'catalogue-phone-enrolled');
  await page.context().close();
});

async function hook(page: Page, method: string, ...args: unknown[]): Promise<void> {
  await page.evaluate(
    async ([m, a]) => {
      const h = (window as unknown as { __opencmeDemoReader: Record<string, (...x: unknown[]) => unknown> }).__opencmeDemoReader;
      await h[m]!(...a);
    },
    [method, args] as [string, unknown[]],
  );
}

test('hospital A’s kiosk, offline, knows her by her ID card, and records an external attendee by her typed ID number', async ({ browser }) => {
  const page = await browser.newPage();
  await kioskAtDoor(page, server, morning);
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await page.getByRole('button', { name: '演示读卡器' }).click();
  await expect(page.getByTestId('reader-status')).toHaveAttribute('data-state', 'ready');
  // The photos come by hash after the roster, in the background: every one the roster names is in before the network goes.
  const photosIn = () =>
    page.evaluate(
      () =>
        new Promise<boolean>((resolve, reject) => {
          const open = indexedDB.open('opencme-kiosk');
          open.onerror = () => reject(open.error ?? new Error('IndexedDB request failed'));
          open.onsuccess = () => {
            const tx = open.result.transaction(['people', 'photos']);
            const people = tx.objectStore('people').getAll();
            const held = tx.objectStore('photos').getAllKeys();
            tx.oncomplete = () => {
              open.result.close();
              const have = new Set(held.result);
              const named = (people.result as { photoHash?: string | null }[]).flatMap((p) => (p.photoHash ? [p.photoHash] : []));
              resolve(named.length > 0 && named.every((hash) => have.has(hash)));
            };
          };
        }),
    );
  await expect.poll(photosIn).toBe(true);

  await server.stop();
  await hook(page, 'placeIdCard', { name: NURSE.name, idNumber: NURSE.idNumber });
  await expect(page.getByTestId('tap-name')).toHaveText(NURSE.name);
  await expect(page.getByTestId('tap-headline')).toContainText('签到');
  const photo = page.getByTestId('tap-result').locator('img');
  await expect(photo).toHaveAttribute('src', /^blob:/);
  expect(await photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await expect(page.getByTestId('status-online')).toHaveText('离线');
  await hook(page, 'removeCard');

  // The external attendee has no card of ours: her ID number, typed in full.
  await page.getByLabel('手工录入卡号').fill(EXTERNAL.idNumber);
  await page.getByRole('button', { name: '录入' }).click();
  await expect(page.getByTestId('tap-headline')).toContainText('未登记的卡');
  await expect(page.getByTestId('status-pending')).toHaveText('2');

  await server.start();
  await expect(page.getByTestId('status-pending')).toHaveText('0', { timeout: 30_000 });
  await page.close();
});

test('the organiser records the external attendee; after the credits are approved her certificate verifies', async ({ browser }) => {
  const admin = await signedIn(browser, server.url, '/admin', 'admin', { viewport: { width: desktop.width, height: desktop.height } });
  const cookie = await adminCookie(server.url);
  const [session] = await adminQuery<{ id: string }[]>(server.url, cookie, 'sessions.list', undefined);
  const projects = await adminQuery<{ id: string; name: string }[]>(server.url, cookie, 'projects.list', undefined);
  const projectId = projects.find((p) => p.name === COURSE)!.id;

  await admin.goto(`${server.url}/admin/projects/${projectId}?step=enrolment`);
  const list = admin.getByTestId('enrolment-list');
  await expect(list).toContainText(NURSE.name);
  await expect(list).toContainText('芜湖市第二人民医院（演示）');
  await admin.locator('input[name="external-name"]').fill(EXTERNAL.name);
  await admin.locator('input[name="external-id-number"]').fill(EXTERNAL.idNumber);
  await admin.locator('input[name="external-workplace"]').fill(EXTERNAL.workplace);
  await admin.getByRole('button', { name: '登记', exact: true }).click();
  const row = list.locator('tr').filter({ hasText: EXTERNAL.name });
  await expect(row).toContainText(EXTERNAL.workplace);
  await expect(row).toContainText('院外人员');

  // Her typed tap is hers now; she came at ten, and the organiser's paper sheet shows the whole day.
  const attendance = await adminQuery<{ people: { personId: string; name: string }[] }>(server.url, cookie, 'sessions.attendance', { sessionId: session!.id });
  const external = attendance.people.find((p) => p.name === EXTERNAL.name)!;
  expect(attendance.people.map((p) => p.name)).toContain(NURSE.name);
  const day = chinaDate(morning);
  await adminMutation(server.url, cookie, 'sessions.correctAttendance', {
    sessionId: session!.id,
    personId: external.personId,
    signInAt: `${day}T08:00:00+08:00`,
    signOutAt: `${day}T18:00:00+08:00`,
    reason: '会务组纸质签到表为证',
  });
  await row.getByLabel('合格', { exact: true }).check();
  // Kept once the page says so (the radio is ticked before the server has it): only then may the server stop.
  await expect(admin.getByText(`已保存 ${EXTERNAL.name} 的考核结果`)).toBeVisible();
  await expect(row.getByLabel('合格', { exact: true })).toBeChecked();

  // The next day: the report, the credits, the province's approval.
  await server.stop();
  await server.start({ clockStart: new Date(morning.getTime() + 24 * 3_600_000) });
  const organiser = await adminCookie(server.url);
  await adminMutation(server.url, organiser, 'projects.report', { projectId, summary: '按计划举办', attachments: [] });
  await adminMutation(server.url, organiser, 'projects.submitCredits', { projectId });
  await adminMutation(server.url, await adminCookie(server.url, 'province'), 'projects.reviewCredits', { projectId, decision: 'approve', reason: null });

  const again = await signedIn(browser, server.url, `/admin/projects/${projectId}?step=enrolment`, 'admin', {
    viewport: { width: desktop.width, height: desktop.height },
  });
  const certified = again.getByTestId('enrolment-list').locator('tr').filter({ hasText: EXTERNAL.name });
  await certified.getByRole('button', { name: '电子学分证书' }).click();
  const downloading = again.waitForEvent('download');
  await certified.getByTestId('certificate-download').click();
  const download = await downloading;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-certificate-')), 'certificate.pdf');
  await download.saveAs(file);
  const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  expect(text).toContain('继续医学教育电子学分证书');
  expect(text).toContain(EXTERNAL.name);

  await again.goto(`${server.url}/verify`);
  await expect(again.getByTestId('verify-keys')).toContainText('验证密钥已保存于本设备');
  await again.getByLabel('二维码内容').fill(printedCode(text));
  await again.getByRole('button', { name: '核验', exact: true }).click();
  await expect(again.getByTestId('verify-result')).toContainText('签名有效');
  await expect(again.getByTestId('verify-name')).toHaveText(EXTERNAL.name);
  await admin.context().close();
  await again.context().close();
});
