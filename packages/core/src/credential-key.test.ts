import { describe, expect, it } from 'vitest';
import { rosterKey } from './credential-key.ts';

describe('rosterKey', () => {
  it('keeps card numbers and UIDs readable, with their kind', async () => {
    expect(await rosterKey({ kind: 'ic-card', value: '26DEFAE7' })).toBe('ic-card:26DEFAE7');
    expect(await rosterKey({ kind: 'card-number', value: '3426000001' })).toBe('card-number:3426000001');
  });
  it('never contains an ID number, and matches a lower-case x', async () => {
    const key = await rosterKey({ kind: 'id-card', value: '11010519491231002X' });
    expect(key).toMatch(/^id-card#[0-9a-f]{64}$/);
    expect(key).not.toContain('110105');
    expect(await rosterKey({ kind: 'id-card', value: '11010519491231002x' })).toBe(key);
  });
});
