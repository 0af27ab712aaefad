// Seeds the demo once for the whole end-to-end run: the real server (`main.ts`, as `npm start`)
// starts on an empty data folder at the first moment of today (Beijing time), seeds, and stops.
// Each spec's server then starts on a copy of that data folder and its keys (server.ts) instead of
// seeding its own: same demo, same day, and the pairing code printed at start is a fresh one.
import { chinaDate } from '@opencme/core';
import { SEEDED_TEMPLATE_ENV, ServerProcess, type SeededTemplate } from './server.ts';

export default async function globalSetup(): Promise<() => Promise<void>> {
  const day = chinaDate(new Date());
  const seeder = new ServerProcess();
  // Seeded at 00:00 of the day, so that the seed is older than any moment of the day a spec runs at.
  await seeder.start({ clockStart: new Date(`${day}T00:00:00+08:00`), template: false });
  await seeder.stop();
  const template: SeededTemplate = { day, dataDir: seeder.dataDir, keysDir: seeder.keysDir };
  process.env[SEEDED_TEMPLATE_ENV] = JSON.stringify(template);
  return () => seeder.dispose();
}
