// The chaos suite, small enough for `npm test` (`npm run chaos` runs it at full size): kiosks push
// through a proxy that drops, delays and duplicates, the server is killed mid-batch and started
// again, one tablet reboots mid-push and one clock jumps; every tap is then held exactly once,
// attendance is what core computes from them, and each kiosk's signed tap chain is held whole. The
// self-check shows the checks catch a doubled tap, a lost tap, a wrong attendance, a tap flagged as
// breaking its chain and a tap edited after the server checked it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { type ChaosReport, describe as describeReport, runChaos, verifyRun } from '../chaos/chaos.ts';
import type { TrueTap } from '../chaos/kiosks.ts';

/** The checks that failed, by name and detail. */
const failed = (checks: { name: string; ok: boolean; detail: string }[]) => checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);

describe('chaos', () => {
  it(
    'holds every tap exactly once, computes attendance as a clean run does and reports no false chain breaks, through drops, duplicates, SIGKILLs, a reboot and a clock jump',
    { timeout: 600_000 },
    async () => {
      const tampered: Record<string, Awaited<ReturnType<typeof verifyRun>>> = {};
      const report: ChaosReport = await runChaos({
        kiosks: 5,
        taps: 2000,
        kills: 3,
        batch: 40,
        // Self-check, on copies of the run's database: each damage is caught by its own check.
        afterRun: async (dataDir: string, truth: readonly TrueTap[]) => {
          const damage: Record<string, (db: SQLite.Database) => void> = {
            doubled: (db) => {
              const row = db.prepare('select * from taps limit 1').get() as Record<string, unknown>;
              const copy = { ...row, tap_id: '019a0000-0000-7000-8000-000000000000' };
              db.prepare(
                `insert into taps (${Object.keys(copy).join(', ')}) values (${Object.keys(copy)
                  .map(() => '?')
                  .join(', ')})`,
              ).run(...Object.values(copy));
            },
            lost: (db) => void db.prepare('delete from taps where tap_id = ?').run(truth[7]!.tap.tapId),
            attendance: (db) =>
              void db.prepare('update attendance set presence_minutes = presence_minutes + 1 where rowid = (select min(rowid) from attendance)').run(),
            // A break the server found: the tap keeps its status, only its reason is added.
            chainFlag: (db) => void db.prepare(`update taps set flag_reasons = 'chain-break' where tap_id = ?`).run(truth[11]!.tap.tapId),
            // A field edited in the database after the server checked the tap: its signature no longer holds.
            chainEdit: (db) => void db.prepare(`update taps set direction = 'none' where tap_id = ? and direction <> 'none'`).run(truth[13]!.tap.tapId),
          };
          for (const [name, harm] of Object.entries(damage)) {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), `opencme-chaos-${name}-`));
            fs.copyFileSync(path.join(dataDir, 'opencme.sqlite'), path.join(dir, 'opencme.sqlite'));
            const db = new SQLite(path.join(dir, 'opencme.sqlite'));
            harm(db);
            db.close();
            tampered[name] = await verifyRun(dir, truth);
            fs.rmSync(dir, { recursive: true, force: true });
          }
        },
      });
      console.log(describeReport(report).join('\n'));

      expect(failed(report.checks)).toEqual([]);
      expect([report.lost, report.doubled]).toEqual([0, 0]);
      expect(report.taps).toBe(2040);
      expect(report.kills).toBe(3);
      // The network was as bad as it says: every kind of trouble happened.
      const p = report.proxy;
      expect([p.droppedRequests, p.droppedReplies, p.delayed, p.lateCopies, p.serverDown].every((n) => n > 0)).toBe(true);

      expect(tampered.doubled!.doubled).toBe(1);
      expect(failed(tampered.doubled!.checks)).toContain('no tap doubled: 1 doubled');
      expect(tampered.lost!.lost).toBe(1);
      expect(failed(tampered.lost!.checks)).toContain('no tap lost: 1 lost');
      expect(tampered.attendance!.attendanceWrong).toBe(1);
      expect(failed(tampered.attendance!.checks).some((c) => c.startsWith('attendance equals a clean computation'))).toBe(true);
      expect(failed(tampered.attendance!.checks)).toHaveLength(1);
      // The deleted tap is also a gap in its kiosk's chain.
      expect(tampered.lost!.brokenChains).toBe(1);
      expect(failed(tampered.lost!.checks).some((c) => c.startsWith('the chain check reports no false breaks'))).toBe(true);
      for (const name of ['chainFlag', 'chainEdit']) {
        expect(tampered[name]!.brokenChains, name).toBe(1);
        expect(
          failed(tampered[name]!.checks).map((c) => c.split(':')[0]),
          name,
        ).toEqual(['the chain check reports no false breaks']);
      }
    },
  );
});
