// The attendee roster of a session as an .xlsx file (学员名单): who, with sign-in and sign-out.
import ExcelJS from 'exceljs';
import type { DB } from '../db/connect.ts';
import type { IdNumberVault } from '../pii.ts';
import { listSessionAttendance } from './attendance.ts';

const STATUS_ZH = { complete: '完成', incomplete: '不完整', absent: '缺席' } as const;

/** Beijing time as people read it on paper: 2026-11-22 09:02:13. */
function beijing(iso: string | null): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai', dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
}

/**
 * The roster with full ID numbers (the national report's attendee list needs them); the caller
 * audits the export. ID and card numbers are written as text, so Excel keeps every digit.
 */
export async function exportSessionRoster(db: DB, vault: IdNumberVault, sessionId: string): Promise<Uint8Array> {
  const people = await listSessionAttendance(db, sessionId);
  const sealed = new Map(
    people.length === 0
      ? []
      : (await db.selectFrom('persons').select(['id', 'id_number_enc']).where('id', 'in', people.map((p) => p.personId)).execute()).map((p) => [p.id, p.id_number_enc]),
  );
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('签到名单');
  sheet.columns = [
    { header: '姓名', key: 'name', width: 12 },
    { header: '身份证号', key: 'idNumber', width: 22 },
    { header: '继教卡号', key: 'cmeNumber', width: 14 },
    { header: '科室', key: 'department', width: 14 },
    { header: '签到时间', key: 'signIn', width: 20 },
    { header: '签退时间', key: 'signOut', width: 20 },
    { header: '在场分钟', key: 'presence', width: 10 },
    { header: '状态', key: 'status', width: 10 },
    { header: '更正理由', key: 'correction', width: 24 },
  ];
  for (const column of ['idNumber', 'cmeNumber']) sheet.getColumn(column).numFmt = '@';
  for (const p of people) {
    sheet.addRow({
      name: p.name,
      idNumber: vault.decrypt(sealed.get(p.personId)!),
      cmeNumber: p.cmeNumber ?? '',
      department: p.department ?? '',
      signIn: beijing(p.correctedSignInAt ?? p.signInAt),
      signOut: beijing(p.correctedSignOutAt ?? p.signOutAt),
      presence: p.presenceMinutes,
      status: STATUS_ZH[p.status] + (p.flagged ? '（待核）' : ''),
      correction: p.correctionReason ?? '',
    });
  }
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
