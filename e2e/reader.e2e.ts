// The kiosk's card readers in real Chromium: the demo's simulated ID-card reader goes through the
// real transport code (WebUSB, WebHID, Web Serial shapes over simulated devices), the wedge reader
// takes real key events, and the taps reach the real server.
import { createHash } from 'node:crypto';
import { expect, type Page, test } from '@playwright/test';
import { adminCookie, adminMutation, adminQuery, demoCardNumber, demoMorning, kioskAtDoor, leaveKioskMode, ServerProcess } from './server.ts';

const server = new ServerProcess();
let page: Page;
let cookie: string;
let sessionId: string;

interface RosterPerson {
  id: string;
  name: string;
  cmeNumber: string;
  photoHash: string | null;
}
interface SessionTap {
  tapId: string;
  credentialKind: string;
  personName: string | null;
  status: string;
}

// One paired kiosk for the whole file: the demo server prints one pairing code.
test.describe.configure({ mode: 'serial' });

// The demo session is today 08:00–18:00: the server and the kiosk stand inside it, whatever the hour.
const morning = demoMorning();

test.beforeAll(async ({ browser }) => {
  await server.start({ clockStart: morning });
  page = await browser.newPage();
  await kioskAtDoor(page, server, morning);
  await page.getByRole('button', { name: '演示读卡器' }).click();
  await expect(page.getByTestId('reader-status')).toHaveAttribute('data-state', 'ready');
  cookie = await adminCookie(server.url);
  const [session] = await adminQuery<{ id: string }[]>(server.url, cookie, 'sessions.list', undefined);
  sessionId = session!.id;
});
test.afterAll(async () => {
  await page.close();
  await server.dispose();
});

/** Everything in one of the kiosk's IndexedDB stores, read beside the app. */
function kioskStore<T>(store: string): Promise<T[]> {
  return page.evaluate(
    (name) =>
      new Promise<T[]>((resolve, reject) => {
        const open = indexedDB.open('opencme-kiosk');
        open.onerror = () => reject(open.error ?? new Error('IndexedDB request failed'));
        open.onsuccess = () => {
          const request = open.result.transaction(name).objectStore(name).getAll();
          request.onsuccess = () => {
            open.result.close();
            resolve(request.result as T[]);
          };
          request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
        };
      }),
    store,
  );
}

/** The kiosk's cards, each with its holder, from the roster's person records (one per person, her cards in it). */
async function kioskCards(): Promise<{ key: string; kind: string; personId: string }[]> {
  return (await kioskStore<{ id: string; cards: string[] }>('people')).flatMap((p) =>
    p.cards.map((key) => ({ key, kind: key.startsWith('id-card#') ? 'id-card' : key.slice(0, key.indexOf(':')), personId: p.id })),
  );
}

const kioskTapCount = async () => (await kioskStore<unknown>('taps')).length;

async function rosterPerson(cmeNumber: string): Promise<RosterPerson> {
  const person = (await kioskStore<RosterPerson>('people')).find((p) => p.cmeNumber === cmeNumber);
  if (!person) throw new Error(`no ${cmeNumber} in the kiosk's roster`);
  return person;
}

const serverTaps = () => adminQuery<{ taps: SessionTap[] }>(server.url, cookie, 'sessions.attendance', { sessionId }).then((r) => r.taps);

/** The demo's test hook, documented in apps/kiosk/README.md. */
type Hook = {
  placeIdCard(identity: { name: string; idNumber: string }): void;
  removeCard(): Promise<void>;
  swipeIcCard(uidHex: string): void;
  unplugReader(): void;
  plugReader(): void;
  corruptNextRead(): void;
};
function hook<K extends keyof Hook>(method: K, ...args: Parameters<Hook[K]>): Promise<void> {
  return page.evaluate(
    async ([m, a]) => {
      const h = (window as unknown as { __opencmeDemoReader: Record<string, (...x: unknown[]) => unknown> }).__opencmeDemoReader;
      await h[m]!(...a);
    },
    [method, args] as [string, unknown[]],
  );
}

/**
 * A wedge reader's burst: trusted key events through the browser's input pipeline, then Enter.
 * Chromium stamps a key event when it handles it, not with the `timestamp` given here, so the
 * keys are sent all at once: awaiting each one let a loaded machine stretch the gaps past the
 * wedge reader's 50 ms, and the burst counted as typing.
 */
async function wedgeBurst(text: string, gapMs: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  let at = Date.now() / 1000;
  const sent: Promise<unknown>[] = [];
  for (const char of [...text, '\r']) {
    const enter = char === '\r';
    const code = enter ? 'Enter' : /\d/.test(char) ? `Digit${char}` : `Key${char.toUpperCase()}`;
    const key = enter ? 'Enter' : char;
    const windowsVirtualKeyCode = enter ? 13 : char.toUpperCase().charCodeAt(0);
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', code, key, text: char, windowsVirtualKeyCode, timestamp: at }));
    sent.push(cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', code, key, windowsVirtualKeyCode, timestamp: at + 0.002 }));
    at += gapMs / 1000;
  }
  await Promise.all(sent);
  await cdp.detach();
}

/** The 10-digit big-endian decimal a `dec-be` wedge reader types for a 4-byte UID (readers.md §3.1). */
const decBe = (uid: string) => String(Number.parseInt(uid, 16)).padStart(10, '0');

test('an ID card on the simulated USB reader shows the holder from the roster, taps once while it lies there, and again when placed again', async () => {
  const person = await rosterPerson(demoCardNumber(11));
  const { idNumber } = await adminMutation<{ idNumber: string }>(server.url, cookie, 'persons.revealIdNumber', { personId: person.id });
  expect(idNumber).toMatch(/^\d{17}[\dX]$/);
  await expect(page.getByTestId('reader-status')).toContainText('已就绪');

  const placed = Date.now();
  await hook('placeIdCard', { name: person.name, idNumber });
  await expect(page.getByTestId('tap-name')).toHaveText(person.name);
  console.log(`[reader.e2e] ID card placed → name on screen: ${Date.now() - placed} ms`);
  await expect(page.getByTestId('tap-headline')).toContainText('签到');
  // The roster names the photo by hash; its bytes were fetched apart and are shown from the kiosk's own store.
  const photo = page.getByTestId('tap-result').locator('img');
  await expect(photo).toHaveAttribute('src', /^blob:/);
  expect(await photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  // No ID number on the screen, not even masked: the roster has none.
  await expect(page.getByTestId('tap-result')).not.toContainText(idNumber);
  await expect(page.getByTestId('tap-result')).not.toContainText('****');

  await expect(page.getByTestId('status-pending')).toHaveText('0');
  expect(await serverTaps()).toMatchObject([{ credentialKind: 'id-card', personName: person.name, status: 'accepted' }]);

  // Left on the reader through several polls (every 500 ms): still one tap.
  await page.waitForTimeout(2000);
  expect(await kioskTapCount()).toBe(1);

  await hook('removeCard');
  await hook('placeIdCard', { name: person.name, idNumber });
  await expect.poll(kioskTapCount).toBe(2);
  await expect(page.getByTestId('status-pending')).toHaveText('0');
  const taps = await serverTaps();
  expect(taps).toHaveLength(2);
  expect(taps.every((t) => t.credentialKind === 'id-card' && t.personName === person.name && t.status === 'accepted')).toBe(true);
});

test('the kiosk’s IndexedDB holds no ID number, no mask and no unkeyed digest, and its roster key cannot be read back', async () => {
  const people = (await kioskStore<RosterPerson>('people')).slice(0, 20);
  expect(people.length).toBe(20);
  const numbers = await Promise.all(
    people.map(async (p) => (await adminMutation<{ idNumber: string }>(server.url, cookie, 'persons.revealIdNumber', { personId: p.id })).idNumber),
  );
  // Everything the tablet keeps, read beside the app as a thief with the browser's profile would.
  const { dump, keyReadable } = await page.evaluate(
    () =>
      new Promise<{ dump: string; keyReadable: boolean | null }>((resolve, reject) => {
        const open = indexedDB.open('opencme-kiosk');
        open.onerror = () => reject(open.error ?? new Error('IndexedDB request failed'));
        open.onsuccess = async () => {
          const idb = open.result;
          const all = (name: string) =>
            new Promise<unknown[]>((done, fail) => {
              const request = idb.transaction(name).objectStore(name).getAll();
              request.onsuccess = () => done(request.result);
              request.onerror = () => fail(request.error ?? new Error('IndexedDB request failed'));
            });
          const stores = Object.fromEntries(await Promise.all([...idb.objectStoreNames].map(async (name) => [name, await all(name)] as const)));
          const rosterKey = (stores.meta as { key: string; value: { rosterKey?: CryptoKey } }[]).find((m) => m.key === 'keys')?.value.rosterKey;
          const keyReadable = rosterKey
            ? await crypto.subtle.exportKey('raw', rosterKey).then(
                () => true,
                () => false,
              )
            : null;
          idb.close();
          resolve({ dump: JSON.stringify(stores), keyReadable });
        };
      }),
  );
  expect(dump).toContain(people[0]!.name);
  for (const n of numbers) {
    expect(dump).not.toContain(n);
    expect(dump).not.toContain(createHash('sha256').update(`opencme-id-card:${n}`).digest('hex'));
  }
  expect(dump).not.toMatch(/\d\*{4,}/);
  expect(dump).not.toMatch(/id-card#[0-9a-f]{64}/);
  // The key that the roster's ID-card digests are under is there (the door needs it), unreadable to script.
  expect(keyReadable).toBe(false);
});

test('a wedge reader burst taps an IC card; the same digits typed slowly are not a card', async () => {
  const credentials = await kioskCards();
  const people = await kioskStore<RosterPerson>('people');
  const [first, second] = credentials.filter((c) => c.kind === 'ic-card');
  const holder = (c: { personId: string }) => people.find((p) => p.id === c.personId)!;
  const uid = first!.key.slice('ic-card:'.length);
  const before = await kioskTapCount();

  // A person typing the card's number (150 ms between keys) and Enter: no tap.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.type(decBe(uid), { delay: 150 });
  await page.keyboard.press('Enter');
  await page.waitForTimeout(300);
  expect(await kioskTapCount()).toBe(before);

  // The reader types the same digits 8 ms apart: a tap of the card's holder.
  const swiped = Date.now();
  await wedgeBurst(decBe(uid), 8);
  await expect(page.getByTestId('tap-name')).toHaveText(holder(first!).name);
  console.log(`[reader.e2e] wedge burst → name on screen: ${Date.now() - swiped} ms`);
  await expect(page.getByTestId('tap-headline')).toContainText('签到');
  expect(await kioskTapCount()).toBe(before + 1);

  // Typed into the focused card-number field, the burst neither stays there nor submits it.
  await page.getByLabel('手工录入卡号').click();
  await wedgeBurst(decBe(second!.key.slice('ic-card:'.length)), 8);
  await expect(page.getByTestId('tap-name')).toHaveText(holder(second!).name);
  await expect(page.getByLabel('手工录入卡号')).toHaveValue('');
  expect(await kioskTapCount()).toBe(before + 2);

  // The demo panel's swipe goes through the simulated keyboard.
  await page.getByTestId('demo-reader').getByRole('combobox').selectOption(uid);
  await page.getByRole('button', { name: '刷一张IC卡' }).click();
  await expect.poll(kioskTapCount).toBe(before + 3);
  await expect(page.getByTestId('tap-name')).toHaveText(holder(first!).name);

  await expect(page.getByTestId('status-pending')).toHaveText('0');
  const icTaps = (await serverTaps()).filter((t) => t.credentialKind === 'ic-card');
  expect(icTaps.map((t) => t.personName).sort()).toEqual([holder(first!).name, holder(first!).name, holder(second!).name].sort());
  expect(icTaps.every((t) => t.status === 'accepted')).toBe(true);
});

test('bad reads say what went wrong in Chinese and record nothing; an unknown card is recorded without its number shown', async () => {
  const before = await kioskTapCount();

  await hook('corruptNextRead');
  await hook('placeIdCard', { name: '张三', idNumber: '11010519491231002X' });
  await expect(page.getByTestId('reader-error')).toContainText('请拿开证件后重新放置');
  await hook('removeCard');

  // A number that fails GB 11643's check is refused.
  await hook('placeIdCard', { name: '张三', idNumber: '110105194912310021' });
  await expect(page.getByTestId('reader-error')).toContainText('证件号码校验失败');
  await hook('removeCard');
  expect(await kioskTapCount()).toBe(before);

  // A valid card of someone not on the roster: recorded for review, the name from the card.
  await hook('placeIdCard', { name: '测试样本', idNumber: '11010519491231002X' });
  await expect(page.getByTestId('tap-headline')).toContainText('未登记的卡');
  await expect(page.getByTestId('tap-name')).toHaveText('测试样本');
  await expect(page.getByTestId('tap-result')).toContainText('110***********002X');
  await expect(page.getByTestId('tap-result')).not.toContainText('11010519491231002X');
  await expect(page.getByTestId('reader-error')).toHaveCount(0);
  await hook('removeCard');
  expect(await kioskTapCount()).toBe(before + 1);

  await hook('unplugReader');
  await expect(page.getByTestId('reader-error')).toHaveText('身份证阅读器已断开，请检查连接线');
  await expect(page.getByTestId('reader-status')).toHaveAttribute('data-state', 'no-device');
  await hook('plugReader');
  await expect(page.getByTestId('reader-status')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('reader-error')).toHaveCount(0);

  await page.getByRole('button', { name: 'English' }).click();
  // 12 digits from a reader set to type 10: a misconfigured reader, said so in the chosen language.
  // Its Enter must not press the language button, which still has the focus.
  await wedgeBurst('123456789012', 8);
  await expect(page.getByTestId('reader-error')).toContainText('Bad card number');
  await page.getByRole('button', { name: '中文' }).click();
  expect(await kioskTapCount()).toBe(before + 1);
});

test('the reader settings page connects, switches transports and encodings, and passes its self-test', async () => {
  await leaveKioskMode(page);
  await page.getByRole('link', { name: '读卡器设置' }).click();
  await expect(page.getByRole('heading', { name: '读卡器设置', level: 1 })).toBeVisible();
  await expect(page.getByTestId('reader-state')).toHaveAttribute('data-state', 'ready');

  await page.getByRole('button', { name: 'USB 读卡器' }).click();
  await expect(page.getByTestId('reader-connected')).toContainText('WebUSB 四管道（SAM_V）');

  // Every wiring, through its own transport code in this browser.
  const transports = ['WebUSB 单管道', 'WebHID 报文封装', 'Web Serial 串口', 'WebUSB 四管道（SAM_V）'];
  for (const [i, transport] of transports.entries()) {
    await page.getByLabel('模拟读卡器的接口').selectOption({ label: transport });
    await expect(page.getByTestId('reader-state')).toHaveAttribute('data-state', 'ready');
    await expect(page.getByTestId('reader-state')).toContainText(transport);
    const name = `样本${i}`;
    await hook('placeIdCard', { name, idNumber: '11010519491231002X' });
    await expect(page.getByTestId('last-read')).toContainText(`${name} · 110***********002X`);
  }

  // A reader typing hex-reversed numbers: the setting is stored and used at the door.
  await page.getByLabel(/十六进制（字节反序）/).check();
  await hook('swipeIcCard', '26DEFAE7');
  await expect(page.getByTestId('last-read')).toContainText('26DEFAE7 · E7FADE26');
  await page.reload();
  await expect(page.getByLabel(/十六进制（字节反序）/)).toBeChecked();

  await page.getByRole('button', { name: '运行自检' }).click();
  await expect(page.getByTestId('self-test-summary')).toHaveText('通过', { timeout: 30_000 });
  await expect(page.getByTestId('self-test-result')).toHaveCount(7);
  await expect(page.locator('[data-testid="self-test-result"][data-ok="false"]')).toHaveCount(0);

  const before = await kioskTapCount();
  await page.getByRole('link', { name: '返回签到' }).click();
  await expect(page.getByTestId('tap-headline')).toHaveText('请刷卡');
  // The readers come back with the stored settings before a card is swiped (a loaded machine is slow to).
  await expect(page.getByTestId('reader-status')).toHaveAttribute('data-state', 'ready');
  const [card] = (await kioskCards()).filter((c) => c.kind === 'ic-card');
  const uid = card!.key.slice('ic-card:'.length);
  await wedgeBurst((uid.match(/../g) ?? []).reverse().join(''), 8);
  await expect.poll(kioskTapCount).toBe(before + 1);
});
