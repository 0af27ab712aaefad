import { SessionTapsInput, SessionTapsResult, SyncPullInput, SyncPullResult, SyncPushInput, SyncPushResult } from '@opencme/core';
import type { TRPCRouterRecord } from '@trpc/server';
import { acknowledgeRosterKey, deviceRosterKey } from '../repositories/devices.ts';
import { rosterSince, sessionsForDevice } from '../repositories/roster.ts';
import { UserFacingError } from '../errors.ts';
import { peerTapsForDevice, storeTaps } from '../repositories/taps.ts';
import { detectAfterPush } from '../services/proxy-detection.ts';
import { deviceProcedure } from '../trpc.ts';

export const syncRouter = {
  // The replies are parsed on the way out too: what the kiosk parses on its side is what is sent.
  push: deviceProcedure
    .input(SyncPushInput)
    .output(SyncPushResult)
    .mutation(async ({ ctx, input }): Promise<SyncPushResult> => {
      const now = ctx.now();
      const results = await storeTaps(ctx.db, ctx.vault, ctx.device, input.taps, now, input.clock ?? null);
      await detectAfterPush(ctx.db, results, now);
      return { results, serverTime: now.toISOString() };
    }),

  pull: deviceProcedure
    .input(SyncPullInput)
    .output(SyncPullResult)
    .query(async ({ ctx, input }): Promise<SyncPullResult> => {
      const since = input.cursor === null ? 0 : Number.parseInt(input.cursor, 10) || 0;
      const key = await deviceRosterKey(ctx.db, ctx.vault, ctx.device);
      const held = input.deviceKeyId === key.id;
      if (held && !key.acked) await acknowledgeRosterKey(ctx.db, ctx.device.id, key.id, ctx.now());
      const [sessions, roster] = await Promise.all([
        sessionsForDevice(ctx.db, ctx.device.id),
        rosterSince(ctx.db, ctx.vault, ctx.device, key.key, since, input.photos ?? 'inline'),
      ]);
      return {
        cursor: String(roster.cursor),
        sessions,
        people: roster.people,
        removed: roster.removed,
        hasMore: roster.hasMore,
        serverTime: ctx.now().toISOString(),
        // Once the kiosk has shown it holds its key, the key is never sent again: a stolen token
        // alone then brings digests that nothing can be tested against.
        ...(held || key.acked ? {} : { deviceKey: { id: key.id, key: key.raw.toString('base64url') } }),
        sealingKey: ctx.vault.sealingKey,
      };
    }),

  /** The taps other doors of one of this device's sessions recorded: two doors of a session agree while online. */
  sessionTaps: deviceProcedure
    .input(SessionTapsInput)
    .output(SessionTapsResult)
    .query(async ({ ctx, input }) => {
      const page = await peerTapsForDevice(ctx.db, ctx.device, input.sessionId, input.cursor);
      if (!page) throw new UserFacingError('FORBIDDEN', 'sync.device-not-assigned-session');
      return page;
    }),
} satisfies TRPCRouterRecord;
