// Words that both the app's catalogues and the server's printed documents need: a person's
// standing and the names of claim activities. They live here, once, because the server prints
// them in Chinese on official documents (proofs, verification records, ledger labels) while the
// app shows them in either language, and the server may not import the app (DESIGN.md).
// The kiosk's zh.ts and en.ts spread these records into their catalogues.

/** A message as core and the server send it: a catalogue key and its parameters. */
export interface Message {
  key: string;
  params?: Record<string, string | number>;
}

export const standingZh = {
  'standing.compliant-by-credits': '已达标（共{total}学分）',
  'standing.compliant-by-further-study': '进修{months}个月，视为达标',
  'standing.not-compliant': '未达标：{reasons}',
  'standing.reason-separator': '；',
  'standing.short-class-i': '还需Ⅰ类学分{missing}分',
  'standing.short-class-i-national': '还需Ⅰ类学分{missing}分，其中国家级{national}分',
  'standing.short-class-ii': '还需Ⅱ类学分{missing}分',
  'standing.short-any': '还需任意类别学分{missing}分',
  'standing.short-any-also': '另需任意类别学分{missing}分',
} as const;

export const standingEn: Record<keyof typeof standingZh, string> = {
  'standing.compliant-by-credits': 'Compliant ({total} credits)',
  'standing.compliant-by-further-study': 'Compliant by {months} months of further study',
  'standing.not-compliant': 'Not compliant: {reasons}',
  'standing.reason-separator': '; ',
  'standing.short-class-i': 'Class I credits still needed: {missing}',
  'standing.short-class-i-national': 'Class I credits still needed: {missing}, of which national: {national}',
  'standing.short-class-ii': 'Class II credits still needed: {missing}',
  'standing.short-any': 'credits of either class still needed: {missing}',
  'standing.short-any-also': 'and credits of either class: {missing}',
};

export const claimActivityZh = {
  'claim-activity.paper': '发表论文',
  'claim-activity.teaching': '授课带教',
  'claim-activity.further-study': '外出进修',
  'claim-activity.out-of-province-national': '出省参加国家级项目',
  'claim-activity.tcm-paper-certificate': '中医类项目纸质学分证',
} as const;

export const claimActivityEn: Record<keyof typeof claimActivityZh, string> = {
  'claim-activity.paper': 'Published paper',
  'claim-activity.teaching': 'Teaching',
  'claim-activity.further-study': 'Further study (进修)',
  'claim-activity.out-of-province-national': 'National project outside the province',
  'claim-activity.tcm-paper-certificate': 'TCM project paper certificate',
};

/**
 * The one sentence a standing's reasons make (core's `standingReasons`): a compliant reason alone,
 * or the shortfalls joined under "not compliant". `say` words one message in the reader's language.
 */
export function standingSentence(reasons: readonly Message[], say: (message: Message) => string): string {
  const [first] = reasons;
  if (first?.key.startsWith('standing.compliant')) return say(first);
  const separator = say({ key: 'standing.reason-separator' });
  return say({ key: 'standing.not-compliant', params: { reasons: reasons.map(say).join(separator) } });
}
export * from './exchange.ts';
