// Which office of the review chain (core's review-chain.ts) an account decides for: its role
// says. A role outside this table reviews nothing.
import type { ReviewOffice } from '@opencme/core';
import type { Role } from '../role.ts';

const OFFICE_OF_ROLE: Partial<Record<Role, ReviewOffice>> = {
  'department-reviewer': 'department',
  'unit-admin': 'unit',
  'city-admin': 'city',
  'province-admin': 'province',
};

export function officeOfRole(role: Role): ReviewOffice | null {
  return OFFICE_OF_ROLE[role] ?? null;
}
