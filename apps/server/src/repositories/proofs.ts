// Issuing, revoking and looking up proofs. A proof is issued from the ledger at the moment of
// printing: what it states is what the ledger said then, signed, and recorded here.
import { type AnnualCertificatePayload, type AttendanceCertificatePayload, chinaDate, type CreditProofPayload, newId, standingReasons } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { standingInChinese } from '../document-words.ts';
import { UserFacingError } from '../errors.ts';
import type { ProofSigner } from '../proof-key.ts';
import { requireUsableSigningKey } from './proof-keys.ts';
import { voidedYearOf } from './sanctions.ts';
import { loadRuleSets, standingOfPerson, standingsOf } from './standing.ts';
import { acceptedResultsOfPersons } from './verification.ts';

export interface ProofYear {
  year: number;
  classI: number;
  classII: number;
  total: number;
  compliant: boolean;
  explanation: string;
}

export interface CreditProofDocument {
  kind: 'credit-proof';
  code: string;
  payload: CreditProofPayload;
  /** The unit whose seal the proof bears. */
  institutionId: string;
  department: string | null;
  title: string | null;
  years: ProofYear[];
  entries: { year: number; creditClass: 'I' | 'II'; credits: number; label: string }[];
}

export interface CertificateDocument {
  kind: 'attendance-certificate';
  code: string;
  payload: AttendanceCertificatePayload;
  institution: string;
  institutionId: string;
}

/** An annual certificate (专业科目培训合格证明) of one person and CME year. */
export interface AnnualCertificateDocument {
  kind: 'annual-certificate';
  code: string;
  payload: AnnualCertificatePayload;
  institutionId: string;
  department: string | null;
  title: string | null;
  /** The credits the year's requirement asked for and the rule set's basis, printed under the verdict. */
  minTotal: number;
  basis: string;
}

export type ProofDocument = CreditProofDocument | CertificateDocument | AnnualCertificateDocument;

const round = (n: number) => Math.round(n * 10) / 10;

/** The approved staff of a department or a unit, by name, for a batch of proofs: a registrant still under review gets none. */
export async function staffToPrint(db: DB, input: { organisationId: string; limit: number }): Promise<string[]> {
  const persons = await db
    .selectFrom('persons')
    .select('id')
    .where((eb) => eb.or([eb('department_id', '=', input.organisationId), eb('institution_id', '=', input.organisationId)]))
    .where('registration_status', '=', 'approved')
    .orderBy('name')
    .limit(input.limit)
    .execute();
  return persons.map((p) => p.id);
}

/** Issues a credit proof for each person over CME years `fromYear`…`toYear`, in the order given. */
export async function issueCreditProofs(
  db: DB,
  signer: ProofSigner,
  input: { personIds: readonly string[]; fromYear: number; toYear: number; by: string; at: Date },
): Promise<CreditProofDocument[]> {
  if (input.toYear < input.fromYear || input.toYear - input.fromYear > 10) {
    throw new UserFacingError('BAD_REQUEST', 'proofs.wrong-range-years-10-most');
  }
  await requireUsableSigningKey(db, signer, input.at);
  const years: number[] = [];
  for (let y = input.fromYear; y <= input.toYear; y++) years.push(y);
  const standingsByYear = await Promise.all(years.map((y) => standingsOf(db, { personIds: input.personIds }, y)));
  // A year the province has accepted (备案) is proved as accepted: the verification is the record.
  const accepted = new Map((await acceptedResultsOfPersons(db, input.personIds, years)).map((a) => [`${a.person_id}|${a.cme_year}`, a]));
  const orgNames = new Map((await db.selectFrom('organisations').select(['id', 'name']).execute()).map((o) => [o.id, o.name]));
  const entries = await db
    .selectFrom('ledger_entries')
    .select(['person_id', 'cme_year', 'credit_class', 'credits', 'source_label'])
    .where('person_id', 'in', input.personIds.length ? input.personIds : [''])
    .where('cme_year', '>=', input.fromYear)
    .where('cme_year', '<=', input.toYear)
    .orderBy('cme_year')
    .orderBy('approved_at')
    .execute();
  const issuedOn = chinaDate(input.at);
  const documents: CreditProofDocument[] = [];
  const rows = [];
  for (const personId of input.personIds) {
    const perYear = standingsByYear.map((list) => list.find((s) => s.personId === personId));
    const first = perYear[0];
    if (!first) throw new UserFacingError('NOT_FOUND', 'proofs.no-such-person');
    const proofYears: ProofYear[] = perYear.map((p, i) => {
      const fixed = accepted.get(`${personId}|${years[i]!}`);
      if (fixed)
        return {
          year: years[i]!,
          classI: fixed.class_i,
          classII: fixed.class_ii,
          total: fixed.total,
          compliant: fixed.compliant === 1,
          explanation: fixed.explanation,
        };
      return {
        year: years[i]!,
        classI: p!.standing.totals.classI,
        classII: p!.standing.totals.classII,
        total: p!.standing.totals.total,
        compliant: p!.standing.compliant,
        explanation: standingInChinese(standingReasons(p!.standing)),
      };
    });
    const payload: Omit<CreditProofPayload, 'keyId'> = {
      kind: 'credit-proof',
      id: newId(),
      name: first.name,
      idMasked: first.idMasked,
      institution: orgNames.get(first.institutionId) ?? '',
      fromYear: input.fromYear,
      toYear: input.toYear,
      classI: round(proofYears.reduce((s, y) => s + y.classI, 0)),
      classII: round(proofYears.reduce((s, y) => s + y.classII, 0)),
      total: round(proofYears.reduce((s, y) => s + y.total, 0)),
      compliant: proofYears.every((y) => y.compliant),
      issuedOn,
    };
    const code = signer.sign(payload);
    documents.push({
      kind: 'credit-proof',
      code,
      payload: { ...payload, keyId: signer.keyId },
      institutionId: first.institutionId,
      department: first.departmentId ? (orgNames.get(first.departmentId) ?? null) : null,
      title: first.title,
      years: proofYears,
      entries: entries
        .filter((e) => e.person_id === personId)
        .map((e) => ({ year: e.cme_year, creditClass: e.credit_class, credits: e.credits, label: e.source_label })),
    });
    rows.push({
      id: payload.id,
      kind: 'credit-proof' as const,
      person_id: personId,
      from_year: input.fromYear,
      to_year: input.toYear,
      ledger_entry_id: null,
      code,
      issued_by: input.by,
      issued_at: input.at.toISOString(),
      revoked_at: null,
      revoked_by: null,
      revoke_reason: null,
    });
  }
  // SQLite caps the number of bound values in one statement: insert in slices.
  for (let i = 0; i < rows.length; i += 50)
    await db
      .insertInto('proofs')
      .values(rows.slice(i, i + 50))
      .execute();
  return documents;
}

/** Records a certificate of one CME year as issued, with the code its QR carries. */
async function recordCertificate(
  db: DB,
  c: {
    id: string;
    kind: 'attendance-certificate' | 'annual-certificate';
    personId: string;
    cmeYear: number;
    ledgerEntryId: string | null;
    code: string;
    by: string;
    at: Date;
  },
) {
  await db
    .insertInto('proofs')
    .values({
      id: c.id,
      kind: c.kind,
      person_id: c.personId,
      from_year: c.cmeYear,
      to_year: c.cmeYear,
      ledger_entry_id: c.ledgerEntryId,
      code: c.code,
      issued_by: c.by,
      issued_at: c.at.toISOString(),
      revoked_at: null,
      revoked_by: null,
      revoke_reason: null,
    })
    .execute();
}

/** A certificate (电子学分证书) for one attendance entry of the ledger that has not been reversed. */
export async function issueAttendanceCertificate(
  db: DB,
  signer: ProofSigner,
  input: { ledgerEntryId: string; by: string; at: Date },
): Promise<CertificateDocument> {
  await requireUsableSigningKey(db, signer, input.at);
  const entry = await db
    .selectFrom('ledger_entries')
    .innerJoin('persons', 'persons.id', 'ledger_entries.person_id')
    .innerJoin('organisations', 'organisations.id', 'persons.institution_id')
    .select([
      'ledger_entries.id',
      'ledger_entries.source_kind',
      'ledger_entries.source_id',
      'ledger_entries.source_label',
      'ledger_entries.credit_class',
      'ledger_entries.credits',
      'ledger_entries.cme_year',
      'persons.id as person_id',
      'persons.name',
      'persons.id_number_masked',
      'persons.institution_id',
      'organisations.name as institution',
    ])
    .where('ledger_entries.id', '=', input.ledgerEntryId)
    .executeTakeFirst();
  if (!entry || entry.source_kind !== 'attendance') throw new UserFacingError('NOT_FOUND', 'proofs.no-such-attendance-credit');
  const reversed = await db.selectFrom('ledger_entries').select('id').where('reverses_id', '=', entry.id).executeTakeFirst();
  if (reversed) throw new UserFacingError('PRECONDITION_FAILED', 'proofs.these-credits-were-reversed-no');
  // The attendance source names a session of a project (or the project itself).
  const project = await db
    .selectFrom('projects')
    .leftJoin('sessions', 'sessions.project_id', 'projects.id')
    .select(['projects.number', 'projects.name'])
    .where((eb) => eb.or([eb('sessions.id', '=', entry.source_id), eb('projects.id', '=', entry.source_id)]))
    .executeTakeFirst();
  const payload: Omit<AttendanceCertificatePayload, 'keyId'> = {
    kind: 'attendance-certificate',
    id: newId(),
    name: entry.name,
    idMasked: entry.id_number_masked,
    projectNumber: project?.number ?? '',
    projectName: (project?.name ?? entry.source_label).slice(0, 120),
    creditClass: entry.credit_class,
    credits: entry.credits,
    cmeYear: entry.cme_year,
    issuedOn: chinaDate(input.at),
  };
  const code = signer.sign(payload);
  await recordCertificate(db, {
    id: payload.id,
    kind: 'attendance-certificate',
    personId: entry.person_id,
    cmeYear: entry.cme_year,
    ledgerEntryId: entry.id,
    code,
    by: input.by,
    at: input.at,
  });
  return {
    kind: 'attendance-certificate',
    code,
    payload: { ...payload, keyId: signer.keyId },
    institution: entry.institution,
    institutionId: entry.institution_id,
  };
}

/**
 * The annual certificate (e.g. 专业科目培训合格证明) of a person's CME year: only where the rule set
 * governing the year issues one, only when the year's requirement is met, never for a voided year.
 */
export async function issueAnnualCertificate(
  db: DB,
  signer: ProofSigner,
  input: { personId: string; cmeYear: number; by: string; at: Date },
): Promise<AnnualCertificateDocument> {
  await requireUsableSigningKey(db, signer, input.at);
  const found = await standingOfPerson(db, input.personId, input.cmeYear);
  const ruleSet = (await loadRuleSets(db)).find((r) => r.id === found.standing.ruleSetId)!;
  const rule = ruleSet.annualCertificate;
  if (!rule) throw new UserFacingError('PRECONDITION_FAILED', 'certificates.rule-set-issues-none', { ruleSet: ruleSet.name, year: input.cmeYear });
  if (await voidedYearOf(db, input.personId, input.cmeYear))
    throw new UserFacingError('PRECONDITION_FAILED', 'certificates.year-voided', { year: input.cmeYear });
  const { standing } = found;
  if (!standing.compliant) {
    const missing = round(standing.shortfalls.reduce((sum, s) => sum + s.missing, 0));
    throw new UserFacingError('PRECONDITION_FAILED', 'certificates.year-not-met', { year: input.cmeYear, missing, title: rule.title });
  }
  const orgNames = new Map(
    (
      await db
        .selectFrom('organisations')
        .select(['id', 'name'])
        .where('id', 'in', [found.institutionId, found.departmentId ?? found.institutionId])
        .execute()
    ).map((o) => [o.id, o.name]),
  );
  const payload: Omit<AnnualCertificatePayload, 'keyId'> = {
    kind: 'annual-certificate',
    id: newId(),
    title: rule.title,
    name: found.name,
    idMasked: found.idMasked,
    institution: orgNames.get(found.institutionId) ?? '',
    cmeYear: input.cmeYear,
    classI: standing.totals.classI,
    classII: standing.totals.classII,
    professionalHours: rule.professionalHours,
    publicHoursRequired: rule.publicHoursRequired,
    issuedOn: chinaDate(input.at),
  };
  const code = signer.sign(payload);
  await recordCertificate(db, { id: payload.id, kind: 'annual-certificate', ledgerEntryId: null, code, ...input });
  return {
    kind: 'annual-certificate',
    code,
    payload: { ...payload, keyId: signer.keyId },
    institutionId: found.institutionId,
    department: found.departmentId ? (orgNames.get(found.departmentId) ?? null) : null,
    title: found.title,
    minTotal: standing.requirement.minTotal,
    basis: ruleSet.basis,
  };
}

/** Revokes a proof (once); a verifier online then sees it as revoked. */
export async function markProofRevoked(db: DB, input: { proofId: string; reason: string; by: string; at: Date }): Promise<void> {
  const res = await db
    .updateTable('proofs')
    .set({ revoked_at: input.at.toISOString(), revoked_by: input.by, revoke_reason: input.reason })
    .where('id', '=', input.proofId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) {
    const exists = await db.selectFrom('proofs').select('id').where('id', '=', input.proofId).executeTakeFirst();
    if (!exists) throw new UserFacingError('NOT_FOUND', 'proofs.no-such-proof');
  }
}

/** The unit of the person a proof is for. */
export async function institutionOfProof(db: DB, proofId: string): Promise<string> {
  return (
    await db
      .selectFrom('proofs')
      .innerJoin('persons', 'persons.id', 'proofs.person_id')
      .select(['persons.institution_id'])
      .where('proofs.id', '=', proofId)
      .executeTakeFirstOrThrow()
  ).institution_id;
}

/** What the public may learn of a proof by its id: whether it stands. Nothing personal. */
export async function proofStatus(db: DB, proofId: string): Promise<{ status: 'valid' | 'revoked' | 'unknown'; revokedAt: string | null }> {
  const row = await db.selectFrom('proofs').select(['revoked_at']).where('id', '=', proofId).executeTakeFirst();
  if (!row) return { status: 'unknown', revokedAt: null };
  return row.revoked_at ? { status: 'revoked', revokedAt: row.revoked_at } : { status: 'valid', revokedAt: null };
}
