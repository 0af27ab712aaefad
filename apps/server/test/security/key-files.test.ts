// Security issue 9: the keys are not where the data is, and the data is the owner's only.
import { createHash, createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../src/db/migrations.ts';
import { deploymentFolders, openDeployment } from '../../src/deployment.ts';
import { IdNumberVault, loadOrCreateKeys } from '../../src/pii.ts';

const folders: string[] = [];
function deployment() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-deploy-'));
  folders.push(root);
  return { dataDir: path.join(root, 'data'), keysDir: path.join(root, 'keys') };
}
afterEach(() => {
  for (const f of folders.splice(0)) fs.rmSync(f, { recursive: true, force: true });
});
const mode = (file: string) => fs.statSync(file).mode & 0o777;
const quiet = () => {};

describe('the deployment’s folders', () => {
  it('keep the keys outside the data folder by default', () => {
    const { dataDir, keysDir } = deploymentFolders('/srv/opencme', {});
    expect(path.relative(dataDir, keysDir).startsWith('..')).toBe(true);
    expect(deploymentFolders('/srv/opencme', { OPENCME_KEYS_DIR: '/etc/opencme/keys' }).keysDir).toBe('/etc/opencme/keys');
  });

  it('make the database file, its log and both folders the owner’s only, and put no key in the data folder', async () => {
    const dirs = deployment();
    const opened = await openDeployment(dirs, quiet);
    await opened.db.insertInto('counters').values({ name: 'probe', value: 1 }).execute();
    try {
      expect(mode(opened.file)).toBe(0o600);
      for (const f of [`${opened.file}-wal`, `${opened.file}-shm`]) if (fs.existsSync(f)) expect(mode(f)).toBe(0o600);
      expect(mode(dirs.dataDir)).toBe(0o700);
      expect(mode(dirs.keysDir)).toBe(0o700);
      expect(fs.readdirSync(dirs.keysDir).sort()).toEqual(['id-sealing-key.pem', 'keys.json', 'proof-key.pem']);
      for (const f of fs.readdirSync(dirs.keysDir)) expect(mode(path.join(dirs.keysDir, f))).toBe(0o600);
      expect(fs.readdirSync(dirs.dataDir).filter((f) => !f.startsWith('opencme.sqlite'))).toEqual([]);
    } finally {
      await opened.db.destroy();
    }
  });

  it('moves the keys an earlier version kept in the data folder out of it, and still opens the data they encrypted', async () => {
    const dirs = deployment();
    fs.mkdirSync(dirs.dataDir, { mode: 0o755 });
    const blindIndex = randomBytes(32);
    fs.writeFileSync(
      path.join(dirs.dataDir, 'keys.json'),
      JSON.stringify({ version: 1, idEncryption: randomBytes(32).toString('base64'), blindIndex: blindIndex.toString('base64') }),
      { mode: 0o644 },
    );
    const proofPem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    fs.writeFileSync(path.join(dirs.dataDir, 'proof-key.pem'), proofPem, { mode: 0o644 });
    const lines: string[] = [];
    const opened = await openDeployment(dirs, (line) => lines.push(line));
    await opened.db.destroy();
    expect(fs.existsSync(path.join(dirs.dataDir, 'keys.json'))).toBe(false);
    expect(fs.existsSync(path.join(dirs.dataDir, 'proof-key.pem'))).toBe(false);
    expect(fs.readFileSync(path.join(dirs.keysDir, 'proof-key.pem'), 'utf8')).toBe(proofPem);
    expect(mode(path.join(dirs.keysDir, 'keys.json'))).toBe(0o600);
    expect(opened.vault.index('11010519491231002X')).toBe(createHmac('sha256', blindIndex).update('11010519491231002X').digest('hex'));
    expect(lines.filter((l) => l.includes('moved out of the data folder'))).toHaveLength(2);
  });

  it('refuses to start on keys that do not open the database', async () => {
    const dirs = deployment();
    const opened = await openDeployment(dirs, quiet);
    await opened.db
      .insertInto('organisations')
      .values({ id: 'o', kind: 'institution', name: '医院', parent_id: null, credit_code: null, region_code: null, created_at: '2026-11-30T00:00:00Z' })
      .execute();
    await opened.db
      .insertInto('persons')
      .values({
        id: 'p',
        name: '测试',
        gender: 'female',
        ...opened.vault.seal('11010519491231002X'),
        phone: null,
        institution_id: 'o',
        department_id: null,
        title: null,
        category: null,
        cme_number: null,
        photo_hash: null,
        version: 1,
        created_at: '2026-11-30T00:00:00Z',
        updated_at: '2026-11-30T00:00:00Z',
      })
      .execute();
    await opened.db.destroy();
    await expect(openDeployment({ ...dirs, keysDir: `${dirs.keysDir}-other` }, quiet)).rejects.toThrow('the keys do not open this database');
  });
});

describe('a database of before issue 9, upgraded', () => {
  it('keeps nothing of the birth dates, the 6 + 4 masks or the unkeyed digests, not even in free pages', async () => {
    const dirs = deployment();
    const vault = new IdNumberVault(loadOrCreateKeys(dirs.keysDir));
    fs.mkdirSync(dirs.dataDir);
    const file = path.join(dirs.dataDir, 'opencme.sqlite');
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
    const provider = { getMigrations: async () => Object.fromEntries(Object.entries(migrations).map(([name, make]) => [name, make('sqlite')])) };
    const { error } = await new Migrator({ db, provider }).migrateTo('2026-11-30-0901-audit-actor-organisation');
    expect(error).toBeUndefined();

    const at = '2026-11-30T00:00:00Z';
    await db.insertInto('organisations').values({ id: 'o', kind: 'institution', name: '医院', created_at: at }).execute();
    const people = ['340102199005050017', '34010219880808002X', '340102197001010036'];
    const oldMask = (n: string) => `${n.slice(0, 6)}********${n.slice(-4)}`;
    const oldDigest = (n: string) => createHash('sha256').update(`opencme-id-card:${n}`).digest('hex');
    for (const [i, n] of people.entries()) {
      const { id_number_enc, id_number_index } = vault.seal(n);
      await db
        .insertInto('persons')
        .values({
          id: `p${i}`,
          name: '旧人员',
          gender: 'male',
          id_number_enc,
          id_number_index,
          id_number_masked: oldMask(n),
          birth_date: `${n.slice(6, 10)}-${n.slice(10, 12)}-${n.slice(12, 14)}`,
          institution_id: 'o',
          version: i,
          created_at: at,
          updated_at: at,
        })
        .execute();
      await db
        .insertInto('credentials')
        .values({
          id: `c${i}`,
          person_id: `p${i}`,
          kind: 'id-card',
          value: id_number_index,
          roster_key: `id-card#${oldDigest(n)}`,
          status: 'active',
          version: i,
          created_at: at,
        })
        .execute();
    }
    // A tap of a card nobody held, kept with the kiosk's digest as it came.
    const stranger = '340102199109090011';
    await db
      .insertInto('taps')
      .values({
        tap_id: 't',
        device_id: 'd',
        claimed_device_id: 'd',
        seq: 1,
        session_id: 's',
        credential_kind: 'id-card',
        credential_value: `id-card#${oldDigest(stranger)}`,
        wall_time: at,
        mono_time: 0,
        boot_id: 'b',
        source: 'reader',
        direction: 'none',
        status: 'flagged',
        received_at: at,
        at,
      })
      .execute();
    await db.destroy();

    const opened = await openDeployment(dirs, quiet);
    const persons = await opened.db.selectFrom('persons').select(['id', 'id_number_masked']).orderBy('id').execute();
    await opened.db.destroy();
    expect(persons.map((p) => p.id_number_masked)).toEqual(people.map((n) => `${n.slice(0, 3)}***********${n.slice(-4)}`));
    const bytes = [file, `${file}-wal`]
      .filter((f) => fs.existsSync(f))
      .map((f) => fs.readFileSync(f).toString('latin1'))
      .join('');
    for (const n of [...people, stranger]) {
      expect(bytes).not.toContain(oldMask(n));
      expect(bytes).not.toContain(oldDigest(n));
      expect(bytes).not.toContain(`${n.slice(6, 10)}-${n.slice(10, 12)}-${n.slice(12, 14)}`);
    }
  });
});
