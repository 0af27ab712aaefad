// The whole path of a CME project through the admin page and a kiosk: declare → approve → kiosk
// taps (offline at the venue) → attendance, a correction, assessment → report → credits
// submitted → approved. Then the ledger holds exactly the expected entries.
import { createRequire } from 'node:module';
import path from 'node:path';
import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { demoCardNumber, leaveKioskMode, ServerProcess, setKioskPin } from './server.ts';

const server = new ServerProcess();
test.afterAll(() => server.dispose());

const beijing = (iso: string) => new Date(`${iso}+08:00`);
const EVENT_DAY = '2026-11-17';
const DEMO_KIOSK = '演示签到机（学术报告厅）';

/** `admin` organises the unit's projects; `director`, the office's second account, reviews them. */
async function signIn(page: Page, login: 'admin' | 'director' = 'admin') {
  await page.goto(`${server.url}/admin`);
  await page.getByLabel('用户名').fill(login);
  await page.getByLabel('密码').fill('opencme-demo');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByRole('button', { name: '退出' })).toBeVisible();
  await page.goto(`${server.url}/admin/projects`);
}

/** The director opens the project and takes one decision on it. */
async function approveAs(director: Page, button: '批准' | '批准学分', after: string) {
  await signIn(director, 'director');
  await director.getByRole('link', { name: '心内科病例讨论会' }).click();
  await director.getByRole('button', { name: button, exact: true }).click();
  await expect(director.getByTestId('project-status')).toHaveText(after);
}

async function tap(kiosk: { context: BrowserContext; page: Page }, card: string, time: string) {
  await kiosk.context.clock.pauseAt(beijing(`${EVENT_DAY}T${time}:00`));
  const pending = kiosk.page.getByTestId('status-pending');
  const before = Number(await pending.textContent());
  await kiosk.page.getByLabel('手工录入卡号').fill(card);
  await kiosk.page.getByRole('button', { name: '录入' }).click();
  await expect(pending).toHaveText(String(before + 1));
}

test('declare → approve → taps → report → credits approved: the ledger holds the expected entries and nothing else', async ({ browser }) => {
  // Declared on 2 November, 15 days ahead of the event (the lead time is 14 days).
  const declaredAt = beijing('2026-11-02T10:00:00');
  await server.start({ clockStart: declaredAt });
  const adminContext = await browser.newContext();
  await adminContext.clock.install({ time: declaredAt });
  const admin = await adminContext.newPage();
  await signIn(admin);

  const declare = admin.locator('form.declare');
  await declare.getByLabel('项目编号').fill('2026-U-0042');
  await declare.getByLabel('项目名称').fill('心内科病例讨论会');
  await declare.getByLabel('级别').selectOption('unit');
  await declare.getByLabel('学分类别').selectOption('II');
  await declare.locator('input[name=credits]').fill('1.5');
  await declare.getByLabel('举办地点').fill('内科楼三楼示教室');
  await declare.getByLabel('开始日期').fill(EVENT_DAY);
  await declare.getByLabel('结束日期').fill(EVENT_DAY);
  await declare.getByRole('button', { name: '添加课程' }).click();
  const courses = [
    { name: '上午：急性心梗病例', start: '09:00', end: '11:00', credits: '1' },
    { name: '下午：心衰病例', start: '14:00', end: '16:00', credits: '0.5' },
  ];
  for (const [i, c] of courses.entries()) {
    const fieldset = declare.locator('fieldset').nth(i);
    await fieldset.getByLabel('课程名称').fill(c.name);
    await fieldset.getByLabel('课程开始').fill(`${EVENT_DAY}T${c.start}`);
    await fieldset.getByLabel('课程结束').fill(`${EVENT_DAY}T${c.end}`);
    await fieldset.getByLabel('学分').fill(c.credits);
  }
  await declare.getByRole('button', { name: '保存草稿' }).click();
  const status = admin.getByTestId('project-status');
  await expect(status).toHaveText('草稿');
  await admin.getByRole('button', { name: '提交审核' }).click();
  await expect(status).toHaveText('审核中');
  // A unit's own project is reviewed by the unit's CME office (医教科), by another account than
  // the one that declared it: the organiser's own approval is refused.
  await admin.getByRole('button', { name: '批准', exact: true }).click();
  await expect(admin.getByRole('alert').filter({ hasText: '须由另一账号审核' })).toBeVisible();
  await expect(status).toHaveText('审核中');
  const directorContext = await browser.newContext();
  await directorContext.clock.install({ time: declaredAt });
  const director = await directorContext.newPage();
  await approveAs(director, '批准', '已批准');
  // The project and its step are in the address: a reload stays on it.
  await admin.reload();
  await expect(status).toHaveText('已批准');
  for (const session of await admin.getByTestId('session').all()) {
    await session.getByRole('combobox', { name: '分配签到机' }).selectOption({ label: DEMO_KIOSK });
  }
  await expect(admin.getByTestId('session').first()).toContainText(DEMO_KIOSK);
  await expect(admin.getByTestId('session').last()).toContainText(DEMO_KIOSK);

  // The event day: the kiosk is paired and pulls its sessions, then works with no network.
  const kioskContext = await browser.newContext();
  await kioskContext.clock.install({ time: beijing(`${EVENT_DAY}T08:30:00`) });
  const kiosk = { context: kioskContext, page: await kioskContext.newPage() };
  await kiosk.page.goto(`${server.url}/kiosk`);
  await kiosk.page.getByLabel('配对码').fill(server.pairingCode);
  await kiosk.page.getByRole('button', { name: '配对' }).click();
  await setKioskPin(kiosk.page);
  await kiosk.page.getByRole('button', { name: new RegExp(courses[0]!.name) }).click();
  await expect(kiosk.page.getByTestId('status-last-sync')).not.toContainText('从未');
  await server.stop();

  const [p1, p2, p3] = [demoCardNumber(1), demoCardNumber(2), demoCardNumber(3)];
  await tap(kiosk, p1, '08:55');
  await tap(kiosk, p2, '08:56');
  await tap(kiosk, p3, '08:57');
  await tap(kiosk, p1, '11:01');
  await tap(kiosk, p2, '11:02'); // p3 leaves without signing out
  // Changing the session leaves kiosk mode, which takes the admin PIN.
  await leaveKioskMode(kiosk.page);
  await kiosk.page.getByRole('button', { name: '更换场次' }).click();
  await kiosk.page.getByRole('button', { name: new RegExp(courses[1]!.name) }).click();
  await tap(kiosk, p1, '13:55');
  await tap(kiosk, p2, '13:56');
  await tap(kiosk, p2, '15:00'); // p2 leaves early
  await tap(kiosk, p1, '16:01');
  await expect(kiosk.page.getByTestId('status-pending')).toHaveText('9');

  // The tablet's clock jumps while the server is still down (see two-doors.e2e.ts: a sync fired in
  // the middle of a fake clock's jump would show the server a clock hours behind).
  await kioskContext.clock.pauseAt(beijing(`${EVENT_DAY}T16:30:00`));
  await kioskContext.clock.resume();
  await server.start({ clockStart: beijing(`${EVENT_DAY}T16:30:00`) });
  await kiosk.page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect(kiosk.page.getByTestId('status-pending')).toHaveText('0', { timeout: 30_000 });

  // After the event: attendance, a correction with its reason, assessment, export, report, credits.
  await adminContext.clock.pauseAt(beijing(`${EVENT_DAY}T16:40:00`));
  await adminContext.clock.resume();
  await signIn(admin);
  await admin.getByRole('link', { name: '心内科病例讨论会' }).click();
  // An approved project opens at its attendance step.
  const [morning, afternoon] = [admin.getByTestId('attendance').first(), admin.getByTestId('attendance').last()];
  const row = (table: typeof morning, card: string) => table.locator('tr', { hasText: card });
  await expect(row(morning, p1)).toContainText('完成');
  await expect(row(morning, p2)).toContainText('完成');
  await expect(row(morning, p3)).toContainText('不完整');
  await expect(row(afternoon, p1)).toContainText('完成');
  await expect(row(afternoon, p2)).toContainText('不完整');

  await row(morning, p3).getByRole('button', { name: '更正' }).click();
  const correction = admin.locator('form.correction');
  await correction.getByLabel('签到时间').fill(`${EVENT_DAY}T08:57`);
  await correction.getByLabel('签退时间').fill(`${EVENT_DAY}T11:00`);
  await correction.getByLabel('意见或理由').fill('签退时读卡器故障，有纸质签退表为证');
  await correction.getByRole('button', { name: '保存更正' }).click();
  await expect(row(morning, p3)).toContainText('完成 · 签退时读卡器故障，有纸质签退表为证');

  // p1 and p3 passed the assessment; p2 has no result.
  await row(morning, p1).getByRole('checkbox').check();
  await row(morning, p3).getByRole('checkbox').check();
  await admin.getByRole('button', { name: '保存考核结果' }).click();
  await expect(admin.getByRole('status')).toHaveText('已保存');
  // Scores from a spreadsheet go through the exchange: a preview (p1's score is an update, a
  // stranger's card number an error that blocks the commit), then the corrected file committed.
  const results = (rows: string[]) => ({ name: '成绩.csv', mimeType: 'text/csv', buffer: Buffer.from(`继教卡号,是否合格,成绩\r\n${rows.join('\r\n')}\r\n`) });
  await admin.getByTestId('assessment-file').setInputFiles(results([`${p1},合格,95`, `${demoCardNumber(40)},合格,90`]));
  await expect(admin.getByTestId('import-summary')).toHaveText('新增 0 · 更新 1 · 无变化 0 · 有错误 1');
  await expect(admin.getByTestId('import-errors')).toContainText('没有本项目的出勤记录');
  await expect(admin.getByTestId('import-commit')).toBeDisabled();
  await admin.getByTestId('assessment-file').setInputFiles(results([`${p1},合格,95`, `${p3},合格,88`]));
  await expect(admin.getByTestId('import-summary')).toHaveText('新增 0 · 更新 2 · 无变化 0 · 有错误 0');
  await admin.getByTestId('import-commit').click();
  await expect(admin.getByTestId('import-summary')).toHaveCount(0);

  const download = admin.waitForEvent('download');
  await admin.getByRole('button', { name: '导出签到名单（xlsx）' }).first().click();
  expect((await download).suggestedFilename()).toMatch(/^签到名单-.+\.xlsx$/);

  await admin.getByRole('link', { name: '执行情况与学分' }).click();
  await admin.getByLabel('执行情况总结').fill('按计划举办两场病例讨论，学员 3 人。');
  await admin.getByLabel('附件').setInputFiles({ name: '日程.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 日程') });
  await admin.getByRole('button', { name: '上报执行情况' }).click();
  await expect(status).toHaveText('已上报执行情况');
  await admin.getByRole('button', { name: '提交学分' }).click();
  await expect(status).toHaveText('学分待审核');
  await directorContext.clock.pauseAt(beijing(`${EVENT_DAY}T16:50:00`));
  await directorContext.clock.resume();
  await approveAs(director, '批准学分', '学分已授予');
  // The project and its step are in the address: a reload stays on it.
  await admin.reload();
  await expect(status).toHaveText('学分已授予');
  await admin.getByRole('link', { name: '状态记录' }).click();
  await expect(admin.getByTestId('history').locator('li')).toHaveCount(6);
  await expect(admin.getByTestId('history')).toContainText('单位医教科批准 → 已批准');

  // The ledger, read from the server's database file: these three entries, and nothing else beside
  // the demo's imported credits (source 'import') that were there before.
  await server.stop();
  const requireFromServer = createRequire(path.resolve(import.meta.dirname, '../apps/server/package.json'));
  type ReadOnlyDb = { prepare(sql: string): { all(): unknown[] }; close(): void };
  const Database = requireFromServer('better-sqlite3') as new (file: string, options: { readonly: boolean }) => ReadOnlyDb;
  const db = new Database(path.join(server.dataDir, 'opencme.sqlite'), { readonly: true });
  const entries = db
    .prepare(
      `select p.cme_number as card, c.name as course, l.credits, l.cme_year as year, l.credit_class as class, l.level, l.source_kind as kind
       from ledger_entries l join persons p on p.id = l.person_id left join courses c on c.id = l.source_id
       where l.source_kind <> 'import' order by card, course`,
    )
    .all();
  db.close();
  expect(entries).toEqual(
    [
      { card: p1, course: courses[0]!.name, credits: 1, year: 2026, class: 'II', level: 'unit', kind: 'attendance' },
      { card: p1, course: courses[1]!.name, credits: 0.5, year: 2026, class: 'II', level: 'unit', kind: 'attendance' },
      { card: p3, course: courses[0]!.name, credits: 1, year: 2026, class: 'II', level: 'unit', kind: 'attendance' },
    ].sort((a, b) => (a.card + a.course < b.card + b.course ? -1 : 1)),
  );
  await kioskContext.close();
  await directorContext.close();
  await adminContext.close();
});
