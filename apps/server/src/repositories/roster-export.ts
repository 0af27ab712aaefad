// The attendee roster of a session as an .xlsx file (学员名单): who, with sign-in and sign-out.
import { chinaDateTime } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import type { IdNumberVault } from '../pii.ts';
import type { Sheet } from '../spreadsheet.ts';
import { listSessionAttendance } from './attendance.ts';
import { auditPersonalData } from './audit.ts';
import { subtreeIds } from './organisations.ts';

const STATUS_ZH = { complete: '完成', incomplete: '不完整', absent: '缺席' } as const;

/** Beijing time as people read it on paper: 2026-11-22 09:02:13. */
const beijing = (iso: string | null) => (iso ? chinaDateTime(iso, { seconds: true }) : '');

/**
 * The roster of a session as the viewer may see it: full ID numbers (the national report's attendee
 * list needs them) only for people within the viewer's part of the organisation tree, masked for
 * anyone else. The export is audited (before any byte leaves) under each listed person's unit, with the viewer's
 * organisation beside it, so both sides' admins see it. ID and card numbers are written as text,
 * so Excel keeps every digit.
 */
export async function sessionRosterSheet(
  db: DB,
  vault: IdNumberVault,
  input: { sessionId: string; viewer: { userId: string; organisationId: string }; now: Date },
): Promise<Sheet<RosterRow>> {
  const people = await listSessionAttendance(db, input.sessionId);
  const persons = new Map(
    people.length === 0
      ? []
      : (
          await db
            .selectFrom('persons')
            .select(['id', 'id_number_enc', 'institution_id', 'department_id'])
            .where(
              'id',
              'in',
              people.map((p) => p.personId),
            )
            .execute()
        ).map((p) => [p.id, p]),
  );
  const scope = new Set(await subtreeIds(db, input.viewer.organisationId));
  // Where a person is for access, as the access table reads it (authz.ts `personOrg`).
  const inScope = (personId: string) => {
    const p = persons.get(personId)!;
    return scope.has(p.department_id ?? p.institution_id);
  };
  for (const shown of ['full', 'masked'] as const) {
    await auditPersonalData(db, {
      actor: input.viewer,
      action: 'session.export-roster',
      persons: people
        .filter((p) => inScope(p.personId) === (shown === 'full'))
        .map((p) => ({ id: p.personId, institutionId: persons.get(p.personId)!.institution_id })),
      detail: { sessionId: input.sessionId, idNumber: shown },
      at: input.now,
    });
  }
  return {
    name: '签到名单',
    columns: [
      { header: '姓名', key: 'name', width: 12 },
      { header: '身份证号', key: 'idNumber', width: 22, text: true },
      { header: '继教卡号', key: 'cmeNumber', width: 14, text: true },
      { header: '科室', key: 'department', width: 14 },
      { header: '签到时间', key: 'signIn', width: 20 },
      { header: '签退时间', key: 'signOut', width: 20 },
      { header: '在场分钟', key: 'presence', width: 10 },
      { header: '状态', key: 'status', width: 10 },
      { header: '更正理由', key: 'correction', width: 24 },
    ],
    // Decrypted one row at a time, as the sheet is written.
    rows: (function* () {
      for (const p of people) {
        yield {
          name: p.name,
          idNumber: inScope(p.personId) ? vault.decrypt(persons.get(p.personId)!.id_number_enc) : p.maskedIdNumber,
          cmeNumber: p.cmeNumber ?? '',
          department: p.department ?? '',
          signIn: beijing(p.correctedSignInAt ?? p.signInAt),
          signOut: beijing(p.correctedSignOutAt ?? p.signOutAt),
          presence: p.presenceMinutes,
          status: STATUS_ZH[p.status] + (p.flagged ? '（待核）' : ''),
          correction: p.correctionReason ?? '',
        };
      }
    })(),
  };
}

interface RosterRow {
  name: string;
  idNumber: string;
  cmeNumber: string;
  department: string;
  signIn: string;
  signOut: string;
  presence: number;
  status: string;
  correction: string;
}
