// Assessment results (考核成绩): attendance and a pass are both needed for credit. Entered by hand
// or from a spreadsheet whose columns are found by their header names, all rows or none.
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';

export interface AssessmentInput {
  /** The CME card number (继教卡号) of the attendee. */
  cmeNumber: string;
  passed: boolean;
  score: number | null;
}

/**
 * Records results for a project, only for people who attended one of its sessions; any other card
 * number refuses the whole batch, naming it. An unknown number and one of someone who did not come
 * get the same answer, so that the form tells no one which card numbers exist.
 */
export async function recordAssessments(
  db: DB,
  input: { projectId: string; results: readonly AssessmentInput[]; userId: string; now: Date },
): Promise<{ recorded: number }> {
  if (input.results.length === 0) throw new UserFacingError('BAD_REQUEST', 'assessments.no-results-record');
  return db.transaction().execute(async (trx) => {
    const numbers = [...new Set(input.results.map((r) => r.cmeNumber))];
    const persons = new Map(
      (
        await trx
          .selectFrom('persons')
          .innerJoin('attendance', 'attendance.person_id', 'persons.id')
          .innerJoin('sessions', 'sessions.id', 'attendance.session_id')
          .select(['persons.id', 'persons.cme_number'])
          .where('sessions.project_id', '=', input.projectId)
          .where('persons.cme_number', 'in', numbers)
          .distinct()
          .execute()
      ).map((p) => [p.cme_number!, p.id]),
    );
    const absent = numbers.filter((n) => !persons.has(n));
    if (absent.length > 0) {
      throw new UserFacingError('BAD_REQUEST', 'assessments.no-attendance', { cmeNumbers: absent.join(', ') });
    }
    for (const r of input.results) {
      const values = { passed: r.passed ? 1 : 0, score: r.score, recorded_by: input.userId, recorded_at: input.now.toISOString() };
      await trx
        .insertInto('assessment_results')
        .values({ project_id: input.projectId, person_id: persons.get(r.cmeNumber)!, ...values })
        .onConflict((oc) => oc.columns(['project_id', 'person_id']).doUpdateSet(values))
        .execute();
    }
    return { recorded: input.results.length };
  });
}

/**
 * An .xlsx is a zip, and 5 MB of zip can unpack to gigabytes. A results sheet of thousands of
 * rows unpacks to a few MB; more is refused before the spreadsheet reader sees it.
 */
export const XLSX_LIMITS = { unzippedBytes: 20 * 1024 * 1024, entries: 1000 } as const;

async function unzippedSize(bytes: Uint8Array): Promise<'ok' | 'too-large' | 'unreadable'> {
  try {
    const zip = await yauzl.fromBufferPromise(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { lazyEntries: true, validateEntrySizes: true });
    if (zip.entryCount > XLSX_LIMITS.entries) return 'too-large';
    let total = 0;
    for await (const entry of zip.eachEntry()) {
      total += entry.uncompressedSize;
      if (total > XLSX_LIMITS.unzippedBytes) return 'too-large';
      // The sizes in the directory are only claims: unpacking holds each entry to its own
      // (validateEntrySizes), and stops with an error at the first byte past it.
      for await (const _ of await zip.openReadStreamPromise(entry));
    }
    return 'ok';
  } catch {
    return 'unreadable';
  }
}

const NUMBER_HEADERS = ['继教卡号', '卡号', 'cme number', 'card number'];
const PASSED_HEADERS = ['是否合格', '合格', '考核结果', 'passed', 'result'];
const SCORE_HEADERS = ['成绩', '分数', 'score'];
const PASS_WORDS = new Set(['合格', '通过', '是', 'pass', 'passed', 'yes', 'y', '1', 'true']);
const FAIL_WORDS = new Set(['不合格', '未通过', '否', 'fail', 'failed', 'no', 'n', '0', 'false']);

/** Reads results from an .xlsx or .csv file: a header row naming the card-number and result columns. */
export async function parseAssessmentFile(fileName: string, bytes: Uint8Array): Promise<AssessmentInput[]> {
  const workbook = new ExcelJS.Workbook();
  // Card numbers are read as text (`cell.text`) so that long numbers keep every digit.
  let rows: string[][];
  if (/\.csv$/i.test(fileName)) {
    rows = new TextDecoder()
      .decode(bytes)
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .map((l) => l.split(',').map((c) => c.trim().replace(/^"|"$/g, '')));
  } else if (/\.xlsx$/i.test(fileName)) {
    const unzipped = await unzippedSize(bytes);
    if (unzipped === 'too-large') {
      throw new UserFacingError('BAD_REQUEST', 'assessments.xlsx-unpacks-too-large', { megabytes: XLSX_LIMITS.unzippedBytes / 1024 / 1024 });
    }
    try {
      if (unzipped === 'unreadable') throw new Error('unreadable zip');
      await workbook.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    } catch {
      throw new UserFacingError('BAD_REQUEST', 'assessments.xlsx-unreadable');
    }
    const sheet = workbook.worksheets[0];
    if (!sheet) throw new UserFacingError('BAD_REQUEST', 'assessments.file-no-worksheet');
    rows = [];
    sheet.eachRow((row) => rows.push(Array.from({ length: row.cellCount }, (_, i) => row.getCell(i + 1).text.trim())));
  } else {
    throw new UserFacingError('BAD_REQUEST', 'assessments.upload-xlsx-csv-file');
  }
  const [header, ...data] = rows;
  const find = (names: string[]) => (header ?? []).findIndex((h) => names.includes(h.toLowerCase()));
  const numberCol = find(NUMBER_HEADERS);
  const passedCol = find(PASSED_HEADERS);
  const scoreCol = find(SCORE_HEADERS);
  if (numberCol < 0 || passedCol < 0) {
    throw new UserFacingError('BAD_REQUEST', 'assessments.header-row-needs-card-number');
  }
  return data.map((row, i) => {
    const word = (row[passedCol] ?? '').toLowerCase();
    if (!PASS_WORDS.has(word) && !FAIL_WORDS.has(word)) {
      throw new UserFacingError('BAD_REQUEST', word ? 'assessments.row-passed-unreadable' : 'assessments.row-passed-empty', { row: i + 2, word });
    }
    const scoreText = scoreCol >= 0 ? (row[scoreCol] ?? '') : '';
    const score = scoreText === '' ? null : Number(scoreText);
    if (score !== null && !Number.isFinite(score)) throw new UserFacingError('BAD_REQUEST', 'assessments.row-score-not-number', { row: i + 2, scoreText });
    const cmeNumber = row[numberCol] ?? '';
    if (cmeNumber === '') throw new UserFacingError('BAD_REQUEST', 'assessments.row-no-card-number', { row: i + 2 });
    return { cmeNumber, passed: PASS_WORDS.has(word), score };
  });
}
