import { SyncPullInput, SyncPushInput, type SyncPullResult, type SyncPushResult } from '@opencme/core';
import type { TRPCRouterRecord } from '@trpc/server';
import { rosterSince, sessionsForDevice } from '../repositories/roster.ts';
import { storeTaps } from '../repositories/taps.ts';
import { deviceProcedure } from '../trpc.ts';

export const syncRouter = {
  push: deviceProcedure.input(SyncPushInput).mutation(async ({ ctx, input }): Promise<SyncPushResult> => {
    const now = ctx.now();
    const results = await storeTaps(ctx.db, ctx.vault, ctx.device, input.taps, now, input.clock ?? null);
    return { results, serverTime: now.toISOString() };
  }),

  pull: deviceProcedure.input(SyncPullInput).query(async ({ ctx, input }): Promise<SyncPullResult> => {
    const since = input.cursor === null ? 0 : Number.parseInt(input.cursor, 10) || 0;
    const [sessions, roster] = await Promise.all([sessionsForDevice(ctx.db, ctx.device.id), rosterSince(ctx.db, ctx.device, since)]);
    return {
      cursor: String(roster.cursor),
      sessions,
      people: roster.people,
      hasMore: roster.hasMore,
      serverTime: ctx.now().toISOString(),
    };
  }),
} satisfies TRPCRouterRecord;
