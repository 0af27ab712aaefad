// The hand-off to HR (推送至人力资源社会保障部门): a unit's accepted results of a CME year, signed with
// the proofs' key, as a JSON file, an xlsx for people, and a pull API for HR systems with tokens of
// their own (docs/hr-handoff.md). Every copy carries full ID numbers, so every one is logged per person.
import { createHash, randomBytes } from 'node:crypto';
import { HR_HANDOFF_FORMAT, type HrHandoff, type HrHandoffDocument, hrHandoffSignedBytes, newId } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import type { IdNumberVault } from '../pii.ts';
import type { ProofSigner } from '../proof-key.ts';
import { audit, auditPersonalData } from '../repositories/audit.ts';
import { acceptedResultsOf, acceptedRunOf, addHrToken, hrTokensOf, liveHrToken, markHrTokenRevoked, touchHrToken } from '../repositories/hr-handoff.ts';
import { organisationOfHrToken } from '../repositories/scopes.ts';
import type { Sheet } from '../spreadsheet.ts';

/** Who takes a copy: an account (a download) or an HR system's token (a pull). */
type Reader = { userId: string; organisationId: string; tokenId?: never } | { userId: null; organisationId: string; tokenId: string };

/** The signed hand-off of a unit's accepted year-end verification; refused when none is accepted for the year. */
export async function hrHandoff(
  deps: { db: DB; vault: IdNumberVault; proofSigner: ProofSigner },
  input: { unitId: string; cmeYear: number; reader: Reader; at: Date },
): Promise<HrHandoff> {
  const run = await acceptedRunOf(deps.db, input);
  if (!run?.accepted_at) throw new UserFacingError('NOT_FOUND', 'hr.no-accepted-verification', { cmeYear: input.cmeYear });
  const rows = await acceptedResultsOf(deps.db, run.id);
  const document: HrHandoffDocument = {
    format: HR_HANDOFF_FORMAT,
    unit: { id: run.unit_id, name: run.unit_name, creditCode: run.credit_code },
    cmeYear: input.cmeYear,
    verification: { id: run.id, round: 'year-end', acceptedAt: run.accepted_at },
    people: rows.map((r) => ({
      name: r.name,
      idNumber: deps.vault.decrypt(r.id_number_enc),
      department: r.department,
      title: r.title,
      classI: r.class_i,
      classII: r.class_ii,
      total: r.total,
      compliant: r.compliant === 1,
      basis: r.basis,
    })),
  };
  await auditPersonalData(deps.db, {
    actor: { userId: input.reader.userId, organisationId: input.reader.organisationId },
    action: input.reader.tokenId ? 'hr.pull' : 'hr.export',
    persons: rows.map((r) => ({ id: r.person_id, institutionId: r.institution_id })),
    detail: { fields: ['idNumber'], cmeYear: input.cmeYear, ...(input.reader.tokenId ? { hrTokenId: input.reader.tokenId } : {}) },
    at: input.at,
  });
  const signature = deps.proofSigner.signBytes(hrHandoffSignedBytes(document));
  return { document, signature: { alg: 'Ed25519', keyId: deps.proofSigner.keyId, value: signature } };
}

type PersonRow = { name: string; idNumber: string; department: string; title: string; classI: number; classII: number; total: number; compliant: string };
type InfoRow = { item: string; value: string };

const BASIS_WORDS = { credits: '学分', 'further-study': '进修', 'not-met': '未达标' } as const;

/** The same hand-off as a workbook for people: the rows, and a sheet with what the signature covers and the signature itself. */
export function hrHandoffSheets(handoff: HrHandoff): [Sheet<PersonRow>, Sheet<InfoRow>] {
  const { document, signature } = handoff;
  const digest = createHash('sha256').update(hrHandoffSignedBytes(document)).digest('hex');
  return [
    {
      name: `${document.cmeYear}年度审验结果`,
      columns: [
        { header: '姓名', key: 'name', width: 12 },
        { header: '身份证号', key: 'idNumber', width: 22, text: true },
        { header: '科室', key: 'department', width: 16 },
        { header: '职称', key: 'title', width: 12 },
        { header: 'Ⅰ类学分', key: 'classI', width: 10 },
        { header: 'Ⅱ类学分', key: 'classII', width: 10 },
        { header: '合计', key: 'total', width: 10 },
        { header: '审验结果', key: 'compliant', width: 12 },
      ],
      rows: document.people.map((p) => ({
        ...p,
        title: p.title ?? '',
        compliant: p.compliant ? (p.basis === 'further-study' ? `合格（${BASIS_WORDS[p.basis]}）` : '合格') : '不合格',
      })),
    },
    {
      name: '签名',
      columns: [
        { header: '项目', key: 'item', width: 20 },
        { header: '内容', key: 'value', width: 90 },
      ],
      rows: [
        { item: '格式', value: document.format },
        { item: '单位', value: document.unit.name },
        { item: '统一社会信用代码', value: document.unit.creditCode ?? '' },
        { item: '年度', value: String(document.cmeYear) },
        { item: '审验编号', value: document.verification.id },
        { item: '省级备案时间', value: document.verification.acceptedAt },
        { item: '人数', value: String(document.people.length) },
        { item: '文档SHA-256', value: digest },
        { item: '签名算法', value: signature.alg },
        { item: '签名密钥', value: signature.keyId },
        { item: '签名', value: signature.value },
      ],
    },
  ];
}

const digestOf = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** A new token for an HR system reading an organisation's units; the secret is answered once and kept only as its digest. */
export async function createHrToken(db: DB, input: { organisationId: string; label: string; by: { id: string; organisationId: string }; at: Date }) {
  const id = newId();
  const token = `ochr_${randomBytes(32).toString('base64url')}`;
  await db.transaction().execute(async (trx) => {
    await addHrToken(trx, { id, organisationId: input.organisationId, label: input.label, hash: digestOf(token), by: input.by.id, at: input.at });
    await audit(trx, {
      actor: { userId: input.by.id },
      action: 'hr.token-create',
      entity: 'hr_token',
      entityId: id,
      organisationId: input.organisationId,
      after: { label: input.label },
      at: input.at,
    });
  });
  return { id, token };
}

export async function revokeHrToken(db: DB, input: { tokenId: string; by: string; at: Date }): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await markHrTokenRevoked(trx, input))) throw new UserFacingError('CONFLICT', 'hr.token-already-revoked');
    await audit(trx, {
      actor: { userId: input.by },
      action: 'hr.token-revoke',
      entity: 'hr_token',
      entityId: input.tokenId,
      organisationId: (await organisationOfHrToken(trx, input.tokenId))?.[0] ?? null,
      at: input.at,
    });
  });
}

export const hrTokens = hrTokensOf;

/** The token an HR system sends, or a 401: none, unknown (forged) and revoked alike. */
export async function hrTokenOf(db: DB, bearer: string | null, at: Date): Promise<{ id: string; organisationId: string }> {
  const found = bearer ? await liveHrToken(db, digestOf(bearer)) : undefined;
  if (!found) throw new UserFacingError('UNAUTHORIZED', 'hr.token-not-valid');
  await touchHrToken(db, found.id, at);
  return { id: found.id, organisationId: found.organisation_id };
}
