// How the server starts. `npm start` runs the demo, for trying the system: demo data and accounts
// whose password is published. A production start (NODE_ENV=production) never seeds the demo and
// refuses to run while any account still has the demo password.
import type { DB } from './db/connect.ts';
import type { IdNumberVault } from './pii.ts';
import { loginsWithPassword } from './repositories/users.ts';
import { DEMO_PASSWORD } from './secrets.ts';
import { DEMO_ACCOUNTS, DEMO_ADMIN, type DemoInfo, seedDemo } from './seed.ts';

export type StartDecision = { run: true; demo: DemoInfo | null } | { run: false; demoLogins: string[] };

/**
 * Seeds the demo (unless told not to) on a demo start; on a production start, checks that no
 * account has the demo password. Only the seed can give one the demo password (a chosen password
 * never may be it), so the demo's own logins are the ones to check.
 */
export async function prepareStart(db: DB, options: { production: boolean; seedDemo: boolean; vault: IdNumberVault; now: Date }): Promise<StartDecision> {
  if (!options.production) return { run: true, demo: options.seedDemo ? await seedDemo(db, options.vault, options.now) : null };
  const demoLogins = await loginsWithPassword(db, [DEMO_ADMIN.login, ...DEMO_ACCOUNTS.map((a) => a.login)], DEMO_PASSWORD);
  return demoLogins.length > 0 ? { run: false, demoLogins } : { run: true, demo: null };
}

/** Why a production start stopped, and what to do, in both languages. */
export function refusalMessage(demoLogins: readonly string[]): string {
  return [
    `OpenCME 拒绝以生产方式启动：以下账号仍使用公开的演示密码：${demoLogins.join(', ')}`,
    '  请先以演示方式启动（npm start）并修改这些账号的密码，或使用一个新的数据目录（DATA_DIR）。',
    `OpenCME refuses a production start: these accounts still have the published demo password: ${demoLogins.join(', ')}`,
    '  Change their passwords in a demo start (npm start) first, or use a fresh data folder (DATA_DIR).',
  ].join('\n');
}
