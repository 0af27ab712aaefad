// A nurse registers on her phone with a photo straight from the camera; the department reviewer
// approves; the CME card number appears on her phone.
import { validateCmeNumber } from '@opencme/core';
import { devices, expect, test } from '@playwright/test';
import { phonePhoto } from './photo.ts';
import { cspViolations, demoMorning, ServerProcess, setKioskPin } from './server.ts';

const server = new ServerProcess();
// The demo session is today 08:00–18:00: the server and the kiosk stand inside it, whatever the hour.
const morning = demoMorning();
test.beforeAll(() => server.start({ clockStart: morning }));
test.afterAll(() => server.dispose());

test('a nurse registers on a phone with a 4000×3000 photo, the reviewer approves, the card number appears, and the kiosk knows her ID card', async ({
  browser,
}) => {
  const phoneContext = await browser.newContext({ ...devices['Pixel 7'], locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const phone = await phoneContext.newPage();
  const refused = cspViolations(phone);
  await phone.goto(`${server.url}/register`);

  const photo = await phonePhoto(phone);
  expect(photo.length).toBeGreaterThan(2 * 1024 * 1024);

  await phone.getByLabel('单位').first().fill('第一人民医院');
  await phone.getByRole('combobox', { name: '单位' }).selectOption({ label: '合肥市第一人民医院（演示）' });
  await phone.getByLabel('科室').selectOption({ label: '心血管内科' });
  await phone.getByLabel('姓名').fill('林晓');
  // Validated while typing, with the reason when wrong.
  await phone.getByLabel('身份证号').fill('110105199003070018');
  await expect(phone.getByTestId('id-hint')).toHaveText('校验位不正确，请核对');
  await expect(phone.getByRole('button', { name: '提交注册' })).toBeDisabled();
  await phone.getByLabel('身份证号').fill('110105199003070017');
  await expect(phone.getByTestId('id-hint')).toHaveText('格式正确');
  await phone.getByLabel('手机号').fill('13955500001');
  await phone.getByLabel('护', { exact: true }).check();
  await phone.getByLabel('职称').selectOption('护师');
  await phone.getByLabel('学历').selectOption('本科');
  await phone.getByLabel('专业').fill('急诊护理');

  await phone.getByTestId('photo-file').setInputFiles({ name: 'IMG_20261123_0815.jpg', mimeType: 'image/jpeg', buffer: photo });
  const result = phone.getByTestId('photo-result');
  await expect(result).toContainText('358×441');
  // The person moves the crop a little: the photo is made again and still fits.
  const canvas = phone.getByTestId('photo-canvas');
  const box = (await canvas.boundingBox())!;
  await phone.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await phone.mouse.down();
  await phone.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 + 20, { steps: 5 });
  await phone.mouse.up();
  await expect(result).toContainText('KB');
  const bytes = Number(await result.getAttribute('data-bytes'));
  expect(bytes).toBeGreaterThan(10 * 1024);
  expect(bytes).toBeLessThanOrEqual(100 * 1024);
  // Her password: approval opens her account with it.
  await phone.getByLabel('登录密码').fill('lin-xiao-2026');
  await phone.getByLabel('再次输入密码').fill('lin-xiao-2026');

  await phone.getByRole('button', { name: '提交注册' }).click();
  await expect(phone.getByTestId('registration-status')).toHaveAttribute('data-status', 'pending');
  await expect(phone.getByTestId('registration-status')).toContainText('林晓');

  // The department reviewer approves from the review queue.
  const reviewer = await (await browser.newContext()).newPage();
  const refusedByReviewer = cspViolations(reviewer);
  await reviewer.goto(`${server.url}/admin`);
  await reviewer.getByLabel('用户名').fill('reviewer');
  await reviewer.getByLabel('密码').fill('opencme-demo');
  await reviewer.getByRole('button', { name: '登录' }).click();
  const row = reviewer.getByTestId('review-queue').locator('tr', { hasText: '林晓' });
  await expect(row).toContainText('110***********0017');
  await row.getByRole('button', { name: '通过' }).click();
  const issued = reviewer.getByTestId('issued');
  await expect(issued).toContainText('林晓');
  const cmeNumber = (await issued.locator('strong').textContent())!.trim();
  expect(validateCmeNumber(cmeNumber).valid).toBe(true);

  // The phone keeps the status link: a reload shows the card number.
  await phone.reload();
  await expect(phone.getByTestId('registration-status')).toHaveAttribute('data-status', 'approved');
  await expect(phone.getByTestId('cme-number')).toHaveText(cmeNumber);

  // A kiosk that syncs afterwards: her resident ID card on the (simulated) reader shows her name and photo.
  const kioskContext = await browser.newContext();
  await kioskContext.clock.install({ time: morning });
  const kiosk = await kioskContext.newPage();
  const refusedByKiosk = cspViolations(kiosk);
  await kiosk.goto(`${server.url}/kiosk`);
  await kiosk.getByLabel('配对码').fill(server.pairingCode);
  await kiosk.getByRole('button', { name: '配对' }).click();
  await setKioskPin(kiosk);
  await kiosk.getByRole('button', { name: /急危重症诊疗新进展学习班/ }).click();
  await expect(kiosk.getByTestId('status-last-sync')).not.toContainText('从未');
  await kiosk.getByRole('button', { name: '演示读卡器' }).click();
  await expect(kiosk.getByTestId('reader-status')).toHaveAttribute('data-state', 'ready');
  await kiosk.evaluate(() =>
    (window as unknown as { __opencmeDemoReader: { placeIdCard(card: { name: string; idNumber: string }): void } }).__opencmeDemoReader.placeIdCard({
      name: '林晓',
      idNumber: '110105199003070017',
    }),
  );
  await expect(kiosk.getByTestId('tap-name')).toHaveText('林晓');
  await expect(kiosk.getByTestId('tap-headline')).toContainText('签到');
  await expect(kiosk.getByTestId('tap-result')).toContainText('心血管内科');
  const face = kiosk.getByTestId('tap-result').locator('img');
  // The door shows the thumbnail it fetched by hash into its own store (issue 15), as a blob: URL.
  await expect(face).toHaveAttribute('src', /^blob:/);
  expect(await face.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);

  // Under the strict Content-Security-Policy: the shell's script ran, the service worker took
  // over the kiosk, the cropped photo and the door's thumbnail (both blob:) showed, nothing was refused.
  expect(await kiosk.evaluate(async () => Boolean((await navigator.serviceWorker.ready).active))).toBe(true);
  expect([...refused, ...refusedByReviewer, ...refusedByKiosk]).toEqual([]);
});

test('a hospital registers itself with its credit code, the city verifies it, and its administrator signs in', async ({ browser }) => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/register/unit`);
  // `npm start` runs the demo, and every page says so.
  await expect(page.getByTestId('demo-banner')).toHaveText('演示系统：演示账号的密码是公开的，请勿录入真实数据');
  await page.getByLabel('所在市州').selectOption({ label: '安徽省 · 合肥市' });
  await page.getByLabel('统一社会信用代码').fill('12340100485999901A');
  await expect(page.getByTestId('credit-code-hint')).toHaveText('校验位不正确，请核对');
  await page.getByLabel('统一社会信用代码').fill('12100000400000624D');
  await expect(page.getByTestId('credit-code-hint')).toHaveText('格式正确');
  await page.getByLabel('单位全称').fill('合肥市第二人民医院');
  await page.getByLabel('姓名').fill('医教科');
  await page.getByLabel('密码').fill('a-long-password');
  await page.getByRole('button', { name: '提交注册' }).click();
  await expect(page.getByTestId('unit-registered')).toBeVisible();
  // The administrator signs in with the unit's credit code: no login to choose, none found taken.
  await expect(page.getByTestId('unit-login')).toHaveText('12100000400000624D');
  const login = '12100000400000624D';

  const signIn = async (login: string, password: string) => {
    const admin = await (await browser.newContext()).newPage();
    await admin.goto(`${server.url}/admin`);
    await admin.getByLabel('用户名').fill(login);
    await admin.getByLabel('密码').fill(password);
    await admin.getByRole('button', { name: '登录' }).click();
    return admin;
  };
  const early = await signIn(login, 'a-long-password');
  await expect(early.getByRole('alert')).toHaveText('本单位尚未通过审核，审核通过后才能登录');

  const city = await signIn('city', 'opencme-demo');
  const row = city.getByTestId('pending-units').locator('tr', { hasText: '合肥市第二人民医院' });
  await expect(row).toContainText('12100000400000624D');
  await row.getByRole('button', { name: '通过审核' }).click();
  await expect(city.getByText('没有待审核的单位')).toBeVisible();

  const unitAdmin = await signIn(login, 'a-long-password');
  await expect(unitAdmin.getByRole('button', { name: '退出' })).toBeVisible();
});
