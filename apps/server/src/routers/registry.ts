// The registry (人员信息库): who is who. Review of registrations, staff lists, cards.
import type { TRPCRouterRecord } from '@trpc/server';
import { UID_ENCODINGS } from '@opencme/core';
import { z } from 'zod';
import { LEAVING_REASONS } from '../db/schema.ts';
import { pendingTransfersOf, placementHistory } from '../repositories/placements.ts';
import { CARD_STATES, STAFF_SORTS } from '../repositories/registry.ts';
import { CARD_CATEGORIES, cardFeesFor } from '../repositories/settings.ts';
import {
  addPerson,
  cancelCard,
  decideTransfer,
  editPerson,
  moveToDepartment,
  recordPersonLeaving,
  replaceCard,
  requestTransfer,
  saveProvinceCardFees,
} from '../services/maintenance.ts';
import { RegistrationInput } from './registration.ts';
import { auditLogWithin, bindCard, changeTitle, findStaff, reportCardLost, reviewRegistrations, viewCardSheet, viewPerson } from '../services/registry.ts';
import { userProcedure } from '../trpc.ts';

/** A person's fields as registration checks them. */
const personFields = RegistrationInput.pick({ name: true, phone: true, category: true, specialty: true, degree: true });
const ok = { ok: true } as const;

const staffQuery = z.object({
  organisationId: z.string(),
  query: z.string().trim().max(40).default(''),
  status: z.enum(['approved', 'pending', 'rejected']).default('approved'),
  title: z.string().trim().max(30).nullish(),
  card: z.enum(CARD_STATES).nullish(),
  sort: z.enum(STAFF_SORTS).default('name'),
  descending: z.boolean().default(false),
  /** The cursor of the row the page follows (`next` of the page before), or precedes (`previous` of the page after). */
  after: z.string().max(400).nullish(),
  before: z.string().max(400).nullish(),
  pageSize: z.number().int().min(1).max(200).default(50),
  /** Count the whole list (a scan of the scope's index): a client turning pages of a list it has counted sends false. */
  count: z.boolean().default(true),
});

export const registryRouter = {
  /** Staff of a unit or department: search by name, CME card number or ID number (or their last digits), filtered, sorted and paged by cursor. */
  staff: userProcedure.input(staffQuery).query(({ ctx, input }) => findStaff(ctx.db, ctx.vault, input, ctx.user, ctx.now())),

  person: userProcedure.input(z.object({ personId: z.string() })).query(({ ctx, input }) => viewPerson(ctx.db, input.personId, ctx.user, ctx.now())),

  /** Approves or rejects registrations one by one or in bulk; approval issues the CME card number. */
  review: userProcedure
    .input(
      z.discriminatedUnion('decision', [
        z.object({ decision: z.literal('approve'), personIds: z.array(z.string()).min(1).max(500) }),
        z.object({
          decision: z.literal('reject'),
          personIds: z.array(z.string()).min(1).max(500),
          reason: z.string().trim().min(2, 'registry.reject-reason-required').max(200),
        }),
      ]),
    )
    .mutation(({ ctx, input }) => reviewRegistrations(ctx.db, ctx.vault, input, ctx.user.id, ctx.now())),

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
    .mutation(({ ctx, input }) => bindCard(ctx.db, ctx.vault, input, ctx.user.id, ctx.now())),

  /** A lost card (挂失) goes on the deny list that kiosks pull with the roster. */
  reportLost: userProcedure.input(z.object({ credentialId: z.string() })).mutation(async ({ ctx, input }) => {
    await reportCardLost(ctx.db, input.credentialId, ctx.user.id, ctx.now());
    return { ok: true };
  }),

  /**
   * The card application sheet (制卡申请表) for the card maker: one A4 page a person, with the
   * full-size registry photo. The ID number stays masked, and no birth date goes beside the mask
   * (the two would rebuild the number): the card maker needs neither.
   */
  cardSheet: userProcedure
    .input(z.object({ personIds: z.array(z.string()).min(1).max(500) }))
    .query(({ ctx, input }) => viewCardSheet(ctx.db, input.personIds, ctx.user, ctx.now())),

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
      await changeTitle(ctx.db, input, ctx.user.id, ctx.now());
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
    .query(({ ctx, input }) => auditLogWithin(ctx.db, input)),

  /** A person added by the unit's office (人员录入), approved at once, every field checked as at registration. */
  addPerson: userProcedure
    .input(
      personFields.extend({
        departmentId: z.string(),
        idNumber: RegistrationInput.shape.idNumber,
        title: RegistrationInput.shape.title,
        employedTitle: z.string().trim().max(30).nullish(),
        photoUpload: z.string().min(1).max(100).nullish(),
      }),
    )
    .mutation(({ ctx, input }) => addPerson(ctx.db, ctx.vault, input, ctx.user.id, ctx.now())),

  /** Edits a person's record; a new ID number needs the reason it changes (audited by digest). */
  editPerson: userProcedure
    .input(
      personFields.extend({
        personId: z.string(),
        // Shown masked on the panel: left out, it stays as it is.
        phone: RegistrationInput.shape.phone.optional(),
        idNumber: z.string().trim().nullish(),
        idNumberReason: z.string().trim().min(4, 'registry.id-number-change-needs-reason').max(200).nullish(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await editPerson(ctx.db, ctx.vault, input, ctx.user.id, ctx.now());
      return ok;
    }),

  /** Where she was when (unit, department, from, to), her current place last. */
  history: userProcedure.input(z.object({ personId: z.string() })).query(({ ctx, input }) => placementHistory(ctx.db, input.personId)),

  /** A move to another department of the unit, from today. */
  moveDepartment: userProcedure.input(z.object({ personId: z.string(), departmentId: z.string() })).mutation(async ({ ctx, input }) => {
    await moveToDepartment(ctx.db, input, ctx.user.id, ctx.now());
    return ok;
  }),

  /** Starts a transfer (调动) to another unit, which that unit's office accepts or declines. */
  requestTransfer: userProcedure
    .input(z.object({ personId: z.string(), toUnitId: z.string(), reason: z.string().trim().min(2, 'registry.transfer-reason-required').max(200) }))
    .mutation(({ ctx, input }) => requestTransfer(ctx.db, input, ctx.user.id, ctx.now())),

  /** The receiving unit's answer to a transfer: accepted into one of its departments, or declined. */
  decideTransfer: userProcedure
    .input(z.object({ transferId: z.string(), accept: z.boolean(), departmentId: z.string().nullish() }))
    .mutation(async ({ ctx, input }) => {
      await decideTransfer(ctx.db, input, ctx.user.id, ctx.now());
      return ok;
    }),

  /** The caller's unit's pending transfers, coming and going. */
  transfers: userProcedure.query(({ ctx }) => pendingTransfersOf(ctx.db, ctx.user.organisationId)),

  /** She left (离职 / 退休 / 死亡) on a day: from then on she counts nowhere and kiosks drop her. */
  recordLeaving: userProcedure
    .input(z.object({ personId: z.string(), reason: z.enum(LEAVING_REASONS), on: z.iso.date('input.date') }))
    .mutation(async ({ ctx, input }) => {
      await recordPersonLeaving(ctx.db, input, ctx.user.id, ctx.now());
      return ok;
    }),

  /** Replaces an IC card (改卡): the old one goes on the deny list, the fee of the category is recorded. */
  replaceCard: userProcedure
    .input(
      z.object({
        credentialId: z.string(),
        typed: z.string().trim().min(1).max(32),
        encoding: z.enum(UID_ENCODINGS).default('hex'),
        category: z.enum(CARD_CATEGORIES),
      }),
    )
    .mutation(({ ctx, input }) => replaceCard(ctx.db, ctx.vault, input, ctx.user.id, ctx.now())),

  /** Cancels an IC card (销卡): the door refuses it from the next pull. */
  cancelCard: userProcedure.input(z.object({ credentialId: z.string() })).mutation(async ({ ctx, input }) => {
    await cancelCard(ctx.db, input, ctx.user.id, ctx.now());
    return ok;
  }),

  /** The card fees (工本费) per category of the province an organisation lies in. */
  cardFees: userProcedure.input(z.object({ organisationId: z.string() })).query(({ ctx, input }) => cardFeesFor(ctx.db, input.organisationId)),

  /** A province sets the card fees it charges (yuan per category; a category left out is free). */
  setCardFees: userProcedure
    .input(z.object({ provinceId: z.string(), fees: z.partialRecord(z.enum(CARD_CATEGORIES), z.number().int().min(0).max(1000)) }))
    .mutation(async ({ ctx, input }) => {
      await saveProvinceCardFees(ctx.db, input, ctx.user.id, ctx.now());
      return ok;
    }),
} satisfies TRPCRouterRecord;
