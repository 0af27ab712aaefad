import { formatCmeNumber } from '@opencme/core';
import { describe, expect, it } from 'vitest';
import { i18n, t } from '../i18n.svelte.ts';
import { manualEntry } from './manual-entry.ts';

describe('a CME card number typed at the door', () => {
  const number = formatCmeNumber({ provinceCode: '34', year: 2026, serial: 7 });

  it('takes a valid number, upper-casing a final x and dropping spaces', () => {
    expect(manualEntry(` ${number} `)).toEqual({ ok: true, credential: { kind: 'card-number', value: number } });
    // One serial in eleven has X for its check character.
    const withX = Array.from({ length: 50 }, (_, i) => formatCmeNumber({ provinceCode: '34', year: 2026, serial: i + 1 })).find((n) => n.endsWith('X'))!;
    expect(manualEntry(withX.toLowerCase())).toEqual({ ok: true, credential: { kind: 'card-number', value: withX } });
  });

  it('refuses "123" and says so clearly in Chinese and English', () => {
    const entry = manualEntry('123');
    expect(entry).toEqual({ ok: false, message: 'tap.manualLength' });
    if (entry.ok) return;
    i18n.locale = 'zh-CN';
    expect(t(entry.message)).toBe('继教卡号应为 12 位，请核对卡面后重新输入');
    i18n.locale = 'en';
    expect(t(entry.message)).toBe('A CME card number has 12 characters; check the card and type it again');
    i18n.locale = 'zh-CN';
  });

  it('refuses a one-digit typo by its check character, letters, and nothing at all', () => {
    const typo = number.slice(0, 5) + String((Number(number[5]) + 1) % 10) + number.slice(6);
    expect(manualEntry(typo)).toEqual({ ok: false, message: 'tap.manualCheck' });
    expect(manualEntry('34260000A01X')).toEqual({ ok: false, message: 'tap.manualCharacters' });
    expect(manualEntry('  ')).toEqual({ ok: false, message: 'tap.manualEmpty' });
  });

  it('takes an ID number typed in full as an ID card (an external attendee), and refuses one that does not check', () => {
    expect(manualEntry(' 44030519900101123x ')).toEqual({ ok: true, credential: { kind: 'id-card', value: '44030519900101123X' } });
    expect(manualEntry('510104198001010012')).toEqual({ ok: false, message: 'tap.manualIdNumber' });
  });
});
