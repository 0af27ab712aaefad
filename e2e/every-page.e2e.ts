// Every page of the app, at the four sizes it is used at (a phone, a tablet either way round, a
// desktop), signed in as the account that uses it, over the demo's data with a little more added
// (a claim waiting for review, a unit waiting for its office, a tap at the door, a lookup answered):
// no sideways scroll, nothing drawn over anything else, on the kiosk fingertip-sized targets, and
// nothing on screen a person cannot read. A screenshot of each page at each size is kept under
// test-results/screens/. The list of pages is held to the route files: a new page needs its check.
import fs from 'node:fs';
import path from 'node:path';
import { creditCodeCheckChar } from '@opencme/core';
import { type Browser, expect, type Locator, type Page, test } from '@playwright/test';
import { CARD_SHEET_KEY } from '../apps/kiosk/src/lib/admin/card-sheet.ts';
import { checkLayout, keepScreenshot, resize, SIZES } from './layout.ts';
import { adminCookie, adminMutation, adminQuery, demoCardNumber, demoMorning, kioskAtDoor, leaveKioskMode, ServerProcess } from './server.ts';

const ROUTES = path.resolve(import.meta.dirname, '../apps/kiosk/src/routes');
const CONSOLE_TABLE = path.resolve(import.meta.dirname, '../apps/kiosk/src/lib/admin/pages.ts');

/** Who uses a page: a demo account, a paired kiosk, or anyone (signed out). */
type User = 'admin' | 'reviewer' | 'city' | 'province' | 'staff' | 'kiosk' | 'public';
/** The role each demo account has (apps/server/src/seed.ts). */
const ROLE_OF = { admin: 'unit-admin', reviewer: 'department-reviewer', city: 'city-admin', province: 'province-admin', staff: 'staff' } as const;

interface Demo {
  personId: string;
  otherPersonId: string;
  idNumber: string;
  name: string;
  projectId: string;
  sessionId: string;
}

interface PageCheck {
  user: User;
  /** Where the page is opened (a route's parameters filled in from the demo's records); none: reached through the kiosk's own screens. */
  open?: (demo: Demo) => string;
  /** What shows once the page has its data; with `act`, what the page does first. */
  ready: (page: Page, demo: Demo) => Locator | Promise<Locator>;
}

const heading = (page: Page, name: string) => page.getByRole('heading', { name, level: 1 });

/** Every route (apps/kiosk/src/routes/**\/+page.svelte), as its path pattern. */
const PAGES: Record<string, PageCheck> = {
  '/': { user: 'public', open: () => '/', ready: (p) => p.getByRole('link', { name: '继续医学教育人员注册' }) },
  '/register': { user: 'public', open: () => '/register', ready: (p) => p.getByRole('button', { name: '提交注册' }) },
  '/register/unit': { user: 'public', open: () => '/register/unit', ready: (p) => p.getByRole('combobox').first() },
  '/query': {
    user: 'public',
    open: () => '/query',
    // The page as a person sees it once answered.
    ready: async (p, demo) => {
      await p.getByLabel('身份证号').fill(demo.idNumber);
      await p.getByLabel('姓名').fill(demo.name);
      await p.getByRole('button', { name: '查询' }).click();
      return p.getByTestId('query-answer');
    },
  },
  '/verify': { user: 'public', open: () => '/verify', ready: (p) => p.getByTestId('verify-keys') },
  '/claims': { user: 'staff', open: () => '/claims', ready: (p) => p.getByTestId('my-claims') },
  '/me': { user: 'staff', open: () => '/me', ready: (p) => p.getByTestId('my-explanation') },
  '/me/attendance': { user: 'staff', open: () => '/me/attendance', ready: (p) => heading(p, '签到记录') },
  '/me/proofs': { user: 'staff', open: () => '/me/proofs', ready: (p) => p.getByRole('button', { name: '打印我的学分证明' }) },
  // Public, but signed in as staff it shows the enrol buttons too.
  '/catalogue': { user: 'staff', open: () => '/catalogue', ready: (p) => p.getByRole('button', { name: '报名' }).first() },
  '/kiosk': { user: 'kiosk', ready: (p) => p.getByTestId('tap-headline').filter({ hasText: '请刷卡' }) },
  '/kiosk/reader': {
    user: 'kiosk',
    ready: async (p) => {
      await leaveKioskMode(p);
      await p.getByRole('link', { name: '读卡器设置' }).click();
      return heading(p, '读卡器设置');
    },
  },
  // The console's home sends each role on to its first page.
  '/admin': { user: 'admin', open: () => '/admin', ready: (p) => heading(p, '注册审核') },
  '/admin/review': { user: 'reviewer', open: () => '/admin/review', ready: (p) => heading(p, '注册审核') },
  '/admin/units': { user: 'city', open: () => '/admin/units', ready: (p) => p.getByText('合肥市第五人民医院（演示）') },
  '/admin/staff': { user: 'admin', open: () => '/admin/staff?sort=department&page=2', ready: (p) => p.getByTestId('staff-page') },
  '/admin/staff/[id]': { user: 'admin', open: (d) => `/admin/staff/${d.personId}`, ready: (p) => p.getByTestId('person') },
  '/admin/accounts': { user: 'admin', open: () => '/admin/accounts', ready: (p) => p.getByTestId('accounts').getByText('reviewer', { exact: true }) },
  '/admin/exchange': { user: 'admin', open: () => '/admin/exchange', ready: (p) => p.getByTestId('import-template') },
  '/admin/departments': { user: 'admin', open: () => '/admin/departments', ready: (p) => p.getByText('心血管内科').first() },
  '/admin/projects': { user: 'admin', open: () => '/admin/projects', ready: (p) => p.getByTestId('projects') },
  '/admin/projects/[id]': { user: 'admin', open: (d) => `/admin/projects/${d.projectId}`, ready: (p) => p.getByTestId('project-status') },
  '/admin/sessions': { user: 'admin', open: () => '/admin/sessions', ready: (p) => p.getByTestId('sessions').getByRole('link').first() },
  '/admin/sessions/[id]': {
    user: 'admin',
    open: (d) => `/admin/sessions/${d.sessionId}`,
    ready: (p, d) => p.getByTestId('taps').filter({ hasText: d.name }).filter({ hasText: '待核实：本场次无此卡的持卡人' }),
  },
  '/admin/devices': { user: 'admin', open: () => '/admin/devices', ready: (p) => p.getByTestId('devices').getByText('已配对').first() },
  '/admin/alerts': { user: 'admin', open: () => '/admin/alerts', ready: (p) => p.getByTestId('alerts-empty').or(p.getByTestId('alerts')) },
  '/admin/claims': { user: 'reviewer', open: () => '/admin/claims', ready: (p) => p.getByTestId('review-queue') },
  '/admin/statistics': { user: 'province', open: () => '/admin/statistics', ready: (p) => p.getByTestId('statistics-rate-chart').locator('svg') },
  '/admin/compliance': { user: 'admin', open: () => '/admin/compliance', ready: (p) => p.getByTestId('compliance-trend').locator('svg') },
  '/admin/proofs': { user: 'admin', open: () => '/admin/proofs', ready: (p) => p.getByLabel('按姓名查找') },
  '/admin/hr': { user: 'province', open: () => '/admin/hr', ready: (p) => p.getByRole('button', { name: '新建令牌' }) },
  '/admin/rule-sets': { user: 'province', open: () => '/admin/rule-sets', ready: (p) => p.getByRole('button', { name: '保存新规则' }) },
  '/admin/audit': { user: 'admin', open: () => '/admin/audit', ready: (p) => p.getByTestId('audit-log').filter({ hasText: '的身份证号' }) },
  // Opened from the staff list with the people chosen there.
  '/admin/card-sheet': { user: 'admin', open: () => '/admin/card-sheet', ready: (p) => p.getByTestId('card-sheet').first() },
};

/** The route of a page file: `admin/staff/[id]/+page.svelte` → `/admin/staff/[id]`. */
function routesOnDisk(): string[] {
  return fs
    .readdirSync(ROUTES, { recursive: true, encoding: 'utf8' })
    .filter((f) => path.basename(f) === '+page.svelte')
    .map((f) => `/${path.dirname(f).split(path.sep).join('/')}`.replace(/^\/\.$/, '/'))
    .sort();
}

test('every page of the app has its check here, as the account its console entry allows', async () => {
  expect(Object.keys(PAGES).sort()).toEqual(routesOnDisk());
  // Imported by path: the console's table takes its types from Svelte modules the e2e tsconfig does not compile.
  const { CONSOLE_PAGES } = (await import(CONSOLE_TABLE)) as { CONSOLE_PAGES: readonly { path: string; roles: readonly string[] }[] };
  for (const entry of CONSOLE_PAGES) {
    const check = PAGES[entry.path];
    expect(check, entry.path).toBeDefined();
    const role = check!.user in ROLE_OF ? ROLE_OF[check!.user as keyof typeof ROLE_OF] : null;
    expect(entry.roles, `${entry.path} checked as ${check!.user}`).toContain(role);
  }
});

const server = new ServerProcess();
const morning = demoMorning();
let demo: Demo;
/** One browser page per user, signed in (or paired) once and resized from page to page. */
const users = new Map<User, Page>();

/** A browser page for the user; an account's is signed in through the API (the login form has its own specs). */
async function open(browser: Browser, user: User): Promise<void> {
  const context = await browser.newContext();
  if (user !== 'public' && user !== 'kiosk') {
    const [name, value] = (await adminCookie(server.url, user)).split(/=(.*)/);
    await context.addCookies([{ name: name!, value: value!, url: server.url }]);
  }
  const page = await context.newPage();
  if (user === 'kiosk') await pairKiosk(page);
  if (user === 'staff') await claim(page);
  users.set(user, page);
}

/** A kiosk paired with the demo server at its session's door, where one person signs in by card number and an unknown card is typed. */
async function pairKiosk(page: Page): Promise<void> {
  await kioskAtDoor(page, server, morning);
  await page.getByLabel('手工录入卡号').fill(demoCardNumber(1));
  await page.getByRole('button', { name: '录入', exact: true }).click();
  await expect(page.getByTestId('tap-headline')).toHaveText(/^签到/);
  // A card nobody at this session holds: the session's page flags it for the organiser.
  await page.getByLabel('手工录入卡号').fill(demoCardNumber(999));
  await page.getByRole('button', { name: '录入', exact: true }).click();
  await expect(page.getByTestId('tap-headline')).toHaveText(/^未登记的卡/);
  // The answer stays on screen for 8 s: the door is then waiting again.
  await page.clock.runFor(9_000);
}

/** A staff member's claim, waiting for the department's reviewer. */
async function claim(page: Page): Promise<void> {
  await page.goto(`${server.url}/claims`);
  await page.getByLabel('类别').selectOption({ label: '发表论文' });
  await page.getByLabel('学分', { exact: true }).fill('3');
  await page.getByLabel('说明').fill('论文：县域胸痛中心的建设与随访');
  await page.getByLabel(/^证明材料/).setInputFiles({ name: '论文首页.png', mimeType: 'image/png', buffer: PNG });
  await page.getByRole('button', { name: '提交申报' }).click();
  await expect(page.getByRole('status')).toHaveText('已提交，等待审核');
}

/** The demo's records the pages are opened on, and what the demo lacks: a claim, a unit, a tap, a viewed ID number. */
test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  await server.start({ clockStart: morning });
  const cookie = await adminCookie(server.url);
  const me = await adminQuery<{ organisationId: string }>(server.url, cookie, 'auth.me', undefined);
  const staff = await adminQuery<{ rows: { id: string; name: string }[] }>(server.url, cookie, 'registry.staff', { organisationId: me.organisationId });
  const [project] = await adminQuery<{ id: string }[]>(server.url, cookie, 'projects.list', undefined);
  const [session] = await adminQuery<{ id: string }[]>(server.url, cookie, 'sessions.list', undefined);
  // The person who holds demo card 1 taps at the door, and is looked up on /query.
  const holder = await adminQuery<{ rows: { id: string; name: string }[] }>(server.url, cookie, 'registry.staff', {
    organisationId: me.organisationId,
    query: demoCardNumber(1),
  });
  const { idNumber } = await adminMutation<{ idNumber: string }>(server.url, cookie, 'persons.revealIdNumber', { personId: holder.rows[0]!.id });
  demo = {
    personId: staff.rows[5]!.id,
    otherPersonId: staff.rows[6]!.id,
    idNumber,
    name: holder.rows[0]!.name,
    projectId: project!.id,
    sessionId: session!.id,
  };

  const [city] = await adminQuery<{ id: string; name: string }[]>(server.url, cookie, 'units.cities', undefined);
  const first17 = '12340100MB0005678';
  await adminMutation(server.url, '', 'units.register', {
    cityId: city!.id,
    creditCode: `${first17}${creditCodeCheckChar(first17)}`,
    name: '合肥市第五人民医院（演示）',
    admin: { displayName: '医教科', password: 'a-long-password' },
  });

  // Each user's page at once: the server hashes five passwords and the kiosk pairs meanwhile.
  await Promise.all((['public', 'staff', 'kiosk', 'admin', 'reviewer', 'city', 'province'] as const).map((user) => open(browser, user)));
});
test.afterAll(() => server.dispose());

// A real 1×1 PNG: the server checks evidence by its bytes, not its name.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

for (const [route, check] of Object.entries(PAGES)) {
  // Playwright reads the fixtures a test wants from its first parameter's pattern: none here.
  // eslint-disable-next-line no-empty-pattern
  test(`${route} as ${check.user}: at every size it fits, nothing overlaps${check.user === 'kiosk' ? ', every target takes a fingertip' : ''}`, async ({}, testInfo) => {
    const page = users.get(check.user)!;
    await resize(page, SIZES.at(-1)!);
    if (route === '/admin/card-sheet') {
      // The people chosen in the staff list, left where the list leaves them for this tab.
      if (!page.url().startsWith(server.url)) await page.goto(server.url);
      await page.evaluate(([key, ids]) => sessionStorage.setItem(key, JSON.stringify(ids)), [CARD_SHEET_KEY, [demo.personId, demo.otherPersonId]] as const);
    }
    if (check.open) await page.goto(`${server.url}${check.open(demo)}`);
    await expect(await check.ready(page, demo)).toBeVisible();
    const name = route === '/' ? 'home' : route.slice(1).replaceAll('/', '-').replace(/[[\]]/g, '');
    for (const size of SIZES) {
      await resize(page, size);
      await checkLayout(page, `${route} at ${size.name}`, { touch: check.user === 'kiosk' });
      await keepScreenshot(page, testInfo, `${name}-${size.name}`);
    }
    // The kiosk goes back to its door for the next page.
    if (route === '/kiosk/reader') await page.getByRole('link', { name: '返回签到' }).click();
  });
}
