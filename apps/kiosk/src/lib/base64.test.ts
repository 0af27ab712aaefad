import { describe, expect, it } from 'vitest';
import { blobToBase64 } from './base64.ts';

describe('blobToBase64', () => {
  it('encodes as Node does, across chunk boundaries of a large file', async () => {
    const bytes = new Uint8Array(3 * 0x8000 + 17).map((_, i) => (i * 31) % 256);
    expect(await blobToBase64(new Blob([bytes]))).toBe(Buffer.from(bytes).toString('base64'));
    expect(await blobToBase64(new Blob([]))).toBe('');
  });
});
