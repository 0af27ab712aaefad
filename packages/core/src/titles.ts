// Staff categories (人员类别) and the professional titles (职称) of each, as the registration form
// offers them and the demo staff hold them. `titleLevelOf` (rules.ts) reads a title's level.

export const STAFF_CATEGORIES = ['doctor', 'nurse', 'pharmacist', 'technician'] as const;
export type StaffCategory = (typeof STAFF_CATEGORIES)[number];

/** Titles from junior to senior (初级 … 正高) within each category. */
export const TITLES_BY_CATEGORY: Record<StaffCategory, readonly string[]> = {
  doctor: ['住院医师', '主治医师', '副主任医师', '主任医师'],
  nurse: ['护士', '护师', '主管护师', '副主任护师', '主任护师'],
  pharmacist: ['药士', '药师', '主管药师', '副主任药师', '主任药师'],
  technician: ['技士', '技师', '主管技师', '副主任技师', '主任技师'],
};
