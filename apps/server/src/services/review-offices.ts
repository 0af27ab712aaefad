// Which office of the review chain (core's review-chain.ts) an account decides for: its role
// says. A role outside this table reviews nothing.
import type { ReviewOffice } from '@opencme/core';
import type { Role } from '../authz.ts';

const OFFICE_OF_ROLE: Partial<Record<Role, ReviewOffice>> = {
  'department-reviewer': 'department',
  'unit-admin': 'unit',
  'city-admin': 'city',
  'province-admin': 'province',
};

export function officeOfRole(role: Role): ReviewOffice | null {
  return OFFICE_OF_ROLE[role] ?? null;
}

/** An office's name as the reviewer reads it, Chinese first. */
export const OFFICE_NAMES: Record<ReviewOffice, { zh: string; en: string }> = {
  department: { zh: '科室', en: 'department' },
  unit: { zh: '单位医教科', en: 'unit' },
  city: { zh: '市州卫健委', en: 'city' },
  province: { zh: '省继教办', en: 'province' },
};
