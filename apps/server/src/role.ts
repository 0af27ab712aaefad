// The roles an account can have. Its own module because the schema, the access table and the
// repositories all name it: kept in authz.ts, it closed an import circle through db/schema.ts.
export const ROLES = [
  'province-admin', // 省继教办
  'city-admin', // 市州卫健委
  'unit-admin', // 单位管理员（医教科）
  'department-reviewer', // 科室审核
  'staff', // 卫生技术人员 / 学员
] as const;
export type Role = (typeof ROLES)[number];
