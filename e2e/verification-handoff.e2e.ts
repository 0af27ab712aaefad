// Verification to the province and on to HR, in the browser: the unit submits last year's year-end
// verification, the city forwards it, the province returns it with a reason the unit reads; the
// unit submits again, the city forwards, the province accepts (备案); on the HR page the province
// makes a token, downloads the signed JSON, and the pull API answers the same document.
import fs from 'node:fs';
import { chinaYear } from '@opencme/core';
import { type Browser, expect, type Page, test } from '@playwright/test';
import { adminCookie, adminMutation, adminQuery, ServerProcess, signedIn } from './server.ts';

let server: ServerProcess;
test.beforeAll(async () => {
  server = new ServerProcess();
  await server.start();
});
test.afterAll(() => server.dispose());

const year = chinaYear(new Date()) - 1;
const REASON = '护理部人数与花名册不符，请核对后重报';

/** Signed in on a light page first, then the compliance page of the year (its charts take a while). */
async function onCompliance(browser: Browser, login: string): Promise<Page> {
  const page = await signedIn(browser, server.url, '/admin/audit', login);
  await page.goto(`${server.url}/admin/compliance?year=${year}`);
  return page;
}

async function submitYearEnd(unit: Page) {
  await unit.getByRole('button', { name: '进行年终审验' }).click();
  await unit.getByRole('button', { name: '上报市州' }).click();
  await expect(unit.getByTestId('runs')).toContainText('等待市州转报');
}

test('unit submits → city forwards → province returns with its reason, then accepts; HR downloads and pulls the same signed rows', async ({ browser }) => {
  const unit = await onCompliance(browser, 'admin');
  await submitYearEnd(unit);

  const city = await onCompliance(browser, 'city');
  await city.getByTestId('runs').getByRole('button', { name: '转报省继教办' }).click();
  await expect(city.getByTestId('runs')).toContainText('等待省级备案');
  await city.context().close();

  const province = await onCompliance(browser, 'province');
  const runs = province.getByTestId('runs');
  await runs.getByRole('button', { name: '退回' }).click();
  const dialog = province.getByRole('dialog', { name: '退回' });
  await dialog.getByLabel('退回原因').fill(REASON);
  await dialog.getByRole('button', { name: '确定退回' }).click();
  await expect(runs).toContainText(`省级已退回（`);
  await expect(runs).toContainText(`：${REASON}`);

  // The unit reads where it stands and why, runs again and submits again; the city forwards again (here through the API).
  await unit.reload();
  await expect(unit.getByTestId('runs')).toContainText(REASON);
  await submitYearEnd(unit);
  const cityCookie = await adminCookie(server.url, 'city');
  const cityId = (await adminQuery<{ organisationId: string }>(server.url, cityCookie, 'auth.me', undefined)).organisationId;
  const [run] = await adminQuery<{ id: string }[]>(server.url, cityCookie, 'verification.runs', { organisationId: cityId, cmeYear: year });
  await adminMutation(server.url, cityCookie, 'verification.forward', { runIds: [run!.id] });

  await province.reload();
  await runs.getByRole('button', { name: '备案' }).click();
  await province.getByRole('dialog').getByRole('button', { name: '备案' }).click();
  await expect(runs).toContainText('省级已备案（');
  await unit.reload();
  await expect(unit.getByTestId('runs')).toContainText('省级已备案（');
  await unit.context().close();

  // HR: a token made on the page, the signed JSON downloaded, the same document pulled.
  await province.goto(`${server.url}/admin/hr?year=${year}`);
  await province.getByLabel('用途').fill('省人社厅职称评审系统');
  await province.getByRole('button', { name: '新建令牌' }).click();
  const token = (await province.getByTestId('hr-new-token').locator('code').textContent())!;
  await expect(province.getByTestId('hr-tokens')).toContainText('省人社厅职称评审系统');
  const handoffs = province.getByTestId('hr-handoffs');
  const [download] = await Promise.all([province.waitForEvent('download'), handoffs.getByRole('button', { name: '下载JSON（含签名）' }).click()]);
  const downloaded = JSON.parse(fs.readFileSync(await download.path(), 'utf8')) as { document: { people: unknown[] } };
  expect(downloaded.document.people.length).toBeGreaterThan(0);

  const unitId = (await adminQuery<{ organisationId: string }>(server.url, await adminCookie(server.url), 'auth.me', undefined)).organisationId;
  const pulled = await fetch(`${server.url}/api/hr/v1/results?unit=${unitId}&year=${year}`, { headers: { authorization: `Bearer ${token}` } });
  expect(pulled.status).toBe(200);
  expect(await pulled.json()).toEqual(downloaded);
});
