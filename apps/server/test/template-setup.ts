// Global setup of the server suite on SQLite: the demo seeded once into a template file
// (template.ts), which each test server copies into its own folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openSqlite } from '../src/db/connect.ts';
import { seedTemplate } from './template.ts';

export default async function setup(project: TestProject) {
  const started = Date.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-template-'));
  const file = path.join(dir, 'opencme.sqlite');
  const opened = await openSqlite(file);
  const template = await seedTemplate(opened.db, file);
  // Everything in the one file, so that a plain copy of it is the whole database.
  opened.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  await opened.db.destroy();
  project.provide('seededTemplate', template);
  console.log(`[opencme] demo seeded into the SQLite template in ${Date.now() - started} ms`);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
