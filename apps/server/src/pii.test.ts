import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importSealingKey, sealIdNumber } from '@opencme/core';
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
    expect(sealed.id_number_masked).toBe('110***********002X');
    expect(vault.decrypt(sealed.id_number_enc)).toBe('11010519491231002X');
  });

  it('keeps another secret bound to its purpose', () => {
    const stored = vault.encryptSecret(Buffer.alloc(32, 7), 'device-roster-key');
    expect(vault.decryptSecret(stored, 'device-roster-key')).toEqual(Buffer.alloc(32, 7));
    expect(() => vault.decryptSecret(stored, 'something-else')).toThrow();
    expect(() => vault.decrypt(stored)).toThrow();
  });

  it('opens what a kiosk sealed to it in WebCrypto, and nothing sealed to another server', async () => {
    const sealed = await sealIdNumber(await importSealingKey(vault.sealingKey), '11010519491231002x');
    expect(vault.openSealed(sealed)).toBe('11010519491231002X');
    expect(new IdNumberVault(randomKeys()).openSealed(sealed)).toBeNull();
    expect(vault.openSealed(`${sealed.slice(0, -2)}AA`)).toBeNull();
    expect(vault.openSealed('11010519491231002X')).toBeNull();
  });
});

describe('loadOrCreateKeys', () => {
  it('creates the key files once, owner-readable only, and reads the same keys back', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'keys-')), 'keys');
    const created = loadOrCreateKeys(dir);
    for (const name of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, name)).mode & 0o077).toBe(0);
    expect(fs.statSync(dir).mode & 0o077).toBe(0);
    const again = loadOrCreateKeys(dir);
    expect(again.idEncryption).toEqual(created.idEncryption);
    expect(again.blindIndex).toEqual(created.blindIndex);
    expect(new IdNumberVault(again).sealingKey).toBe(new IdNumberVault(created).sealingKey);
  });
});
