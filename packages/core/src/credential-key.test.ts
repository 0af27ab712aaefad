import { describe, expect, it } from 'vitest';
import { ID_CARD_ROSTER_PREFIX, importRosterKey, rosterKey } from './credential-key.ts';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);

describe('rosterKey', () => {
  it('keeps card numbers and UIDs readable, with their kind', async () => {
    expect(await rosterKey({ kind: 'ic-card', value: '26DEFAE7' }, null)).toBe('ic-card:26DEFAE7');
    expect(await rosterKey({ kind: 'card-number', value: '3426000001' }, null)).toBe('card-number:3426000001');
  });

  it('names an ID card by an HMAC under the kiosk’s key, and matches a lower-case x', async () => {
    const key = await importRosterKey(KEY);
    const digest = await rosterKey({ kind: 'id-card', value: '11010519491231002X' }, key);
    // HMAC-SHA-256(key 00…1f, "opencme-id-card:11010519491231002X"), as Python's hmac computes it.
    expect(digest).toBe(`${ID_CARD_ROSTER_PREFIX}b1a0a0ca8b8b729fba8828d4da280dcb98588c5a60ab5ba0a8d5f5933ffe99b4`);
    expect(await rosterKey({ kind: 'id-card', value: ' 11010519491231002x' }, key)).toBe(digest);
  });

  it('gives another kiosk’s key another digest, and no digest without a key', async () => {
    const other = await importRosterKey(KEY.map((b) => b ^ 0xff));
    const mine = await rosterKey({ kind: 'id-card', value: '11010519491231002X' }, await importRosterKey(KEY));
    expect(await rosterKey({ kind: 'id-card', value: '11010519491231002X' }, other)).not.toBe(mine);
    expect(await rosterKey({ kind: 'id-card', value: '11010519491231002X' }, null)).toBeNull();
  });

  it('keeps the key unreadable by script', async () => {
    const key = await importRosterKey(KEY);
    expect(key.extractable).toBe(false);
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow();
  });
});
