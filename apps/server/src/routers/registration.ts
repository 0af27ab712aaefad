// Self-registration (自助注册) from a phone: no account, a status link with a secret instead.
import { idDocumentKind, newId, STAFF_CATEGORIES, validateIdNumber } from '@opencme/core';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { nextVersion } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import { storePhoto } from '../photos.ts';
import { checkPortrait } from '../portrait.ts';
import { limitCaller } from '../rate-limit.ts';
import { audit } from '../repositories/audit.ts';
import { duplicateRegistrationStatus, recordDuplicateRegistration } from '../repositories/registration-duplicates.ts';
import { takeUploads } from '../repositories/uploads.ts';
import { newToken, sha256 } from '../secrets.ts';
import { publicProcedure } from '../trpc.ts';

export const RegistrationInput = z.object({
  institutionId: z.string().min(1),
  departmentId: z.string().min(1),
  name: z.string().trim().min(2, 'registration.name-required').max(30),
  idNumber: z.string().trim(),
  phone: z.string().trim().regex(/^1\d{10}$/, 'registration.phone-format'),
  title: z.string().trim().min(1, 'registration.title-required').max(30),
  category: z.enum(STAFF_CATEGORIES),
  specialty: z.string().trim().max(60).default(''),
  degree: z.enum(['secondary', 'college', 'bachelor', 'master', 'doctorate']),
  /** The cropped portrait, sent first to POST /api/files/photo: the id it answered. */
  photoUpload: z.string().min(1).max(100),
});

export const registrationRouter = {
  /** Verified units whose name contains the query: the first step of the form. */
  searchUnits: publicProcedure.input(z.object({ query: z.string().trim().max(40) })).query(async ({ ctx, input }) => {
    let q = ctx.db.selectFrom('organisations').select(['id', 'name']).where('kind', '=', 'institution').where('status', '=', 'verified');
    if (input.query) q = q.where('name', 'like', `%${input.query.replace(/[%_]/g, '')}%`);
    return q.orderBy('name').limit(20).execute();
  }),

  departments: publicProcedure.input(z.object({ institutionId: z.string() })).query(({ ctx, input }) =>
    ctx.db.selectFrom('organisations').select(['id', 'name']).where('parent_id', '=', input.institutionId).where('kind', '=', 'department').orderBy('name').execute(),
  ),

  submit: publicProcedure.input(RegistrationInput).mutation(async ({ ctx, input }) => {
    await limitCaller(ctx, 'registration');
    const id = validateIdNumber(input.idNumber);
    if (!id.valid) throw new UserFacingError('BAD_REQUEST', `id-number.${id.reason}`, {}, 'idNumber');
    const department = await ctx.db
      .selectFrom('organisations as d')
      .innerJoin('organisations as u', 'u.id', 'd.parent_id')
      .select(['d.id'])
      .where('d.id', '=', input.departmentId)
      .where('u.id', '=', input.institutionId)
      .where('u.status', '=', 'verified')
      .executeTakeFirst();
    if (!department) throw new UserFacingError('BAD_REQUEST', 'registration.choose-unit-department-again', {}, 'departmentId');
    const [photo] = await takeUploads(ctx.db, { ids: [input.photoUpload], purpose: 'photo', ownerUserId: null, now: ctx.now() });
    const portrait = await checkPortrait(Buffer.from(photo!.bytes));
    if (!portrait.ok) throw new UserFacingError('BAD_REQUEST', portrait.key, portrait.params, 'photoUpload');

    const indexed = ctx.vault.index(id.normalized);
    const existing = await ctx.db
      .selectFrom('persons')
      .select(['id', 'registration_status', 'name', 'department_id', 'institution_id', 'title', 'reject_reason'])
      .where('id_number_index', '=', indexed)
      .executeTakeFirst();
    const token = newToken();
    const now = ctx.now();
    // The same answer as for a new number: "already registered" would tell anyone who is.
    if (existing && existing.registration_status !== 'rejected') {
      await ctx.db.transaction().execute(async (trx) =>
        recordDuplicateRegistration(trx, {
          tokenHash: sha256(token),
          person: { id: existing.id, unitId: existing.department_id ?? existing.institution_id },
          name: input.name,
          institutionId: input.institutionId,
          departmentId: input.departmentId,
          photoHash: await storePhoto(trx, portrait.jpeg, now),
          now,
        }),
      );
      return { statusToken: token };
    }
    // A rejected registration is submitted again on the same record, so its history (the
    // rejection and its reason in the audit log) stays with the person.
    const personId = existing?.id ?? newId();
    await ctx.db.transaction().execute(async (trx) => {
      const fields = {
        name: input.name,
        gender: id.gender,
        phone: input.phone,
        institution_id: input.institutionId,
        department_id: input.departmentId,
        title: input.title,
        category: input.category,
        specialty: input.specialty || null,
        degree: input.degree,
        id_document: idDocumentKind(id.normalized),
        photo_hash: await storePhoto(trx, portrait.jpeg, now),
        version: await nextVersion(trx),
        updated_at: now.toISOString(),
        registration_status: 'pending' as const,
        registration_token_hash: sha256(token),
        submitted_at: now.toISOString(),
        reviewed_at: null,
        reviewed_by: null,
        reject_reason: null,
      };
      if (existing) await trx.updateTable('persons').set(fields).where('id', '=', personId).execute();
      else await trx.insertInto('persons').values({ id: personId, ...ctx.vault.seal(id.normalized), cme_number: null, created_at: now.toISOString(), ...fields }).execute();
      await trx
        .insertInto('title_history')
        .values({ id: newId(), person_id: personId, kind: 'held', title: input.title, from_date: now.toISOString().slice(0, 10), to_date: null, created_at: now.toISOString() })
        .execute();
      await audit(trx, {
        actor: {},
        action: 'registration.submit',
        entity: 'person',
        entityId: personId,
        organisationId: input.departmentId,
        before: existing ? { registrationStatus: 'rejected', name: existing.name, department: existing.department_id, title: existing.title, rejectReason: existing.reject_reason } : undefined,
        after: { name: input.name, department: input.departmentId, title: input.title },
        at: now,
      });
    });
    return { statusToken: token };
  }),

  /** What the registrant sees on their phone: pending, approved with the card number, or rejected with the reason. */
  status: publicProcedure.input(z.object({ token: z.string().min(10).max(100) })).query(async ({ ctx, input }) => {
    const row = await ctx.db
      .selectFrom('persons')
      .innerJoin('organisations as unit', 'unit.id', 'persons.institution_id')
      .select(['persons.name', 'persons.registration_status as status', 'persons.cme_number as cmeNumber', 'persons.reject_reason as rejectReason', 'persons.submitted_at as submittedAt', 'unit.name as unit'])
      .where('persons.registration_token_hash', '=', sha256(input.token))
      .executeTakeFirst()
      .then((found) => found ?? duplicateRegistrationStatus(ctx.db, sha256(input.token)));
    if (!row) throw new UserFacingError('NOT_FOUND', 'registration.no-such-registration-link-out');
    return row;
  }),
} satisfies TRPCRouterRecord;
