// The verify page as a recipient uses it: one online visit saves the server's key; after that,
// with the server gone, a pasted proof code is verified in the browser from its signature alone.
// Offline, the page says plainly that revocation was not checked. A tampered code is refused, a
// revoked proof shows as revoked once the server is back, a withdrawn key verifies nothing, and a
// browser that never saw the key says so instead of pretending.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { printedCode } from '../apps/server/test/pdf.ts';
import { adminCookie, adminQuery, ServerProcess } from './server.ts';

const server = new ServerProcess();
test.beforeAll(() => server.start());
test.afterAll(() => server.dispose());

async function adminMutation<T>(cookie: string, procedure: string, input: unknown): Promise<T> {
  const res = await fetch(`${server.url}/trpc/${procedure}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ json: input }),
  });
  const body = (await res.json()) as { result?: { data: { json: T } }; error?: unknown };
  if (!body.result) throw new Error(`${procedure} failed: ${JSON.stringify(body.error)}`);
  return body.result.data.json;
}

/** Prints one person's proof through the API and reads its verification code from the PDF text. */
async function printProofCode(cookie: string, personId: string): Promise<string> {
  const year = new Date().getFullYear();
  const { jobId } = await adminMutation<{ jobId: string }>(cookie, 'proofs.printPerson', { personId, fromYear: year, toYear: year });
  await expect
    .poll(async () => (await adminQuery<{ downloadUrl: string | null }>(server.url, cookie, 'proofs.job', { jobId })).downloadUrl, { timeout: 30_000 })
    .not.toBeNull();
  const pdf = Buffer.from(await (await fetch(`${server.url}/api/files/print/${jobId}`, { headers: { cookie } })).arrayBuffer());
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-verify-')), 'proof.pdf');
  fs.writeFileSync(file, pdf);
  return printedCode(execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }));
}

test('verifies a proof offline from its signature and says revocation was not checked, refuses a tampered one, shows a revoked one, and refuses a withdrawn key', async ({
  page,
}) => {
  const cookie = await adminCookie(server.url);
  const me = await adminQuery<{ organisationId: string }>(server.url, cookie, 'auth.me', undefined);
  const [person] = await adminQuery<{ personId: string; name: string }[]>(server.url, cookie, 'standing.organisation', {
    organisationId: me.organisationId,
    cmeYear: new Date().getFullYear(),
  });
  const code = await printProofCode(cookie, person!.personId);
  expect(code).toMatch(/^OC1\./);

  // One online visit: the key is saved and the page is in the service worker's cache.
  await page.goto(`${server.url}/verify`);
  await expect(page.getByTestId('verify-keys')).toContainText('验证密钥已保存于本设备');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

  await server.stop();
  await page.reload();
  await page.getByLabel('二维码内容').fill(code);
  await page.getByRole('button', { name: '核验', exact: true }).click();
  await expect(page.getByTestId('verify-result')).toContainText('签名有效');
  await expect(page.getByTestId('verify-name')).toHaveText(person!.name);
  // Offline, the page says plainly that revocation was not checked.
  await expect(page.getByTestId('verify-revocation')).toHaveRole('status');
  await expect(page.getByTestId('verify-revocation')).toContainText('离线核验 — 未检查是否已撤销');
  await expect(page.getByTestId('verify-revocation')).toContainText('无法确认此证明是否已被撤销。请联网后再核验一次。');
  await expect(page.getByTestId('verify-result')).toHaveClass(/offline/);

  // One character of the payload changed: the signature no longer matches.
  const [prefix, body, signature] = code.split('.');
  const flipped = body!.slice(0, 20) + (body![20] === 'A' ? 'B' : 'A') + body!.slice(21);
  await page.getByLabel('二维码内容').fill(`${prefix}.${flipped}.${signature}`);
  await page.getByRole('button', { name: '核验', exact: true }).click();
  await expect(page.getByTestId('verify-result')).toContainText(/签名无效|这不是有效的证明二维码/);

  // Back online, after revocation: the scanned URL form opens the page and shows it revoked.
  await server.start();
  const payload = JSON.parse(Buffer.from(body!, 'base64url').toString('utf8')) as string[];
  await adminMutation(await adminCookie(server.url), 'proofs.revoke', { proofId: payload[1], reason: '证明信息有误' });
  await page.goto(`${server.url}/verify#${code}`);
  await expect(page.getByTestId('verify-result')).toContainText('签名有效');
  await expect(page.getByTestId('verify-revocation')).toContainText('此证明已被撤销');

  // The operator withdraws the signing key: the next visit learns it, and the key saved in this
  // browser verifies nothing any more.
  execFileSync(process.execPath, [path.resolve(import.meta.dirname, '../apps/server/src/withdraw-proof-key.ts'), payload.at(-1)!, '密钥外泄'], {
    env: { ...process.env, DATA_DIR: server.dataDir },
  });
  await page.goto(`${server.url}/verify`);
  await expect(page.getByTestId('verify-keys')).toContainText('验证密钥已保存于本设备');
  await page.getByLabel('二维码内容').fill(code);
  await page.getByRole('button', { name: '核验', exact: true }).click();
  await expect(page.getByTestId('verify-result')).toHaveText('✘ 签发密钥已被停用：此证明不再有效，请向签发单位索取新的证明');
});

test('says so when this browser has never saved the key', async ({ page }) => {
  await page.route('**/.well-known/opencme-proof-keys.json', (route) => route.abort());
  await page.goto(`${server.url}/verify`);
  await expect(page.getByTestId('verify-keys')).toHaveText('本设备还没有保存验证密钥，无法离线核验。请联网打开一次此页。');
  await page.getByLabel('二维码内容').fill('OC1.e30.AAAA');
  await page.getByRole('button', { name: '核验', exact: true }).click();
  await expect(page.getByRole('alert').last()).toContainText('这不是有效的证明二维码');
});
