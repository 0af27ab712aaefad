// The registry (人员信息库): who is who. Review of registrations, staff lists, cards.
import type { TRPCRouterRecord } from '@trpc/server';
import { addDays, chinaDayStart, newId, parseUid, UID_ENCODINGS, UidFormatError } from '@opencme/core';
import { z } from 'zod';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import { audit, auditPersonalDataOf, viewerOf } from '../repositories/audit.ts';
import { readAuditLog } from '../repositories/audit-log.ts';
import { subtreeIds } from '../repositories/organisations.ts';
import {
  addCredential,
  approveRegistration,
  CARD_STATES,
  cardSheet,
  personDetail,
  rejectRegistration,
  STAFF_SORTS,
  type StaffScope,
  searchStaff,
  touchPerson,
} from '../repositories/registry.ts';
import { userProcedure } from '../trpc.ts';

async function staffScope(db: DB, organisationId: string): Promise<StaffScope> {
  const org = await db.selectFrom('organisations').select(['id', 'kind']).where('id', '=', organisationId).executeTakeFirstOrThrow();
  if (org.kind === 'department') return { departmentId: org.id };
  if (org.kind === 'institution') return { institutionIds: [org.id] };
  const ids = await subtreeIds(db, org.id);
  const institutions = await db.selectFrom('organisations').select('id').where('id', 'in', ids).where('kind', '=', 'institution').execute();
  return { institutionIds: institutions.map((i) => i.id) };
}

const staffQuery = z.object({
  organisationId: z.string(),
  query: z.string().trim().max(40).default(''),
  status: z.enum(['approved', 'pending', 'rejected']).default('approved'),
  title: z.string().trim().max(30).nullish(),
  card: z.enum(CARD_STATES).nullish(),
  sort: z.enum(STAFF_SORTS).default('name'),
  descending: z.boolean().default(false),
  page: z.number().int().min(1).default(1),
  pageSize: z.number().int().min(1).max(200).default(50),
});

/** The shape `searchStaff` takes for an ID number (matched exactly, through the blind index). */
const ID_NUMBER_QUERY = /^\s*\d{17}[\dXx]\s*$/;

export const registryRouter = {
  /** Staff of a unit or department: search by name, CME card number or ID number (or their last digits), filtered, paged and sorted. */
  staff: userProcedure.input(staffQuery).query(async ({ ctx, input }) => {
    const found = await searchStaff(ctx.db, ctx.vault, { ...input, scope: await staffScope(ctx.db, input.organisationId) });
    // A search by ID number looks up who someone is: audited for every person it finds.
    if (ID_NUMBER_QUERY.test(input.query)) {
      await auditPersonalDataOf(ctx.db, { actor: viewerOf(ctx.user), action: 'person.search-id-number', personIds: found.rows.map((r) => r.id), detail: { organisationId: input.organisationId }, at: ctx.now() });
    }
    return found;
  }),

  person: userProcedure.input(z.object({ personId: z.string() })).query(async ({ ctx, input }) => {
    const detail = await personDetail(ctx.db, input.personId);
    await auditPersonalDataOf(ctx.db, { actor: viewerOf(ctx.user), action: 'person.view', personIds: [input.personId], at: ctx.now() });
    return detail;
  }),

  /** Approves or rejects registrations one by one or in bulk; approval issues the CME card number. */
  review: userProcedure
    .input(
      z.discriminatedUnion('decision', [
        z.object({ decision: z.literal('approve'), personIds: z.array(z.string()).min(1).max(500) }),
        z.object({ decision: z.literal('reject'), personIds: z.array(z.string()).min(1).max(500), reason: z.string().trim().min(2, 'registry.reject-reason-required').max(200) }),
      ]),
    )
    .mutation(async ({ ctx, input }) => {
      const now = ctx.now();
      return ctx.db.transaction().execute(async (trx) => {
        const results: { personId: string; cmeNumber: string | null; done: boolean }[] = [];
        for (const personId of input.personIds) {
          if (input.decision === 'approve') {
            const cmeNumber = await approveRegistration(trx, ctx.vault, personId, ctx.user.id, now);
            results.push({ personId, cmeNumber, done: cmeNumber !== null });
          } else {
            results.push({ personId, cmeNumber: null, done: await rejectRegistration(trx, personId, input.reason, ctx.user.id, now) });
          }
        }
        return results;
      });
    }),

  /** Binds an IC card to a person, from a reader at the admin's desk or the number typed. */
  bindCard: userProcedure
    .input(
      z.object({
        personId: z.string(),
        typed: z.string().trim().min(1).max(32),
        encoding: z.enum(UID_ENCODINGS).default('hex'),
        category: z.enum(['I', 'II', 'III']),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      let uid: string;
      try {
        uid = parseUid(input.typed, input.encoding);
      } catch (error) {
        if (error instanceof UidFormatError) throw new UserFacingError('BAD_REQUEST', error.messageKey, error.params, 'typed');
        throw error;
      }
      const taken = await ctx.db.selectFrom('credentials').select('person_id').where('kind', '=', 'ic-card').where('value', '=', uid).executeTakeFirst();
      if (taken) throw new UserFacingError('CONFLICT', 'registry.card-already-bound-someone');
      const person = await ctx.db.selectFrom('persons').select(['institution_id', 'department_id', 'registration_status']).where('id', '=', input.personId).executeTakeFirstOrThrow();
      if (person.registration_status !== 'approved') throw new UserFacingError('BAD_REQUEST', 'registry.card-bound-once-registration-approved');
      const now = ctx.now();
      await ctx.db.transaction().execute(async (trx) => {
        const version = await touchPerson(trx, input.personId, now);
        await addCredential(trx, ctx.vault, { personId: input.personId, kind: 'ic-card', value: uid, category: input.category, version, now });
        await audit(trx, {
          actor: { userId: ctx.user.id },
          action: 'card.bind',
          entity: 'person',
          entityId: input.personId,
          organisationId: person.department_id ?? person.institution_id,
          after: { uid, category: input.category },
          at: now,
        });
      });
      return { uid };
    }),

  /** A lost card (挂失) goes on the deny list that kiosks pull with the roster. */
  reportLost: userProcedure.input(z.object({ credentialId: z.string() })).mutation(async ({ ctx, input }) => {
    const credential = await ctx.db
      .selectFrom('credentials')
      .innerJoin('persons', 'persons.id', 'credentials.person_id')
      .select(['credentials.person_id', 'credentials.kind', 'credentials.value', 'credentials.status', 'persons.institution_id', 'persons.department_id'])
      .where('credentials.id', '=', input.credentialId)
      .executeTakeFirstOrThrow();
    if (credential.kind !== 'ic-card') throw new UserFacingError('BAD_REQUEST', 'registry.only-ic-cards-reported-lost');
    if (credential.status === 'lost') return { ok: true };
    const now = ctx.now();
    await ctx.db.transaction().execute(async (trx) => {
      const version = await touchPerson(trx, credential.person_id, now);
      await trx.updateTable('credentials').set({ status: 'lost', lost_at: now.toISOString(), version }).where('id', '=', input.credentialId).execute();
      await audit(trx, {
        actor: { userId: ctx.user.id },
        action: 'card.report-lost',
        entity: 'person',
        entityId: credential.person_id,
        organisationId: credential.department_id ?? credential.institution_id,
        before: { uid: credential.value, status: 'active' },
        after: { uid: credential.value, status: 'lost' },
        at: now,
      });
    });
    return { ok: true };
  }),

  /**
   * The card application sheet (制卡申请表) for the card maker: one A4 page a person, with the
   * full-size registry photo. The ID number stays masked, and no birth date goes beside the mask
   * (the two would rebuild the number): the card maker needs neither.
   */
  cardSheet: userProcedure.input(z.object({ personIds: z.array(z.string()).min(1).max(500) })).query(async ({ ctx, input }) => {
    const sheets = await cardSheet(ctx.db, input.personIds);
    await auditPersonalDataOf(ctx.db, { actor: viewerOf(ctx.user), action: 'person.card-sheet', personIds: sheets.map((s) => s.id), at: ctx.now() });
    return sheets;
  }),

  /** A new title held (取得职称) or employed at (聘任职称) from a date; the previous one ends the day before. */
  setTitle: userProcedure
    .input(
      z.object({
        personId: z.string(),
        kind: z.enum(['held', 'employed']),
        title: z.string().trim().min(1).max(30),
        fromDate: z.iso.date('input.date'),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const now = ctx.now();
      await ctx.db.transaction().execute(async (trx) => {
        const person = await trx.selectFrom('persons').select(['institution_id', 'department_id', 'title']).where('id', '=', input.personId).executeTakeFirstOrThrow();
        const current = await trx
          .selectFrom('title_history')
          .select(['id', 'title', 'from_date'])
          .where('person_id', '=', input.personId)
          .where('kind', '=', input.kind)
          .where('to_date', 'is', null)
          .executeTakeFirst();
        if (current && current.from_date >= input.fromDate) {
          throw new UserFacingError('BAD_REQUEST', 'registry.new-title-start-after-current', { fromDate: current.from_date });
        }
        if (current) await trx.updateTable('title_history').set({ to_date: addDays(input.fromDate, -1) }).where('id', '=', current.id).execute();
        await trx
          .insertInto('title_history')
          .values({ id: newId(), person_id: input.personId, kind: input.kind, title: input.title, from_date: input.fromDate, to_date: null, created_at: now.toISOString() })
          .execute();
        if (input.kind === 'held') await trx.updateTable('persons').set({ title: input.title, updated_at: now.toISOString() }).where('id', '=', input.personId).execute();
        await audit(trx, {
          actor: { userId: ctx.user.id },
          action: `title.${input.kind}`,
          entity: 'person',
          entityId: input.personId,
          organisationId: person.department_id ?? person.institution_id,
          before: current ? { title: current.title, fromDate: current.from_date } : null,
          after: { title: input.title, fromDate: input.fromDate },
          at: now,
        });
      });
      return { ok: true };
    }),

  /**
   * The audit log within the caller's scope, newest first, a page at a time: who did what to whom
   * (names, never ID numbers), narrowed to one action and to days in China (Asia/Shanghai).
   */
  auditLog: userProcedure
    .input(
      z.object({
        organisationId: z.string(),
        page: z.number().int().min(1).default(1),
        action: z.string().max(60).optional(),
        fromDate: z.iso.date('input.date').optional(),
        toDate: z.iso.date('input.date').optional(),
      }),
    )
    .query(async ({ ctx, input }) =>
      readAuditLog(ctx.db, {
        organisationIds: await subtreeIds(ctx.db, input.organisationId),
        action: input.action,
        from: input.fromDate ? chinaDayStart(input.fromDate) : undefined,
        // The whole of the last day: up to the next midnight.
        until: input.toDate ? chinaDayStart(addDays(input.toDate, 1)) : undefined,
        page: input.page,
      }),
    ),
} satisfies TRPCRouterRecord;
