// The demo seeded once per test run, not once per test file: seeding 200 staff with portraits,
// hashing the demo passwords and issuing card numbers took seconds of every file's setup (tens
// of seconds on a loaded machine). A global setup seeds a template (a SQLite file, or the
// PostgreSQL template database) with the harness's fixed clock, and each test server still gets a
// fresh copy of its own (harness.ts), with the same keys and the kiosk pairing code the seed issued.
import { createPrivateKey } from 'node:crypto';
import { inject } from 'vitest';
import type { DB } from '../src/db/connect.ts';
import { IdNumberVault, randomKeys, type ServerKeys } from '../src/pii.ts';
import { seedDemo } from '../src/seed.ts';

/** The harness's clock: every test server starts at this moment, and the template is seeded at it. */
export const TEST_START = '2026-11-22T01:30:00Z';

/** What a seeded template gives each copy of it: provided by the global setup, injected by the harness. */
export interface SeededTemplate {
  /** The seeded SQLite file to copy, or null on PostgreSQL (the template database is cloned instead). */
  file: string | null;
  /** The vault keys the ID numbers in the template are sealed with (base64, and the P-256 key as PKCS#8 PEM). */
  keys: { idEncryption: string; blindIndex: string; idSealing: string };
  kioskPairingCode: string | null;
}

declare module 'vitest' {
  export interface ProvidedContext {
    seededTemplate: SeededTemplate;
  }
}

/** Seeds the demo into a migrated, empty template database, with fresh keys. */
export async function seedTemplate(db: DB, file: string | null): Promise<SeededTemplate> {
  const keys = randomKeys();
  const demo = await seedDemo(db, new IdNumberVault(keys), new Date(TEST_START));
  return {
    file,
    keys: {
      idEncryption: keys.idEncryption.toString('base64'),
      blindIndex: keys.blindIndex.toString('base64'),
      idSealing: keys.idSealing.export({ format: 'pem', type: 'pkcs8' }).toString(),
    },
    kioskPairingCode: demo.kioskPairingCode,
  };
}

/** The run's seeded template, or null where no global setup made one (the harness then seeds itself). */
export function seededTemplate(): SeededTemplate | null {
  return inject('seededTemplate') ?? null;
}

export function templateKeys(template: SeededTemplate): ServerKeys {
  return {
    idEncryption: Buffer.from(template.keys.idEncryption, 'base64'),
    blindIndex: Buffer.from(template.keys.blindIndex, 'base64'),
    idSealing: createPrivateKey(template.keys.idSealing),
  };
}
