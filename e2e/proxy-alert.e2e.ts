// Proxy taps (代刷) end to end in Chromium: six different IC cards on the demo reader within
// seconds warn the door staff on the spot, without stopping a tap; after the kiosk syncs, the
// organiser's admin finds the alert with each tap's face, confirms it with a reason, and those
// people's attendance of the session is void, with the reason in the audit log.
import { createRequire } from 'node:module';
import path from 'node:path';
import { chinaDate } from '@opencme/core';
import { expect, type Page, test } from '@playwright/test';
import { adminCookie, adminMutation, adminQuery, demoMorning, kioskAtDoor, ServerProcess, signedIn } from './server.ts';

const server = new ServerProcess();
test.afterAll(() => server.dispose());

/** Everything in one of the kiosk's IndexedDB stores, read beside the app. */
function kioskStore<T>(page: Page, store: string): Promise<T[]> {
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

interface Attendee {
  personId: string;
  name: string;
  status: string;
  voidReason: string | null;
}

test('a burst at the door warns the staff, raises an alert, and the confirmed alert voids the attendance with the reason audited', async ({ browser }) => {
  const morning = demoMorning();
  await server.start({ clockStart: morning });
  const door = await browser.newPage();
  await kioskAtDoor(door, server, morning);
  await door.getByRole('button', { name: '演示读卡器' }).click();
  await expect(door.getByTestId('reader-status')).toHaveAttribute('data-state', 'ready');

  // Six people's IC cards, one after the other, as one hand holding a stack of them would.
  const roster = await kioskStore<{ id: string; cmeNumber: string; cards: string[] }>(door, 'people');
  // In card order, as the demo panel lists them; one card per person.
  const icCards = roster.flatMap((p) => p.cards.filter((key) => key.startsWith('ic-card:')).map((key) => ({ key, personId: p.id })));
  const cards = [...new Map(icCards.sort((a, b) => (a.key < b.key ? -1 : 1)).map((c) => [c.personId, c])).values()].slice(0, 6);
  expect(cards).toHaveLength(6);
  const tapCount = async () => (await kioskStore<unknown>(door, 'taps')).length;
  for (const [i, card] of cards.entries()) {
    await door.getByTestId('demo-reader').getByRole('combobox').selectOption(card.key.slice('ic-card:'.length));
    await door.getByRole('button', { name: '刷一张IC卡' }).click();
    await expect.poll(tapCount).toBe(i + 1);
  }
  // The warning is on the door page, in Chinese, and the door goes on taking cards.
  const warning = door.getByTestId('burst-warning');
  await expect(warning).toContainText('秒内已刷 6 张不同的卡');
  await expect(door.getByTestId('tap-headline')).toContainText('签到');
  await expect(door.getByTestId('status-pending')).toHaveText('0');

  // Before anyone looks, the day goes on to credits: the six are recorded present all day (a paper
  // sign-in sheet), pass, and the province approves the project's credits.
  const cookie = await adminCookie(server.url);
  const [session] = await adminQuery<{ id: string }[]>(server.url, cookie, 'sessions.list', undefined);
  const [project] = await adminQuery<{ id: string }[]>(server.url, cookie, 'projects.list', undefined);
  const day = chinaDate(morning);
  for (const card of cards) {
    await adminMutation(server.url, cookie, 'sessions.correctAttendance', {
      sessionId: session!.id,
      personId: card.personId,
      signInAt: `${day}T08:00:00+08:00`,
      signOutAt: `${day}T18:00:00+08:00`,
      reason: '按纸质签到表补录',
    });
  }
  const results = cards.map((c) => ({ cmeNumber: roster.find((p) => p.id === c.personId)!.cmeNumber, passed: true, score: null }));
  await adminMutation(server.url, cookie, 'projects.report', { projectId: project!.id, summary: '按计划举办一天。', attachments: [] });
  await adminMutation(server.url, cookie, 'projects.recordAssessments', { projectId: project!.id, results });
  await adminMutation(server.url, cookie, 'projects.submitCredits', { projectId: project!.id });
  const province = await adminCookie(server.url, 'province');
  await adminMutation(server.url, province, 'projects.reviewCredits', { projectId: project!.id, decision: 'approve', reason: null });

  // The organiser's admin finds the alert, each tap with its person's face.
  const admin = await signedIn(browser, server.url, '/admin/alerts', 'admin');
  const alert = admin.getByTestId('alert').filter({ hasText: '张不同的卡' });
  await expect(alert).toHaveCount(1);
  await expect(alert.getByTestId('alert-tap')).toHaveCount(6);
  const photo = alert.getByTestId('alert-tap').first().getByRole('img');
  await expect(photo).toHaveAttribute('src', /\/api\/files\/persons\/.+\/photo\?size=thumb$/);
  await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);

  const reason = '一人手持六张IC卡代刷，监控已核实';
  await alert.getByLabel('处理理由').fill(reason);
  await alert.getByRole('button', { name: '确认代刷，作废考勤' }).click();
  await admin.getByRole('dialog').getByRole('button', { name: '确认代刷，作废考勤' }).click();
  await expect(admin.getByTestId('alerts-empty')).toBeVisible();
  await admin.getByRole('link', { name: '已确认代刷' }).click();
  await expect(admin.getByTestId('alert-decision')).toContainText(reason);

  // The six people's attendance of the session is void, with the reason; it earns nothing.
  const { people } = await adminQuery<{ people: Attendee[] }>(server.url, cookie, 'sessions.attendance', { sessionId: session!.id });
  const burst = people.filter((p) => cards.some((c) => c.personId === p.personId));
  expect(burst).toHaveLength(6);
  expect(burst.every((p) => p.status === 'absent' && p.voidReason === reason)).toBe(true);

  // The audit log says who voided whose attendance, and why.
  await admin.goto(`${server.url}/admin/audit?action=attendance.void`);
  const log = admin.getByTestId('audit-log');
  await expect(log).toContainText(`作废了 ${burst[0]!.name} 的考勤`);
  await expect(log).toContainText(reason);

  // The credits the session earned are taken back by a reversing entry each, with the reason.
  await server.stop();
  const requireFromServer = createRequire(path.resolve(import.meta.dirname, '../apps/server/package.json'));
  type ReadOnlyDb = { prepare(sql: string): { all(...params: unknown[]): unknown[] }; close(): void };
  const Database = requireFromServer('better-sqlite3') as new (file: string, options: { readonly: boolean }) => ReadOnlyDb;
  const db = new Database(path.join(server.dataDir, 'opencme.sqlite'), { readonly: true });
  const ledger = db
    .prepare(
      `select person_id as personId, sum(credits) as net, count(*) as entries, max(case when source_kind = 'reversal' then source_label end) as label from ledger_entries
       where source_kind = 'attendance' or (source_kind = 'reversal' and reverses_id in (select id from ledger_entries where source_kind = 'attendance'))
       group by person_id`,
    )
    .all() as { personId: string; net: number; entries: number; label: string }[];
  db.close();
  const ofBurst = ledger.filter((l) => cards.some((c) => c.personId === l.personId));
  expect(ofBurst).toHaveLength(6);
  for (const entry of ofBurst) expect(entry).toMatchObject({ net: 0, entries: 2, label: expect.stringContaining(reason) });
});
