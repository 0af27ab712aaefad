// A staff member's own pages (/me): her standing year by year with what is still missing, her
// attendance and the certificates she may print. Every read is of the caller's own person.
import { chinaDate } from '@opencme/core';
import type { DB } from '../db/connect.ts';
import { UserFacingError } from '../errors.ts';
import type { Role } from '../role.ts';
import { yearsOfPerson } from '../repositories/ledger.ts';
import { attendanceEntriesOfPerson, attendanceOfPerson, personOfLedgerEntry, profileOf } from '../repositories/self-service.ts';
import { cmeYearForDate } from '../repositories/standing.ts';
import { standingWithEntries } from './standing.ts';

/** How many past years her pages offer, and how many sessions and certificates they list. */
const PAST_YEARS = 5;
const LIST_LIMIT = 200;

/** Her record and the CME years she can look at: this one and the past ones with credits. */
export async function myProfile(db: DB, personId: string, now: Date) {
  const profile = await profileOf(db, personId);
  const currentYear = await cmeYearForDate(db, profile.institutionId, chinaDate(now));
  const withCredits = await yearsOfPerson(db, personId, PAST_YEARS);
  const years = [...new Set([currentYear, currentYear - 1, ...withCredits])].filter((y) => y <= currentYear).sort((a, b) => b - a);
  return { ...profile, currentYear, years };
}

/** Her standing in a year under her province's rules, with the reasons it is not yet met. */
export function myStanding(db: DB, personId: string, cmeYear: number, viewer: { id: string; role: Role; organisationId: string }, now: Date) {
  return standingWithEntries(db, { personId, cmeYear }, viewer, now);
}

export async function myAttendance(db: DB, personId: string) {
  return attendanceOfPerson(db, personId, LIST_LIMIT);
}

export async function myCertificates(db: DB, personId: string) {
  return attendanceEntriesOfPerson(db, personId, LIST_LIMIT);
}

/** A certificate she asks for must be of her own ledger. */
export async function requireOwnEntry(db: DB, personId: string, ledgerEntryId: string): Promise<void> {
  if ((await personOfLedgerEntry(db, ledgerEntryId)) !== personId) throw new UserFacingError('NOT_FOUND', 'access.record-not-found');
}
