// Units (医疗机构) and their departments (科室). A unit registers itself with its unified social
// credit code; its city or province office verifies it before its administrator can sign in.
import { newId, validateCreditCode } from '@opencme/core';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { UserFacingError } from '../errors.ts';
import { limitCaller } from '../rate-limit.ts';
import { audit } from '../repositories/audit.ts';
import { subtreeIds } from '../repositories/organisations.ts';
import { createUser, unusedLogin } from '../repositories/users.ts';
import { publicProcedure, userProcedure } from '../trpc.ts';
import { PASSWORD } from './auth.ts';

export const unitsRouter = {
  /** Cities (市州) under each province, for the unit registration form. */
  cities: publicProcedure.query(({ ctx }) =>
    ctx.db
      .selectFrom('organisations as city')
      .innerJoin('organisations as province', 'province.id', 'city.parent_id')
      .select(['city.id', 'city.name', 'province.name as province'])
      .where('city.kind', '=', 'city')
      .orderBy('province.name')
      .orderBy('city.name')
      .execute(),
  ),

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
      const code = validateCreditCode(input.creditCode);
      if (!code.valid) throw new UserFacingError('BAD_REQUEST', `credit-code.${code.reason}`, {}, 'creditCode');
      const city = await ctx.db.selectFrom('organisations').select('id').where('id', '=', input.cityId).where('kind', '=', 'city').executeTakeFirst();
      if (!city) throw new UserFacingError('BAD_REQUEST', 'units.choose-city', {}, 'cityId');
      if (await ctx.db.selectFrom('organisations').select('id').where('credit_code', '=', code.normalized).executeTakeFirst()) {
        throw new UserFacingError('CONFLICT', 'units.unit-code-already-registered', {}, 'creditCode');
      }
      // The unit's administrator signs in with the unit's credit code: the unit's own, and
      // already checked unique among units.
      const login = await unusedLogin(ctx.db, code.normalized);
      const now = ctx.now();
      const id = newId();
      await ctx.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('organisations')
          .values({ id, kind: 'institution', name: input.name, parent_id: input.cityId, credit_code: code.normalized, created_at: now.toISOString(), status: 'pending' })
          .execute();
        await createUser(trx, { ...input.admin, login, role: 'unit-admin', organisationId: id, now });
        await audit(trx, { actor: {}, action: 'unit.register', entity: 'organisation', entityId: id, organisationId: input.cityId, after: { name: input.name, creditCode: code.normalized }, at: now });
      });
      return { unitId: id, login };
    }),

  /** Units waiting for verification within the caller's city or province. */
  pending: userProcedure.query(async ({ ctx }) => {
    const ids = await subtreeIds(ctx.db, ctx.user.organisationId);
    return ctx.db
      .selectFrom('organisations')
      .select(['id', 'name', 'credit_code as creditCode', 'created_at as createdAt'])
      .where('id', 'in', ids)
      .where('kind', '=', 'institution')
      .where('status', '=', 'pending')
      .orderBy('created_at')
      .execute();
  }),

  verify: userProcedure
    .input(z.object({ unitId: z.string(), approve: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const unit = await ctx.db.selectFrom('organisations').select(['status', 'parent_id']).where('id', '=', input.unitId).where('kind', '=', 'institution').executeTakeFirst();
      if (!unit) throw new UserFacingError('NOT_FOUND', 'units.no-such-unit');
      const status = input.approve ? 'verified' : 'rejected';
      const now = ctx.now();
      await ctx.db.transaction().execute(async (trx) => {
        await trx.updateTable('organisations').set({ status, verified_at: now.toISOString(), verified_by: ctx.user.id }).where('id', '=', input.unitId).execute();
        await audit(trx, { actor: { userId: ctx.user.id }, action: 'unit.verify', entity: 'organisation', entityId: input.unitId, organisationId: unit.parent_id, before: { status: unit.status }, after: { status }, at: now });
      });
      return { status };
    }),

  departments: userProcedure.input(z.object({ unitId: z.string() })).query(({ ctx, input }) =>
    ctx.db.selectFrom('organisations').select(['id', 'name']).where('parent_id', '=', input.unitId).where('kind', '=', 'department').orderBy('name').execute(),
  ),

  addDepartment: userProcedure
    .input(z.object({ unitId: z.string(), name: z.string().trim().min(2).max(40) }))
    .mutation(async ({ ctx, input }) => {
      const exists = await ctx.db.selectFrom('organisations').select('id').where('parent_id', '=', input.unitId).where('name', '=', input.name).executeTakeFirst();
      if (exists) throw new UserFacingError('CONFLICT', 'units.department-name-exists');
      const id = newId();
      const now = ctx.now();
      await ctx.db.transaction().execute(async (trx) => {
        await trx.insertInto('organisations').values({ id, kind: 'department', name: input.name, parent_id: input.unitId, credit_code: null, created_at: now.toISOString() }).execute();
        await audit(trx, { actor: { userId: ctx.user.id }, action: 'department.add', entity: 'organisation', entityId: id, organisationId: input.unitId, after: { name: input.name }, at: now });
      });
      return { id };
    }),

  renameDepartment: userProcedure
    .input(z.object({ departmentId: z.string(), name: z.string().trim().min(2).max(40) }))
    .mutation(async ({ ctx, input }) => {
      const before = await ctx.db.selectFrom('organisations').select(['name', 'parent_id']).where('id', '=', input.departmentId).where('kind', '=', 'department').executeTakeFirstOrThrow();
      const now = ctx.now();
      await ctx.db.transaction().execute(async (trx) => {
        await trx.updateTable('organisations').set({ name: input.name }).where('id', '=', input.departmentId).execute();
        await audit(trx, { actor: { userId: ctx.user.id }, action: 'department.rename', entity: 'organisation', entityId: input.departmentId, organisationId: before.parent_id, before: { name: before.name }, after: { name: input.name }, at: now });
      });
      return { ok: true };
    }),
} satisfies TRPCRouterRecord;
