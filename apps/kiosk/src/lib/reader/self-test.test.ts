import { UID_ENCODINGS } from '@opencme/reader-webhid';
import { describe, expect, it } from 'vitest';
import { runChecks, selfTestChecks } from './self-test.ts';

describe('reader self-test', () => {
  it('passes every transport, the damaged answer and the wedge checks in this runtime', async () => {
    const results = await runChecks(selfTestChecks({ encoding: 'dec-be' }));
    expect(results.map((r) => [r.id, r.ok, r.error])).toEqual([
      ['usb-four-pipe', true, null],
      ['usb-single-pipe', true, null],
      ['hid-wrapped', true, null],
      ['serial', true, null],
      ['damaged-answer', true, null],
      ['wedge-card', true, null],
      ['wedge-typing', true, null],
    ]);
  });

  it('checks the wedge reader in every encoding', async () => {
    for (const encoding of UID_ENCODINGS) {
      const wedgeChecks = selfTestChecks({ encoding }).filter(([id]) => id.startsWith('wedge'));
      expect((await runChecks(wedgeChecks)).every((r) => r.ok)).toBe(true);
    }
  });

  it('reports a failing check and goes on with the next', async () => {
    const results = await runChecks([
      [
        'wedge-card',
        () => {
          throw new Error('broken');
        },
      ],
      ['wedge-typing', () => undefined],
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, true]);
    expect((results[0]!.error as Error).message).toBe('broken');
  });
});
