// Units (医疗机构) and their departments (科室). A unit registers itself with its unified social
// credit code; its city or province office verifies it before its administrator can sign in.
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { limitCaller } from '../rate-limit.ts';
import { citiesWithProvinces, departmentsOf, pendingUnitsWithin } from '../repositories/organisations.ts';
import { openDepartment, registerUnit, renameDepartment, verifyUnit } from '../services/units.ts';
import { publicProcedure, userProcedure } from '../trpc.ts';
import { PASSWORD } from './auth.ts';

export const unitsRouter = {
  /** Cities (市州) under each province, for the unit registration form. */
  cities: publicProcedure.query(({ ctx }) => citiesWithProvinces(ctx.db)),

  register: publicProcedure
    .input(
      z.object({
        cityId: z.string(),
        creditCode: z.string().trim(),
        name: z.string().trim().min(4, 'units.name-required').max(80),
        // No login to choose: "this login is taken" would tell anyone which logins exist.
        admin: z.object({ displayName: z.string().trim().min(2).max(30), password: PASSWORD }),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await limitCaller(ctx, 'unitRegistration');
      return registerUnit(ctx.db, input, ctx.now());
    }),

  /** Units waiting for verification within the caller's city or province. */
  pending: userProcedure.query(({ ctx }) => pendingUnitsWithin(ctx.db, ctx.user.organisationId)),

  verify: userProcedure
    .input(z.object({ unitId: z.string(), approve: z.boolean() }))
    .mutation(({ ctx, input }) => verifyUnit(ctx.db, input, ctx.user.id, ctx.now())),

  departments: userProcedure.input(z.object({ unitId: z.string() })).query(({ ctx, input }) => departmentsOf(ctx.db, input.unitId)),

  addDepartment: userProcedure
    .input(z.object({ unitId: z.string(), name: z.string().trim().min(2).max(40) }))
    .mutation(({ ctx, input }) => openDepartment(ctx.db, input, ctx.user.id, ctx.now())),

  renameDepartment: userProcedure.input(z.object({ departmentId: z.string(), name: z.string().trim().min(2).max(40) })).mutation(async ({ ctx, input }) => {
    await renameDepartment(ctx.db, input, ctx.user.id, ctx.now());
    return { ok: true };
  }),
} satisfies TRPCRouterRecord;
