import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IdNumberVault, loadOrCreateKeys, randomKeys } from './pii.ts';

describe('IdNumberVault', () => {
  const vault = new IdNumberVault(randomKeys());

  it('encrypts so that the same number gives a different ciphertext each time, and decrypts', () => {
    const a = vault.encrypt('11010519491231002X');
    const b = vault.encrypt('11010519491231002X');
    expect(a).not.toBe(b);
    expect(a).not.toContain('110105');
    expect(vault.decrypt(a)).toBe('11010519491231002X');
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = vault.encrypt('11010519491231002X');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    raw[raw.length - 1]! ^= 1;
    expect(() => vault.decrypt(`v1:${raw.toString('base64')}`)).toThrow();
  });

  it('gives one blind index per number whatever the case of x, and another under another key', () => {
    expect(vault.index('11010519491231002x')).toBe(vault.index('11010519491231002X'));
    expect(new IdNumberVault(randomKeys()).index('11010519491231002X')).not.toBe(vault.index('11010519491231002X'));
  });

  it('seals into encrypted, index and masked columns', () => {
    const sealed = vault.seal('11010519491231002x');
    expect(sealed.id_number_masked).toBe('110105********002X');
    expect(vault.decrypt(sealed.id_number_enc)).toBe('11010519491231002X');
  });
});

describe('loadOrCreateKeys', () => {
  it('creates the key file once, owner-readable only, and reads the same keys back', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keys-')), 'keys.json');
    const created = loadOrCreateKeys(file);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    expect(loadOrCreateKeys(file)).toEqual(created);
  });
});
