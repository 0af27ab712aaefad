// The chaos run: N kiosks push M taps through a proxy that drops, delays and duplicates requests
// and replies, while the real server process is killed (SIGKILL) mid-batch and started again;
// one kiosk's tablet reboots mid-push and one kiosk's clock is set an hour wrong. Afterwards the
// database is checked against what the kiosks recorded (`verifyRun`).
import { evaluateAttendance, isChainFlag, verifyTapExport } from '@opencme/core';
import type { Selectable } from 'kysely';
import { type DB, openSqlite } from '../src/db/connect.ts';
import type { Database } from '../src/db/schema.ts';
import { rulesForSessions } from '../src/repositories/settings.ts';
import { chainSummaries, exportDeviceTaps } from '../src/repositories/tap-chains.ts';
import { demoDay, pairKiosks, SimKiosk, type TrueTap } from './kiosks.ts';
import { ChaosProxy, DEFAULT_RATES, type ProxyCounts, prng, type ProxyRates } from './proxy.ts';
import { ServerProcess } from './server-process.ts';

export interface ChaosOptions {
  kiosks: number;
  taps: number;
  /** How many times the server is killed, spread over the run by progress. */
  kills: number;
  batch?: number;
  seed?: number;
  rates?: ProxyRates;
  /** Kiosk 1's tablet reboots mid-push; kiosk 2's wall clock jumps an hour ahead. */
  reboot?: boolean;
  clockJump?: boolean;
  log?: (line: string) => void;
  /** Looks at the stopped server's data folder before it is removed (the self-check tampers with a copy). */
  afterRun?: (dataDir: string, truth: readonly TrueTap[]) => Promise<void>;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface ChaosReport {
  kiosks: number;
  taps: number;
  kills: number;
  /** Kills that landed while the proxy had a request at the server. */
  killsMidBatch: number;
  seconds: number;
  pushes: number;
  failedPushes: number;
  proxy: ProxyCounts;
  lost: number;
  doubled: number;
  /** The largest distance between a tap's place on the server's clock and when it happened, in s. */
  worstPlacementS: number;
  /** Kiosks whose chain the server does not hold whole, though each sent one unbroken chain. */
  brokenChains: number;
  checks: Check[];
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const random = prng(options.seed ?? 14);
  // The kiosks deliver the taps of the demo's day over a bad network, as kiosks do that were
  // offline for the day (or whose uplink came back).
  const { serverNow, at } = demoDay();
  const server = new ServerProcess();
  const proxy = new ChaosProxy(() => server.port, random, options.rates ?? DEFAULT_RATES);
  try {
    await server.start();
    const proxyUrl = await proxy.listen();
    const door = await pairKiosks(server.url, server.pairingCode, options.kiosks);
    log(`paired ${door.kiosks.length} kiosks; ${door.cards.length} cards`);

    const batch = options.batch ?? 250;
    const kiosks = door.kiosks.map(
      (paired) =>
        new SimKiosk(
          paired,
          proxyUrl,
          { serverNow, batch, random },
          // Tablets booted at the start of the day, each clock a little off (up to ±90 s).
          { bootAt: at('00:00'), offsetMs: Math.round((random() - 0.5) * 180_000) },
        ),
    );
    // The day's taps: each kiosk's share spread over the session, each card signing in in the
    // morning and out in the afternoon, with repeats.
    const start = Date.parse(door.startsAt);
    const span = Date.parse(door.endsAt) - start;
    const perKiosk = Math.ceil(options.taps / kiosks.length);
    let recorded = 0;
    for (const [k, kiosk] of kiosks.entries()) {
      for (let i = 0; i < perKiosk && recorded < options.taps; i++, recorded++) {
        const trueAt = start + Math.floor(((i + random()) / perKiosk) * span);
        const card = door.cards[(k * 37 + i) % door.cards.length]!;
        await kiosk.record(door.sessionId, card, trueAt, trueAt - start < span / 2 ? 'in' : 'out');
      }
    }

    const total = () => kiosks.reduce((n, k) => n + k.outbox.size, 0);
    const acknowledged = () => kiosks.reduce((n, k) => n + k.acknowledged, 0);
    const rebooting = options.reboot === false ? null : (kiosks[1] ?? null);
    const jumping = options.clockJump === false ? null : (kiosks[2] ?? null);
    const eventsAt = (kiosk: SimKiosk) => kiosk.outbox.size / 2;

    // The server is killed at evenly spaced points of the progress, each time while a batch is at it.
    let kills = 0;
    let killsMidBatch = 0;
    let done = false;
    const killer = (async () => {
      for (let k = 1; k <= options.kills && !done; k++) {
        const threshold = (total() * k) / (options.kills + 1);
        while (!done && acknowledged() < threshold) await sleep(20);
        const waitUntil = Date.now() + 3000;
        while (!done && proxy.inFlight === 0 && Date.now() < waitUntil) await sleep(1);
        if (done) break;
        if (proxy.inFlight > 0) killsMidBatch += 1;
        await server.kill();
        kills += 1;
        log(`kill ${kills}: ${acknowledged()} of ${total()} taps acknowledged, ${proxy.inFlight} requests at the server`);
        await sleep(200 + random() * 800);
        await server.start();
      }
    })();

    const t0 = performance.now();
    await Promise.all(
      kiosks.map(async (kiosk) => {
        let rebooted = false;
        let jumped = false;
        const beforeEachPush = async () => {
          if (kiosk === jumping && !jumped && kiosk.acknowledged >= eventsAt(kiosk)) {
            jumped = true;
            kiosk.jumpClock(3_600_000);
            // Taps recorded after the clock was set wrong, placed by the server all the same.
            for (let i = 0; i < 20; i++) await kiosk.record(door.sessionId, door.cards[i]!, serverNow() + i, 'none');
          }
        };
        if (kiosk === rebooting) {
          // Half the outbox goes, then the tablet reboots with a push in flight: the page that
          // would have marked its taps sent is gone, and the new page sends them again.
          await kiosk.syncUntilEmpty({ stop: () => kiosk.acknowledged >= eventsAt(kiosk) });
          const inFlight = kiosk.pushAll().catch(() => undefined);
          await sleep(random() * 50);
          kiosk.reboot();
          rebooted = true;
          // The new page continues the chain from the head IndexedDB kept.
          for (let i = 0; i < 20; i++) await kiosk.record(door.sessionId, door.cards[i]!, serverNow() + i, 'none');
          await inFlight;
        }
        await kiosk.syncUntilEmpty({ beforeEachPush });
        if (kiosk === rebooting && !rebooted) throw new Error('the reboot did not happen');
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    done = true;
    await killer;
    await proxy.close();
    await server.stop();

    const truth = kiosks.flatMap((k) => k.truth);
    const verified = await verifyRun(server.dataDir, truth);
    await options.afterRun?.(server.dataDir, truth);
    const checks = [
      ...verified.checks,
      { name: 'every tap acknowledged to its kiosk', ok: acknowledged() === total(), detail: `${acknowledged()} of ${total()}` },
      { name: 'the server was killed mid-batch', ok: killsMidBatch >= Math.min(1, options.kills), detail: `${killsMidBatch} of ${kills} kills` },
    ];
    if (rebooting) checks.push({ name: 'a tablet rebooted mid-push', ok: rebooting.reboots === 1, detail: `${rebooting.reboots} reboot` });
    if (jumping)
      checks.push({
        name: 'a tablet clock jumped',
        ok: jumping.jumps === 1 && verified.jumpedBoots > 0,
        detail: `${verified.jumpedBoots} boot(s) marked jumped`,
      });
    return {
      kiosks: kiosks.length,
      taps: truth.length,
      kills,
      killsMidBatch,
      seconds,
      pushes: kiosks.reduce((n, k) => n + k.pushes, 0),
      failedPushes: kiosks.reduce((n, k) => n + k.failures, 0),
      proxy: proxy.counts,
      lost: verified.lost,
      doubled: verified.doubled,
      worstPlacementS: verified.worstPlacementS,
      brokenChains: verified.brokenChains,
      checks,
    };
  } finally {
    await proxy.close().catch(() => undefined);
    await server.dispose();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type AttendanceRow = Selectable<Database['attendance']>;

/** How far a tap may be placed from when it happened: transit, queueing at a restarting server, clock drift. */
export const PLACEMENT_TOLERANCE_MS = 60_000;

/**
 * Checks the database of a stopped server against the taps the kiosks recorded: each tap is held
 * exactly once, none is held that no kiosk recorded, each is placed on the server's clock near
 * when it happened, and each person's attendance is what core's rules compute from the taps held
 * (what a clean run, one push of the same taps, stores), and each kiosk's tap chain is whole.
 */
export async function verifyRun(dataDir: string, truth: readonly TrueTap[]) {
  const { db, sqlite } = await openSqlite(`${dataDir}/opencme.sqlite`);
  try {
    const rows = await db
      .selectFrom('taps')
      .select(['tap_id', 'device_id', 'seq', 'session_id', 'person_id', 'status', 'at', 'wall_time', 'clock_jumped', 'flag_reasons', 'chain_signature'])
      .execute();
    const held = new Map<string, number>();
    for (const r of rows) held.set(r.tap_id, (held.get(r.tap_id) ?? 0) + 1);
    // A tap held twice is two rows of one tap: the same id, or the same device and sequence number.
    const bySeq = new Map<string, number>();
    for (const r of rows) bySeq.set(`${r.device_id}#${r.seq}`, (bySeq.get(`${r.device_id}#${r.seq}`) ?? 0) + 1);
    const doubled = [...held.values(), ...bySeq.values()].filter((n) => n > 1).reduce((sum, n) => sum + n - 1, 0);
    const recorded = new Set(truth.map((t) => t.tap.tapId));
    const lost = truth.filter((t) => !held.has(t.tap.tapId)).length;
    const phantom = rows.filter((r) => !recorded.has(r.tap_id)).length;

    const atOf = new Map(rows.map((r) => [r.tap_id, Date.parse(r.at ?? r.wall_time)]));
    let worst = 0;
    let misplaced = 0;
    for (const t of truth) {
      const at = atOf.get(t.tap.tapId);
      if (at === undefined) continue;
      const off = Math.abs(at - t.trueAt);
      worst = Math.max(worst, off);
      if (off > PLACEMENT_TOLERANCE_MS) misplaced += 1;
    }

    // Attendance as core computes it from the taps held, for every (session, person) with taps.
    const sessions = await db.selectFrom('sessions').select(['id', 'starts_at', 'ends_at']).execute();
    const windows = new Map(sessions.map((s) => [s.id, { startsAt: s.starts_at, endsAt: s.ends_at }]));
    const rules = await rulesForSessions(
      db,
      sessions.map((s) => s.id),
    );
    const byPair = new Map<string, { sessionId: string; personId: string; at: string[]; flagged: boolean }>();
    for (const r of rows) {
      if (!r.person_id) continue;
      const key = `${r.session_id}#${r.person_id}`;
      const entry = byPair.get(key) ?? { sessionId: r.session_id, personId: r.person_id, at: [], flagged: false };
      if (r.status === 'accepted') entry.at.push(r.at ?? r.wall_time);
      entry.flagged ||= r.status === 'flagged' || r.clock_jumped === 1;
      byPair.set(key, entry);
    }
    const stored = new Map<string, AttendanceRow>((await db.selectFrom('attendance').selectAll().execute()).map((a) => [`${a.session_id}#${a.person_id}`, a]));
    let attendanceWrong = 0;
    const examples: string[] = [];
    for (const [key, entry] of byPair) {
      const result = evaluateAttendance({ taps: entry.at.map((at) => ({ at })), window: windows.get(entry.sessionId)!, rules: rules.get(entry.sessionId)! });
      const row = stored.get(key);
      const expected = [
        result.signInAt,
        result.signOutAt,
        entry.at.length,
        result.status,
        result.presenceMinutes,
        result.shortfalls.join(','),
        entry.flagged ? 1 : 0,
      ];
      const actual = row ? [row.sign_in_at, row.sign_out_at, row.tap_count, row.status, row.presence_minutes, row.shortfalls, row.flagged] : null;
      if (JSON.stringify(expected) !== JSON.stringify(actual)) {
        attendanceWrong += 1;
        if (examples.length < 3) examples.push(`${key}: expected ${JSON.stringify(expected)}, held ${JSON.stringify(actual)}`);
      }
    }
    const orphans = [...stored.keys()].filter((key) => !byPair.has(key) && stored.get(key)!.tap_count > 0).length;
    const jumpedBoots = (await db.selectFrom('device_clocks').select('boot_id').where('jumped_at', 'is not', null).execute()).length;
    const chain = await checkChains(db, rows, truth);
    const integrity = sqlite.pragma('integrity_check', { simple: true }) as string;

    const checks: Check[] = [
      { name: 'database integrity', ok: integrity === 'ok', detail: integrity },
      { name: 'no tap lost', ok: lost === 0, detail: `${lost} lost` },
      { name: 'no tap doubled', ok: doubled === 0, detail: `${doubled} doubled` },
      { name: 'no tap nobody recorded', ok: phantom === 0, detail: `${phantom} unknown` },
      {
        name: 'every tap placed near when it happened',
        ok: misplaced === 0,
        detail: `${misplaced} further than ${PLACEMENT_TOLERANCE_MS / 1000} s; worst ${(worst / 1000).toFixed(1)} s`,
      },
      {
        name: 'attendance equals a clean computation from the same taps',
        ok: attendanceWrong === 0 && orphans === 0 && byPair.size > 0,
        detail: `${byPair.size} people checked, ${attendanceWrong} differ, ${orphans} without taps${examples.length ? `: ${examples.join('; ')}` : ''}`,
      },
      {
        name: 'the chain check reports no false breaks',
        ok: chain.chains > 0 && chain.broken.length === 0 && chain.flaggedTaps === 0,
        detail: `${chain.chains} chains, ${chain.brokenDevices} not whole, ${chain.flaggedTaps} taps with a chain flag${chain.broken.length ? `: ${chain.broken.slice(0, 3).join('; ')}` : ''}`,
      },
    ];
    return { lost, doubled, phantom, misplaced, worstPlacementS: worst / 1000, attendanceWrong, jumpedBoots, brokenChains: chain.brokenDevices, checks };
  } finally {
    await db.destroy();
  }
}

const deviceName = (deviceId: string) => `device ${deviceId.slice(-6)}`;

/**
 * Each kiosk sent one unbroken chain, seq 1 … N: the server must say the same, both in what it keeps
 * (tap_chains: complete through N, N taps; the device list: no gap, no break; no tap flagged) and
 * when every signature and link is checked again from the rows it holds, as a third party checks
 * an export offline, which also catches a row edited or deleted after the server checked it; and
 * each tap is held with the signature the kiosk first made (a resend is the stored tap, byte for byte).
 */
async function checkChains(
  db: DB,
  rows: readonly { tap_id: string; device_id: string; flag_reasons: string | null; chain_signature: string | null }[],
  truth: readonly TrueTap[],
) {
  const sent = new Map<string, { chainId: string; taps: number; lastSeq: number }>();
  const broken: string[] = [];
  for (const { tap } of truth) {
    if (!tap.chain) {
      broken.push(`${deviceName(tap.deviceId)}: tap ${tap.seq} was sent unsigned`);
      continue;
    }
    const s = sent.get(tap.deviceId) ?? { chainId: tap.chain.id, taps: 0, lastSeq: 0 };
    s.taps += 1;
    s.lastSeq = Math.max(s.lastSeq, tap.seq);
    sent.set(tap.deviceId, s);
  }
  // ECDSA signatures are randomised: a resend signed again would hold another signature than the first.
  const signedAs = new Map(truth.map(({ tap }) => [tap.tapId, tap.chain?.signature]));
  const resignedOf = new Map<string, number>();
  for (const r of rows)
    if (signedAs.has(r.tap_id) && r.chain_signature !== signedAs.get(r.tap_id)) resignedOf.set(r.device_id, (resignedOf.get(r.device_id) ?? 0) + 1);
  const flaggedOf = new Map<string, number>();
  for (const r of rows)
    if ((r.flag_reasons?.split(',') ?? []).some((f) => isChainFlag(f) || f === 'unsigned')) flaggedOf.set(r.device_id, (flaggedOf.get(r.device_id) ?? 0) + 1);
  const summaries = await chainSummaries(db, [...sent.keys()]);
  const now = new Date();
  for (const [deviceId, s] of sent) {
    const name = deviceName(deviceId);
    const flaggedTaps = flaggedOf.get(deviceId) ?? 0;
    if (flaggedTaps > 0) broken.push(`${name}: ${flaggedTaps} taps held with a chain flag`);
    const resigned = resignedOf.get(deviceId) ?? 0;
    if (resigned > 0) broken.push(`${name}: ${resigned} taps held with another signature than the kiosk made`);
    if (s.taps !== s.lastSeq) broken.push(`${name}: the kiosk sent ${s.taps} taps for seq 1…${s.lastSeq}`);
    const held = summaries.get(deviceId) ?? [];
    const summary = held.length === 1 ? held[0]! : null;
    if (!summary) broken.push(`${name}: ${held.length} chains held, 1 sent`);
    else if (
      summary.completeThrough !== s.lastSeq ||
      summary.lastSeq !== s.lastSeq ||
      summary.tapCount !== s.taps ||
      summary.gaps.length + summary.breaks.length > 0
    )
      broken.push(
        `${name}: the server holds complete through ${summary.completeThrough}, last ${summary.lastSeq}, ${summary.tapCount} taps, ${summary.gaps.length} gaps, ${summary.breaks.length} breaks; the kiosk sent 1…${s.lastSeq}`,
      );
    const offline = await verifyTapExport(await exportDeviceTaps(db, deviceId, now));
    const verified = offline.chains.find((c) => c.id === s.chainId);
    const flagged = verified ? [...verified.flags.values()].filter((f) => f.length > 0).length : 0;
    if (!verified || verified.state.completeThrough !== s.lastSeq || verified.tapCount !== s.taps || flagged > 0 || offline.unknownChainTaps.length > 0)
      broken.push(
        `${name}: checked again from the rows, complete through ${verified?.state.completeThrough ?? 'no chain'} of ${s.lastSeq}, ${verified?.tapCount ?? 0} taps, ${flagged} flagged, gaps ${JSON.stringify(verified?.state.gaps ?? [])}`,
      );
  }
  const flaggedTaps = [...flaggedOf.values()].reduce((n, f) => n + f, 0);
  const brokenDevices = new Set(broken.map((b) => b.split(':')[0]));
  return { chains: sent.size, broken, brokenDevices: brokenDevices.size, flaggedTaps };
}

/** The figures as `npm run bench` reads them (`BENCH {name, value, unit}` lines). */
export function benchLines(report: ChaosReport): string[] {
  const label = `chaos: ${report.kiosks} kiosks, ${report.taps} taps, ${report.kills} SIGKILLs`;
  return [
    { name: `${label}: lost`, value: report.lost, unit: 'taps' },
    { name: `${label}: doubled`, value: report.doubled, unit: 'taps' },
    { name: `${label}: time`, value: report.seconds, unit: 's' },
    { name: `${label}: throughput`, value: report.taps / report.seconds, unit: 'taps/s' },
    { name: `${label}: chains not whole`, value: report.brokenChains, unit: 'chains' },
    { name: `${label}: checks failed`, value: report.checks.filter((c) => !c.ok).length, unit: 'checks' },
  ].map((row) => `BENCH ${JSON.stringify(row)}`);
}

/** The report in lines a person reads. */
export function describe(report: ChaosReport): string[] {
  const p = report.proxy;
  return [
    `${report.kiosks} kiosks, ${report.taps} taps in ${report.seconds.toFixed(1)} s; ${report.kills} SIGKILLs (${report.killsMidBatch} mid-batch)`,
    `${report.pushes} pushes, ${report.failedPushes} failed; proxy: ${p.requests} requests, ${p.droppedRequests} dropped, ${p.droppedReplies} replies dropped, ${p.delayed} delayed, ${p.lateCopies} late copies, ${p.serverDown} met a dead server`,
    `lost ${report.lost}, doubled ${report.doubled}, worst placement ${report.worstPlacementS.toFixed(1)} s, ${report.brokenChains} chains not whole`,
    ...report.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`),
  ];
}
