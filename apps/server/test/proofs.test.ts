// Proofs as a recipient meets them: a real PDF rendered to an image (pdftoppm) and read as text
// (pdftotext), its QR code decoded from the pixels, and the code checked against the key the
// server publishes. A tampered code fails, and a revoked proof shows as revoked.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { base64UrlDecode, base64UrlEncode, type ProofPayload, type PublishedProofKey, publishedProofKeysSchema, verifyProofCode } from '@opencme/core';
import jsQR from 'jsqr';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendLedgerEntries } from '../src/repositories/ledger.ts';
import { createUser } from '../src/repositories/users.ts';
import { DEMO_CITY } from '../src/seed.ts';
import { addOrganisation, addPerson, credit } from './fixtures.ts';
import { printedCode } from './pdf.ts';
import { type Client, startServer, type TestServer } from './harness.ts';

// Rendering and rasterising PDFs takes seconds when the whole suite shares two cores.
vi.setConfig({ testTimeout: 60_000 });

let server: TestServer;
let admin: Client;
let cookie: string;
let dir: string;
let person: { id: string };
let department: string;

beforeAll(async () => {
  server = await startServer();
  cookie = await server.login({ login: 'admin', password: 'opencme-demo' });
  admin = server.client({ cookie });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opencme-proofs-'));
  const any = await server.db
    .selectFrom('persons')
    .select(['institution_id', 'department_id'])
    .where('department_id', 'is not', null)
    .executeTakeFirstOrThrow();
  department = any.department_id!;
  person = await addPerson(server, { name: '欧阳晓燕', title: '主治医师', institutionId: any.institution_id, departmentId: department, region: '340102' });
  await credit(server, person.id, 2025, [
    { creditClass: 'I', level: 'national', credits: 10, sourceLabel: '国家级：心力衰竭诊治进展学习班' },
    { creditClass: 'II', credits: 15.5, sourceLabel: '院内学术讲座（全年）' },
  ]);
});
afterAll(async () => {
  await server.close();
  if (process.env.KEEP_PROOFS) fs.cpSync(dir, process.env.KEEP_PROOFS, { recursive: true });
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Waits for a print job and downloads its PDF the way the admin page does. */
async function download(job: { jobId: string }, as = admin, asCookie = cookie): Promise<Buffer> {
  for (let i = 0; i < 300; i++) {
    const status = await as.proofs.job.query({ jobId: job.jobId });
    if (status.downloadUrl) {
      const res = await fetch(`${server.url}${status.downloadUrl}`, { headers: { cookie: asCookie } });
      expect(res.headers.get('content-type')).toBe('application/pdf');
      return Buffer.from(await res.arrayBuffer());
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('print job did not finish');
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });

/** The key list the server publishes, parsed as a verifier parses it. */
async function publishedKeys(): Promise<PublishedProofKey[]> {
  const res = await fetch(`${server.url}/.well-known/opencme-proof-keys.json`);
  return publishedProofKeysSchema.parse(await res.json()).keys;
}

/** Renders page `page` of a PDF to PNG and decodes the QR code found in it. */
async function qrOf(pdfFile: string, page = 1): Promise<string> {
  const prefix = path.join(dir, `page-${page}`);
  run('pdftoppm', ['-png', '-r', '150', '-f', String(page), '-l', String(page), '-singlefile', pdfFile, prefix]);
  const { data, info } = await sharp(`${prefix}.png`).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  // A4 at 150 dpi.
  expect([info.width, info.height]).toEqual([1241, 1754]);
  const found = jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height);
  if (!found) throw new Error('no QR code on the page');
  return found.data;
}

describe('a credit proof', () => {
  let code: string;
  let payload: ProofPayload;

  it('prints the name, the year and the totals in Chinese, with the font embedded', async () => {
    const pdf = await download(await admin.proofs.printPerson.mutate({ personId: person.id, fromYear: 2025, toYear: 2025 }));
    const file = path.join(dir, 'proof.pdf');
    fs.writeFileSync(file, pdf);
    const text = run('pdftotext', ['-layout', file, '-']);
    expect(text).toContain('继续医学教育学分证明');
    expect(text).toContain('欧阳晓燕');
    expect(text).toContain('2025年度');
    expect(text).toContain('Ⅰ类学分 10 分，Ⅱ类学分 15.5 分，共 25.5 分');
    expect(text).toContain('已达标（共25.5学分）');
    expect(text).toContain('国家级：心力衰竭诊治进展学习班');
    // The full ID number is never printed, only the masked one.
    const masked = await server.db.selectFrom('persons').select('id_number_masked').where('id', '=', person.id).executeTakeFirstOrThrow();
    expect(text).toContain(masked.id_number_masked);
    // Every Chinese glyph comes from the embedded CJK subset (no fallback font, no missing glyph);
    // the only other font is Courier, for the ASCII verification code.
    const fonts = run('pdffonts', [file]).trim().split('\n').slice(2);
    expect(fonts).toHaveLength(2);
    expect(fonts[0]).toMatch(/NotoSansCJKsc-Regular\s+CID Type 0C\s+Identity-H\s+yes\s+yes\s+yes/);
    expect(fonts[1]).toMatch(/^Courier\s/);
    expect(run('pdfinfo', [file])).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);

    const scanned = await qrOf(file);
    expect(scanned.startsWith(`${server.url}/verify#OC1.`)).toBe(true);
    const check = await verifyProofCode(scanned, await publishedKeys());
    if (!check.ok) throw new Error(`verification failed: ${check.reason}`);
    expect(check.payload).toMatchObject({
      kind: 'credit-proof',
      name: '欧阳晓燕',
      fromYear: 2025,
      toYear: 2025,
      classI: 10,
      classII: 15.5,
      total: 25.5,
      compliant: true,
    });
    // The code is printed as text too, so an electronic copy can be verified by pasting it.
    expect(printedCode(text)).toBe(scanned.split('#')[1]);
    code = scanned;
    payload = check.payload;
  });

  it('fails verification when the payload is tampered with', async () => {
    const [prefix, body, signature] = code.split('#')[1]!.split('.');
    const forged = new TextDecoder().decode(base64UrlDecode(body!)).replace('欧阳晓燕', '欧阳晓雁');
    const tampered = `${prefix}.${base64UrlEncode(new TextEncoder().encode(forged))}.${signature}`;
    expect(await verifyProofCode(tampered, await publishedKeys())).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('shows as revoked once revoked, to anyone who asks online', async () => {
    const anonymous = server.client();
    expect(await anonymous.proofs.status.query({ proofId: payload.id })).toEqual({ status: 'valid', revokedAt: null });
    await admin.proofs.revoke.mutate({ proofId: payload.id, reason: '学分记录有误，已重新出具' });
    expect(await anonymous.proofs.status.query({ proofId: payload.id })).toMatchObject({ status: 'revoked' });
    expect(await anonymous.proofs.status.query({ proofId: 'never-issued' })).toEqual({ status: 'unknown', revokedAt: null });
    const logged = await server.db.selectFrom('audit_log').select('action').where('entity_id', '=', payload.id).execute();
    expect(logged.map((l) => l.action)).toEqual(['proof.revoke']);
  });
});

describe('batches and certificates', () => {
  it('prints a whole department as one PDF, one page per person, each with its own verifiable QR', async () => {
    // A registrant still under review is not yet staff: no proof for them.
    const members = await server.db
      .selectFrom('persons')
      .select('name')
      .where('department_id', '=', department)
      .where('registration_status', '=', 'approved')
      .execute();
    const job = await admin.proofs.printOrganisation.mutate({ organisationId: department, fromYear: 2025, toYear: 2025 });
    expect(job.total).toBe(members.length);
    const file = path.join(dir, 'department.pdf');
    fs.writeFileSync(file, await download(job));
    expect(run('pdfinfo', [file])).toMatch(new RegExp(`Pages:\\s+${members.length}\\n`));
    const last = await verifyProofCode(await qrOf(file, members.length), await publishedKeys());
    expect(last.ok && members.map((m) => m.name)).toContain(last.ok ? last.payload.name : null);
  });

  it('prints a certificate for one attendance and refuses other entries', async () => {
    const session = await server.db
      .selectFrom('sessions')
      .innerJoin('projects', 'projects.id', 'sessions.project_id')
      .select(['sessions.id', 'projects.name', 'projects.number'])
      .executeTakeFirstOrThrow();
    const [entry] = await appendLedgerEntries(server.db, [
      {
        personId: person.id,
        cmeYear: 2026,
        creditClass: 'I',
        level: 'provincial',
        credits: 2,
        sourceKind: 'attendance',
        sourceId: session.id,
        sourceLabel: session.name,
        approvedBy: null,
        at: server.clock.now,
      },
    ]);
    const file = path.join(dir, 'certificate.pdf');
    fs.writeFileSync(file, await download(await admin.proofs.printCertificate.mutate({ ledgerEntryId: entry! })));
    const text = run('pdftotext', [file, '-']);
    expect(text).toContain('继续医学教育电子学分证书');
    expect(text).toContain(session.name);
    expect(text).toContain('授予2026年度Ⅰ类学分 2 分');
    const check = await verifyProofCode(await qrOf(file), await publishedKeys());
    expect(check.ok && check.payload).toMatchObject({ kind: 'attendance-certificate', projectNumber: session.number, credits: 2 });

    const [adjustment] = await credit(server, person.id, 2026, [{ credits: 1 }]);
    await expect(admin.proofs.printCertificate.mutate({ ledgerEntryId: adjustment! })).rejects.toMatchObject({ message: 'proofs.no-such-attendance-credit' });
  });

  it("does not hand one account's PDF to another", async () => {
    const job = await admin.proofs.printPerson.mutate({ personId: person.id, fromYear: 2025, toYear: 2025 });
    await download(job);
    expect((await server.download(`/api/files/print/${job.jobId}`, await server.login(DEMO_CITY))).res.status).toBe(404);
    expect((await server.download(`/api/files/print/${job.jobId}`)).res.status).toBe(401);
  });
});

describe('an annual certificate (专业科目培训合格证明)', () => {
  let hunanHospital: string;
  /** The Hunan hospital's office, which prints its staff's certificates. */
  let hunan: Client;
  beforeAll(async () => {
    const province = await addOrganisation(server, 'province', '湖南省', null, '430000');
    const city = await addOrganisation(server, 'city', '长沙市', province, '430100');
    hunanHospital = await addOrganisation(server, 'institution', '湖南省人民医院（测试）', city);
    const account = { login: 'hunan-admin', password: 'hunan-admin-password' };
    await createUser(server.db, { ...account, displayName: '湘雅医教科', role: 'unit-admin', organisationId: hunanHospital, now: server.clock.now });
    hunanCookie = await server.login(account);
    hunan = server.client({ cookie: hunanCookie });
  });

  let hunanCookie: string;

  it("prints the year's professional-subject hours from Hunan's rule set, signed as its own kind", async () => {
    const nurse = await addPerson(server, { name: '贺湘云', title: '主管护师', institutionId: hunanHospital, departmentId: null, region: '430102' });
    await credit(server, nurse.id, 2025, [
      { creditClass: 'I', level: 'provincial', credits: 12, sourceLabel: '省级：护理质量管理学习班' },
      { creditClass: 'II', credits: 13, sourceLabel: '院内业务学习' },
    ]);
    const file = path.join(dir, 'annual.pdf');
    fs.writeFileSync(file, await download(await hunan.proofs.printAnnualCertificate.mutate({ personId: nurse.id, cmeYear: 2025 }), hunan, hunanCookie));
    const text = run('pdftotext', [file, '-']).replace(/\n(?=\S)/g, '');
    expect(text).toContain('专业科目培训合格证明');
    expect(text).toContain('贺湘云');
    expect(text).toContain('湖南省人民医院（测试）');
    expect(text).toContain('Ⅰ类学分 12 分，Ⅱ类学分 13 分，共 25 分');
    expect(text).toContain('视为完成2025年度专业科目培训 60 学时');
    expect(text).toContain('每人每年不少于 30 学时');

    const scanned = await qrOf(file);
    const check = await verifyProofCode(scanned, await publishedKeys());
    if (!check.ok) throw new Error(`verification failed: ${check.reason}`);
    expect(check.payload).toEqual({
      kind: 'annual-certificate',
      id: expect.any(String) as string,
      title: '专业科目培训合格证明',
      name: '贺湘云',
      idMasked: expect.stringMatching(/^430\*+\d{3}[0-9X]$/) as string,
      institution: '湖南省人民医院（测试）',
      cmeYear: 2025,
      classI: 12,
      classII: 13,
      professionalHours: 60,
      publicHoursRequired: 30,
      issuedOn: '2026-11-22',
      keyId: expect.any(String) as string,
    });
    expect(printedCode(run('pdftotext', ['-layout', file, '-']))).toBe(scanned.split('#')[1]);

    // The kind is signed with the rest: relabelled as a credit proof, the code no longer verifies.
    const [prefix, body, signature] = scanned.split('#')[1]!.split('.');
    const relabelled = new TextDecoder().decode(base64UrlDecode(body!)).replace(/^\["A"/, '["P"');
    const forged = `${prefix}.${base64UrlEncode(new TextEncoder().encode(relabelled))}.${signature}`;
    expect((await verifyProofCode(forged, await publishedKeys())).ok).toBe(false);
  });

  it('says what is missing when the year falls short, and where the rule set issues no certificate', async () => {
    const shortOf = await addPerson(server, { name: '谭小满', title: '护师', institutionId: hunanHospital, departmentId: null, region: '430102' });
    await credit(server, shortOf.id, 2025, [{ creditClass: 'II', credits: 19.5 }]);
    await expect(hunan.proofs.printAnnualCertificate.mutate({ personId: shortOf.id, cmeYear: 2025 })).rejects.toMatchObject({
      message: 'certificates.year-not-met',
      data: { params: { year: 2025, missing: 5.5, title: '专业科目培训合格证明' } },
    });
    // Anhui's people are under the national rule, which has no such certificate.
    await expect(admin.proofs.printAnnualCertificate.mutate({ personId: person.id, cmeYear: 2025 })).rejects.toMatchObject({
      message: 'certificates.rule-set-issues-none',
    });
  });
});
