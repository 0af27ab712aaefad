import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { UserFacingError } from '../errors.ts';
import { assignSession, claimPairingCode, createDevice, issuePairingCode, listDevices, revokeDevice } from '../repositories/devices.ts';
import { sessionBelongsTo } from '../repositories/sessions.ts';
import { adminProcedure, publicProcedure } from '../trpc.ts';

async function ownDevice(ctx: { db: import('../db/connect.ts').DB; user: { institutionId: string } }, deviceId: string) {
  const device = await ctx.db
    .selectFrom('devices')
    .select(['id', 'revoked_at'])
    .where('id', '=', deviceId)
    .where('institution_id', '=', ctx.user.institutionId)
    .executeTakeFirst();
  if (!device) throw new UserFacingError('NOT_FOUND', '没有这台设备', 'No such device');
  return device;
}

/** Kiosks (刷卡设备) of the admin's unit: create, pair, assign to sessions, revoke. */
export const devicesRouter = {
  list: adminProcedure.query(({ ctx }) => listDevices(ctx.db, ctx.user.institutionId)),

  create: adminProcedure
    .input(z.object({ name: z.string().trim().min(1).max(60) }))
    .mutation(({ ctx, input }) => createDevice(ctx.db, { name: input.name, institutionId: ctx.user.institutionId, now: ctx.now() })),

  /** A new pairing code, e.g. when a tablet is replaced; the old token stops working. */
  repair: adminProcedure.input(z.object({ deviceId: z.string() })).mutation(async ({ ctx, input }) => {
    const device = await ownDevice(ctx, input.deviceId);
    if (device.revoked_at) throw new UserFacingError('BAD_REQUEST', '此设备已停用', 'This device was revoked');
    return { pairingCode: await issuePairingCode(ctx.db, device.id, ctx.now()) };
  }),

  revoke: adminProcedure.input(z.object({ deviceId: z.string() })).mutation(async ({ ctx, input }) => {
    const done = await revokeDevice(ctx.db, input.deviceId, ctx.user.institutionId, ctx.now());
    if (!done) throw new UserFacingError('NOT_FOUND', '没有这台设备', 'No such device');
    return { ok: true };
  }),

  assignSession: adminProcedure
    .input(z.object({ deviceId: z.string(), sessionId: z.string() }))
    .mutation(async ({ ctx, input }) => {
      await ownDevice(ctx, input.deviceId);
      if (!(await sessionBelongsTo(ctx.db, input.sessionId, ctx.user.institutionId))) {
        throw new UserFacingError('NOT_FOUND', '没有这个场次', 'No such session');
      }
      await assignSession(ctx.db, input.deviceId, input.sessionId, ctx.now());
      return { ok: true };
    }),

  /** The kiosk side of pairing: a code typed on the tablet becomes its device token, once. */
  pair: publicProcedure.input(z.object({ code: z.string().trim().min(4).max(20) })).mutation(async ({ ctx, input }) => {
    const paired = await claimPairingCode(ctx.db, input.code, ctx.now());
    if (!paired) {
      throw new UserFacingError('BAD_REQUEST', '配对码无效、已使用或已过期', 'The pairing code is wrong, already used or expired');
    }
    return paired;
  }),
} satisfies TRPCRouterRecord;
