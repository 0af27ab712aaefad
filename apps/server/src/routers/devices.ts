import type { TRPCRouterRecord } from '@trpc/server';
import { ChainPublicKey } from '@opencme/core';
import { z } from 'zod';
import { createDevice } from '../repositories/devices.ts';
import { assignKiosk, devicesWithChains, pairAgain, pairKiosk, retireKiosk } from '../services/devices.ts';
import { userProcedure, publicProcedure } from '../trpc.ts';

/** Kiosks (刷卡设备) of the admin's unit: create, pair, assign to sessions, revoke. */
export const devicesRouter = {
  list: userProcedure.query(({ ctx }) => devicesWithChains(ctx.db, ctx.user.organisationId)),

  create: userProcedure
    .input(z.object({ name: z.string().trim().min(1).max(60) }))
    .mutation(({ ctx, input }) => createDevice(ctx.db, { name: input.name, institutionId: ctx.user.organisationId, now: ctx.now() })),

  /** A new pairing code, e.g. when a tablet is replaced; the old token stops working. */
  repair: userProcedure.input(z.object({ deviceId: z.string() })).mutation(({ ctx, input }) => pairAgain(ctx.db, input.deviceId, ctx.now())),

  revoke: userProcedure.input(z.object({ deviceId: z.string() })).mutation(async ({ ctx, input }) => {
    await retireKiosk(ctx.db, input.deviceId, ctx.now());
    return { ok: true };
  }),

  assignSession: userProcedure.input(z.object({ deviceId: z.string(), sessionId: z.string() })).mutation(async ({ ctx, input }) => {
    await assignKiosk(ctx.db, input, ctx.now());
    return { ok: true };
  }),

  /**
   * The kiosk side of pairing: a code typed on the tablet becomes its device token, once; with the
   * public half of the kiosk's new signing key, its taps from now on form a new signed chain.
   */
  pair: publicProcedure
    .input(z.object({ code: z.string().trim().min(4).max(20), chainKey: ChainPublicKey.optional() }))
    .mutation(({ ctx, input }) => pairKiosk(ctx.db, input, ctx.now())),
} satisfies TRPCRouterRecord;
