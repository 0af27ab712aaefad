// Two doors of one session agree while online: the sync engine reads the other doors' taps of the
// door's session, and the door decides with them, so someone who came in at the east door is
// signed out at the west door (签退), not signed in a second time.
import 'fake-indexeddb/auto';
import type { SessionTapsInput, SyncPullResult } from '@opencme/core';
import { afterEach, expect, it } from 'vitest';
import { type KioskDb, openKioskDb, writeMeta } from './db.ts';
import { SyncEngine } from './sync.svelte.ts';
import { recordTap } from './taps.ts';
import { SEALING_KEY } from './test-keys.ts';

const dbs: KioskDb[] = [];
afterEach(async () => {
  for (const db of dbs.splice(0)) await db.delete();
});

const session = {
  id: 's1',
  projectId: 'p',
  projectName: '学习班',
  title: '全天',
  venue: '报告厅',
  startsAt: '2026-11-22T08:00:00+08:00',
  endsAt: '2026-11-22T18:00:00+08:00',
};
const pull: SyncPullResult = {
  cursor: '1',
  sessions: [session],
  people: [
    {
      id: 'p1',
      name: '张三',
      cmeNumber: '3426000001',
      department: '儿科',
      photo: null,
      credentials: [{ key: 'card-number:3426000001', kind: 'card-number', status: 'active' }],
    },
  ],
  hasMore: false,
  serverTime: new Date().toISOString(),
  sealingKey: SEALING_KEY,
};

it('a door online learns who came in at the other door, and signs them out', async () => {
  const west = openKioskDb('peer-taps-west');
  dbs.push(west);
  await writeMeta(west, 'sessionId', 's1');
  const asked: SessionTapsInput[] = [];
  // The east door signed 张三 in at 08:05; the server has it, in two pages.
  const pages = [
    { taps: [{ tapId: '019ab0a0-0000-7000-8000-00000000000e', personId: 'p1', at: '2026-11-22T00:05:00.000Z' }], cursor: 'c1', hasMore: true },
    { taps: [], cursor: 'c1', hasMore: false },
  ];
  const engine = new SyncEngine(
    west,
    {
      push: async () => ({ results: [], serverTime: new Date().toISOString() }),
      pull: async () => pull,
      sessionTaps: async (input) => {
        asked.push(input);
        return pages.shift() ?? { taps: [], cursor: input.cursor, hasMore: false };
      },
    },
    { idleIntervalMs: 60_000 },
  );
  engine.kick();
  await engine.settled();
  engine.stop();
  expect(asked).toEqual([
    { sessionId: 's1', cursor: null },
    { sessionId: 's1', cursor: 'c1' },
  ]);

  const out = await recordTap(west, {
    deviceId: 'west',
    sessionId: 's1',
    credential: { kind: 'card-number', value: '3426000001' },
    source: 'manual',
    now: new Date('2026-11-22T09:55:00Z'),
  });
  expect(out.decision).toEqual({ kind: 'sign-out', signedInAt: '2026-11-22T00:05:00.000Z' });
  expect(out.tap.direction).toBe('out');
  expect(out.provisional?.presenceMinutes).toBe(590);

  // Offline later, the door still knows; and a sync picks up from where it stopped.
  const again = new SyncEngine(
    west,
    {
      push: async ({ taps }) => ({ results: taps.map((t) => ({ tapId: t.tapId, status: 'stored' })), serverTime: new Date().toISOString() }),
      pull: async () => pull,
      sessionTaps: async (input) => {
        asked.push(input);
        return { taps: [], cursor: input.cursor, hasMore: false };
      },
    },
    { idleIntervalMs: 60_000 },
  );
  again.kick();
  await again.settled();
  again.stop();
  expect(asked.at(-1)).toEqual({ sessionId: 's1', cursor: 'c1' });
});

it('a door that never heard of the other door signs the person in (offline, it knows only its own taps)', async () => {
  const west = openKioskDb('peer-taps-alone');
  dbs.push(west);
  await west.sessions.add(session);
  await west.people.add({ id: 'p1', name: '张三', cmeNumber: '3426000001', department: '儿科', photo: null, cards: ['card-number:3426000001'] });
  const tap = await recordTap(west, {
    deviceId: 'west',
    sessionId: 's1',
    credential: { kind: 'card-number', value: '3426000001' },
    source: 'manual',
    now: new Date('2026-11-22T09:55:00Z'),
  });
  expect(tap.decision.kind).toBe('sign-in');
});
