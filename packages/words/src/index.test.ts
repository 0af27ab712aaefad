import { describe, expect, it } from 'vitest';
import { claimActivityEn, claimActivityZh, type Message, standingEn, standingSentence, standingZh } from './index.ts';

const speak = (words: Record<string, string>) => (message: Message) =>
  words[message.key]!.replace(/\{(\w+)\}/g, (_, name: string) => String(message.params?.[name]));

describe('standingSentence', () => {
  // The Chinese sentences are printed on proofs and stored with verification results: they stay
  // word for word what they were when core wrote them.
  it.each<[Message[], string]>([
    [[{ key: 'standing.compliant-by-credits', params: { total: 25 } }], '已达标（共25学分）'],
    [[{ key: 'standing.compliant-by-further-study', params: { months: 6 } }], '进修6个月，视为达标'],
    [[{ key: 'standing.short-any', params: { missing: 0.5 } }], '未达标：还需任意类别学分0.5分'],
    [[{ key: 'standing.short-class-i-national', params: { missing: 3, national: 1 } }], '未达标：还需Ⅰ类学分3分，其中国家级1分'],
    [
      [
        { key: 'standing.short-class-i', params: { missing: 2 } },
        { key: 'standing.short-class-ii', params: { missing: 5 } },
        { key: 'standing.short-any-also', params: { missing: 1 } },
      ],
      '未达标：还需Ⅰ类学分2分；还需Ⅱ类学分5分；另需任意类别学分1分',
    ],
  ])('words %j as %s', (reasons, sentence) => {
    expect(standingSentence(reasons, speak(standingZh))).toBe(sentence);
  });

  it('words the same reasons in English', () => {
    const reasons = [
      { key: 'standing.short-class-i', params: { missing: 2 } },
      { key: 'standing.short-class-ii', params: { missing: 5 } },
    ];
    expect(standingSentence(reasons, speak(standingEn))).toBe('Not compliant: Class I credits still needed: 2; Class II credits still needed: 5');
  });
});

it('names every claim activity in both languages', () => {
  expect(Object.keys(claimActivityEn).sort()).toEqual(Object.keys(claimActivityZh).sort());
});
