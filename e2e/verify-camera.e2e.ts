// Scanning a printed proof with the camera on /verify. Chromium's fake camera plays a video made
// from the proof's own PDF: the QR code cut out of the page by pdftoppm, as a motion-JPEG file.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { CHROMIUM_ARGS, HEADLESS_SHELL } from './browsers.ts';
import { adminCookie, adminQuery, cspViolations, ServerProcess } from './server.ts';

const CAMERA_FILE = path.join(os.tmpdir(), `opencme-fake-camera-${process.pid}.mjpeg`);
test.use({
  permissions: ['camera'],
  launchOptions: {
    executablePath: HEADLESS_SHELL,
    args: [...CHROMIUM_ARGS, '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${CAMERA_FILE}`],
  },
});

const server = new ServerProcess();
let name = '';

test.beforeAll(async () => {
  await server.start();
  const cookie = await adminCookie(server.url);
  const me = await adminQuery<{ organisationId: string }>(server.url, cookie, 'auth.me', undefined);
  const year = new Date().getFullYear();
  const [person] = await adminQuery<{ personId: string; name: string }[]>(server.url, cookie, 'standing.organisation', {
    organisationId: me.organisationId,
    cmeYear: year,
  });
  name = person!.name;
  const res = await fetch(`${server.url}/trpc/proofs.printPerson`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ json: { personId: person!.personId, fromYear: year, toYear: year } }),
  });
  const { jobId } = ((await res.json()) as { result: { data: { json: { jobId: string } } } }).result.data.json;
  await expect
    .poll(async () => (await adminQuery<{ downloadUrl: string | null }>(server.url, cookie, 'proofs.job', { jobId })).downloadUrl, { timeout: 30_000 })
    .not.toBeNull();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-camera-'));
  fs.writeFileSync(
    path.join(dir, 'proof.pdf'),
    Buffer.from(await (await fetch(`${server.url}/api/files/print/${jobId}`, { headers: { cookie } })).arrayBuffer()),
  );
  // The QR code sits 56 pt from the right and 80 pt from the bottom of the A4 page, 132 pt wide:
  // at 150 dpi that is x 848, y 1312, 275 px; the crop keeps a quiet margin around it.
  execFileSync('pdftoppm', [
    '-jpeg',
    '-r',
    '150',
    '-x',
    '808',
    '-y',
    '1272',
    '-W',
    '360',
    '-H',
    '360',
    '-singlefile',
    path.join(dir, 'proof.pdf'),
    path.join(dir, 'qr'),
  ]);
  const frame = fs.readFileSync(path.join(dir, 'qr.jpg'));
  fs.writeFileSync(CAMERA_FILE, Buffer.concat(Array.from({ length: 10 }, () => frame)));
});
test.afterAll(async () => {
  await server.dispose();
  fs.rmSync(CAMERA_FILE, { force: true });
});

test('reads a printed proof through the camera and verifies it', async ({ page }) => {
  const refused = cspViolations(page);
  await page.goto(`${server.url}/verify`);
  await expect(page.getByTestId('verify-keys')).toContainText('验证密钥已保存于本设备');
  await page.getByRole('button', { name: '用摄像头扫描' }).click();
  await expect(page.getByTestId('verify-result')).toContainText('签名有效', { timeout: 20_000 });
  await expect(page.getByTestId('verify-name')).toHaveText(name);
  await expect(page.getByTestId('verify-revocation')).toHaveText('已联网核对：未被撤销');
  // The camera is released once the code is read.
  await expect(page.getByRole('button', { name: '用摄像头扫描' })).toBeVisible();
  // The camera and the QR reader work under the strict Content-Security-Policy.
  expect(refused).toEqual([]);
});
