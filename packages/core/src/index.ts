export * from './attendance.ts';
export * from './id-number.ts';
export * from './ids.ts';
export * from './sync.ts';
export * from './credential-key.ts';
export * from './rules.ts';
export * from './proof.ts';
export * from './claims.ts';
