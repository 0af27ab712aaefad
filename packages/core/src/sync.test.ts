import { describe, expect, it } from 'vitest';
import { newId } from './ids.ts';
import { SyncPushInput, Tap } from './sync.ts';

const tap = () => ({
  tapId: newId(),
  deviceId: 'dev-1',
  seq: 1,
  sessionId: 'ses-1',
  credential: { kind: 'card-number', value: '340100000001' },
  personId: null,
  wallTime: '2026-11-22T09:00:00.000+08:00',
  monoTime: 1234.5,
  bootId: 'boot-1',
  source: 'manual',
  direction: 'in',
});

describe('sync schemas', () => {
  it('accepts a well-formed tap', () => {
    expect(Tap.parse(tap())).toMatchObject({ seq: 1 });
  });
  it('refuses a tap id that is not a UUIDv7, naming the field', () => {
    const r = Tap.safeParse({ ...tap(), tapId: '5d1f3c2e-8b7a-4c3d-9e1f-0a2b3c4d5e6f' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['tapId']);
  });
  it('refuses an empty batch and one over the limit', () => {
    expect(SyncPushInput.safeParse({ taps: [] }).success).toBe(false);
    expect(SyncPushInput.safeParse({ taps: Array.from({ length: 501 }, tap) }).success).toBe(false);
  });
});
