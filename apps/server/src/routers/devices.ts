import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { UserFacingError } from '../errors.ts';
import { claimPairingCode, createDevice, listDevices, revokeDevice } from '../repositories/devices.ts';
import { assignKiosk, pairAgain } from '../services/devices.ts';
import { userProcedure, publicProcedure } from '../trpc.ts';

/** Kiosks (刷卡设备) of the admin's unit: create, pair, assign to sessions, revoke. */
export const devicesRouter = {
  list: userProcedure.query(({ ctx }) => listDevices(ctx.db, ctx.user.organisationId)),

  create: userProcedure
    .input(z.object({ name: z.string().trim().min(1).max(60) }))
    .mutation(({ ctx, input }) => createDevice(ctx.db, { name: input.name, institutionId: ctx.user.organisationId, now: ctx.now() })),

  /** A new pairing code, e.g. when a tablet is replaced; the old token stops working. */
  repair: userProcedure.input(z.object({ deviceId: z.string() })).mutation(({ ctx, input }) => pairAgain(ctx.db, input.deviceId, ctx.now())),

  revoke: userProcedure.input(z.object({ deviceId: z.string() })).mutation(async ({ ctx, input }) => {
    await revokeDevice(ctx.db, input.deviceId, ctx.now());
    return { ok: true };
  }),

  assignSession: userProcedure.input(z.object({ deviceId: z.string(), sessionId: z.string() })).mutation(async ({ ctx, input }) => {
    await assignKiosk(ctx.db, input, ctx.now());
    return { ok: true };
  }),

  /** The kiosk side of pairing: a code typed on the tablet becomes its device token, once. */
  pair: publicProcedure.input(z.object({ code: z.string().trim().min(4).max(20) })).mutation(async ({ ctx, input }) => {
    const paired = await claimPairingCode(ctx.db, input.code, ctx.now());
    if (!paired) {
      throw new UserFacingError('BAD_REQUEST', 'devices.pairing-code-wrong-already-used');
    }
    return paired;
  }),
} satisfies TRPCRouterRecord;
