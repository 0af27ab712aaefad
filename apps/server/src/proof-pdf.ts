// Printable proofs (A4 PDF, Chinese text in Noto Sans CJK) with the signed QR code. pdfkit embeds
// a subset of the CJK font, so every character drawn is in the file and the file stays small.
import fs from 'node:fs';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { UserFacingError } from './errors.ts';
import type { AnnualCertificateDocument, CertificateDocument, CreditProofDocument, ProofDocument } from './repositories/proofs.ts';

const FONT_FILE = process.env.OPENCME_CJK_FONT ?? '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
const FONT_FACE = process.env.OPENCME_CJK_FACE ?? 'NotoSansCJKsc-Regular';
const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 56;
const INK = '#1f2933';
const MUTED = '#52606d';

let fontBytes: Buffer | null = null;
/** The font file is 20 MB: read once per process, not once per proof. */
function cjkFont(): Buffer {
  if (!fontBytes) {
    if (!fs.existsSync(FONT_FILE)) {
      throw new UserFacingError('INTERNAL_SERVER_ERROR', 'proof-pdf.server-lacks-cjk-font-install', { fontFile: FONT_FILE });
    }
    fontBytes = fs.readFileSync(FONT_FILE);
  }
  return fontBytes;
}

const CLASS = { I: 'Ⅰ类', II: 'Ⅱ类' } as const;
const years = (from: number, to: number) => (from === to ? `${from}年度` : `${from}—${to}年度`);

/** Renders proofs, one per A4 page, into one PDF; `onPage` reports progress for a batch. */
/** `seals`: each unit's seal image (PNG) by unit id; a proof of a unit without one keeps its seal area blank, for a stamp. */
export async function renderProofsPdf(
  documents: readonly ProofDocument[],
  options: { verifyUrl: string; seals?: ReadonlyMap<string, Buffer>; onPage?: (done: number) => void },
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    autoFirstPage: false,
    info: { Title: '继续医学教育学分证明', Producer: 'OpenCME', Creator: 'OpenCME' },
  });
  doc.registerFont('cjk', cjkFont(), FONT_FACE);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  for (const [i, d] of documents.entries()) {
    doc.addPage();
    doc.font('cjk').fillColor(INK);
    if (d.kind === 'credit-proof') drawCreditProof(doc, d);
    else if (d.kind === 'annual-certificate') drawAnnualCertificate(doc, d);
    else drawCertificate(doc, d);
    drawSealArea(doc, d, options.seals?.get(d.institutionId) ?? null);
    await drawVerification(doc, d, options.verifyUrl);
    options.onPage?.(i + 1);
  }
  doc.end();
  return finished;
}

function heading(doc: PDFKit.PDFDocument, zh: string, en: string) {
  doc.fontSize(22).text(zh, { align: 'center' });
  doc.fontSize(10).fillColor(MUTED).text(en, { align: 'center' }).fillColor(INK);
  doc.moveDown(1.2);
}

function field(doc: PDFKit.PDFDocument, label: string, value: string) {
  doc.fontSize(12).fillColor(MUTED).text(`${label}：`, { continued: true }).fillColor(INK).text(value);
}

function drawCreditProof(doc: PDFKit.PDFDocument, d: CreditProofDocument) {
  const p = d.payload;
  heading(doc, '继续医学教育学分证明', 'Continuing Medical Education Credit Proof');
  field(doc, '姓名', p.name);
  field(doc, '身份证号', p.idMasked);
  field(doc, '单位', p.institution);
  if (d.department) field(doc, '科室', d.department);
  if (d.title) field(doc, '职称', d.title);
  field(doc, '年度', years(p.fromYear, p.toYear));
  doc.moveDown(0.8);

  // The yearly table: each year is judged on its own (no cross-year verification).
  const cols = [MARGIN, MARGIN + 70, MARGIN + 140, MARGIN + 210, MARGIN + 270];
  const header = ['年度', 'Ⅰ类学分', 'Ⅱ类学分', '合计', '审验结果'];
  let y = doc.y;
  doc.fontSize(11).fillColor(MUTED);
  header.forEach((h, i) => doc.text(h, cols[i], y, { lineBreak: false }));
  y += 18;
  doc
    .moveTo(MARGIN, y - 4)
    .lineTo(A4.width - MARGIN, y - 4)
    .strokeColor('#cbd2d9')
    .stroke();
  doc.fillColor(INK);
  for (const row of d.years) {
    const cells = [`${row.year}`, `${row.classI}`, `${row.classII}`, `${row.total}`];
    cells.forEach((c, i) => doc.text(c, cols[i], y, { lineBreak: false }));
    doc.text(row.explanation, cols[4], y, { width: A4.width - MARGIN - cols[4]! });
    y = Math.max(doc.y, y + 16) + 4;
  }
  doc.x = MARGIN;
  doc.y = y + 6;
  doc.fontSize(12).text(`合计：Ⅰ类学分 ${p.classI} 分，Ⅱ类学分 ${p.classII} 分，共 ${p.total} 分。${p.compliant ? '各年度均已达标。' : ''}`, MARGIN, doc.y);
  doc.moveDown(0.8);

  doc.fontSize(11).fillColor(MUTED).text('学分明细');
  doc.fontSize(9).fillColor(INK);
  const room = Math.floor((SEAL_AREA.top - 12 - doc.y) / 13);
  const shown = d.entries.slice(0, Math.max(0, room));
  for (const e of shown)
    doc.text(`${e.year}  ${CLASS[e.creditClass]}  ${e.credits}分  ${e.label}`, { width: A4.width - 2 * MARGIN, lineBreak: false, ellipsis: true });
  if (shown.length < d.entries.length) doc.fillColor(MUTED).text(`另有 ${d.entries.length - shown.length} 条明细未列出，合计已计入。`);
}

function drawCertificate(doc: PDFKit.PDFDocument, d: CertificateDocument) {
  const p = d.payload;
  heading(doc, '继续医学教育电子学分证书', 'CME Credit Certificate');
  doc.fontSize(13).text(`${p.name}（身份证号 ${p.idMasked}，${d.institution}）参加继续医学教育项目`, { lineGap: 6 });
  doc.moveDown(0.5);
  doc.fontSize(15).text(`“${p.projectName}”`, { align: 'center' });
  if (p.projectNumber) doc.fontSize(11).fillColor(MUTED).text(`项目编号：${p.projectNumber}`, { align: 'center' }).fillColor(INK);
  doc.moveDown(0.8);
  doc.fontSize(13).text(`考勤、考核合格，授予${p.cmeYear}年度${CLASS[p.creditClass]}学分 ${p.credits} 分。`);
}

function drawAnnualCertificate(doc: PDFKit.PDFDocument, d: AnnualCertificateDocument) {
  const p = d.payload;
  heading(doc, p.title, 'Certificate of Professional Subject Training');
  field(doc, '姓名', p.name);
  field(doc, '身份证号', p.idMasked);
  field(doc, '单位', p.institution);
  if (d.department) field(doc, '科室', d.department);
  if (d.title) field(doc, '职称', d.title);
  field(doc, '年度', `${p.cmeYear}年度`);
  doc.moveDown(1);
  const total = Math.round((p.classI + p.classII) * 10) / 10;
  doc
    .fontSize(13)
    .text(
      `${p.cmeYear}年度继续医学教育学分：Ⅰ类学分 ${p.classI} 分，Ⅱ类学分 ${p.classII} 分，共 ${total} 分，达到本年度不少于 ${d.minTotal} 学分的要求，审验合格。`,
      {
        lineGap: 6,
      },
    );
  doc.moveDown(0.5);
  doc.fontSize(13).text(`视为完成${p.cmeYear}年度专业科目培训 ${p.professionalHours} 学时。`, { lineGap: 6 });
  doc.moveDown(0.5);
  doc
    .fontSize(11)
    .fillColor(MUTED)
    .text(`公共科目培训按人力资源社会保障部门要求执行，每人每年不少于 ${p.publicHoursRequired} 学时，学时由人力资源社会保障部门认定，不在本证明之内。`, {
      lineGap: 4,
    });
  doc.moveDown(0.5);
  doc.fontSize(9).text(`依据：${d.basis}`, { lineGap: 2 });
  doc.fillColor(INK);
}

/** Where the unit's seal and the signature go: above the verification block, the seal on the right. */
const QR_SIZE = 132;
const QR_TOP = A4.height - MARGIN - QR_SIZE - 24;
export const SEAL_AREA = { left: A4.width - MARGIN - 170, top: QR_TOP - 150, width: 170, height: 130 } as const;

function drawSealArea(doc: PDFKit.PDFDocument, d: ProofDocument, seal: Buffer | null) {
  const a = SEAL_AREA;
  const institution = d.kind === 'attendance-certificate' ? d.institution : d.payload.institution;
  doc.fontSize(11).fillColor(INK);
  doc.text('经办人（签字）：', MARGIN, a.top + a.height - 40, { lineBreak: false });
  doc
    .moveTo(MARGIN + 100, a.top + a.height - 26)
    .lineTo(MARGIN + 240, a.top + a.height - 26)
    .strokeColor('#9aa5b1')
    .stroke();
  if (seal) doc.image(seal, a.left + (a.width - 110) / 2, a.top, { fit: [110, 110], align: 'center', valign: 'center' });
  doc
    .fontSize(11)
    .fillColor(INK)
    .text(`${institution}（盖章）`, a.left, a.top + 96, { width: a.width, align: 'center' });
  doc.fontSize(10).fillColor(MUTED).text(d.payload.issuedOn, a.left, doc.y, { width: a.width, align: 'center' });
  doc.fillColor(INK);
}

async function drawVerification(doc: PDFKit.PDFDocument, d: ProofDocument, verifyUrl: string) {
  const size = QR_SIZE;
  const top = QR_TOP;
  const png = await QRCode.toBuffer(`${verifyUrl}#${d.code}`, { errorCorrectionLevel: 'M', margin: 2, scale: 4 });
  doc.image(png, A4.width - MARGIN - size, top, { width: size, height: size });
  const textWidth = A4.width - 2 * MARGIN - size - 16;
  doc.fontSize(10).fillColor(INK).text('本证明由 OpenCME 以电子签名签发。', MARGIN, top, { width: textWidth });
  doc.fontSize(9).fillColor(MUTED);
  doc.text(`扫描右侧二维码，或打开 ${verifyUrl} 粘贴下方核验码，即可离线核验；联网时还会检查是否已撤销。`, { width: textWidth });
  doc.moveDown(0.4);
  doc.text(`证明编号：${d.payload.id}`, { width: textWidth });
  doc.text(`签发日期：${d.payload.issuedOn}    签名密钥：${d.payload.keyId}`, { width: textWidth });
  // The code in text as well: an electronic copy of the proof can be verified by pasting it.
  doc.moveDown(0.4).text('核验码：', { width: textWidth });
  doc.font('Courier').fontSize(5.5);
  for (const line of codeLines(d.code, Math.floor(textWidth / doc.widthOfString('M')))) doc.text(line, { width: textWidth, lineBreak: false });
  doc.font('cjk').fillColor(INK);
}

/**
 * The code cut into lines of at most `width` characters, none ending in '-': a PDF reader that
 * copies the text (pdftotext, a viewer's copy and paste) takes a hyphen at a line's end for a word
 * break and drops it, which would break the signature.
 */
export function codeLines(code: string, width: number): string[] {
  const lines: string[] = [];
  for (let at = 0; at < code.length;) {
    let end = Math.min(code.length, at + width);
    while (end < code.length && end - at > 1 && code[end - 1] === '-') end -= 1;
    lines.push(code.slice(at, end));
    at = end;
  }
  return lines;
}
