import { TRPCClientError } from '@trpc/client';
import { afterEach, expect, it } from 'vitest';
import { errorField, errorMessage, i18n } from '../i18n.svelte.ts';

/** A refusal as the tRPC client hands it to a page: the server's formatted error shape. */
function refusal(data: Record<string, unknown>) {
  return TRPCClientError.from({ error: { message: String(data.messageKey), code: -32600, data: { code: 'BAD_REQUEST', httpStatus: 400, ...data } } });
}

afterEach(() => {
  i18n.locale = 'zh-CN';
});

it('says a server refusal in the user’s language, with its parameters', () => {
  const taken = refusal({ messageKey: 'projects.project-number-taken', params: { number: 'SC-2026-01' }, field: 'number' });
  expect(errorMessage(taken)).toBe('项目编号 SC-2026-01 已存在');
  expect(errorField(taken)).toEqual({ field: 'number', message: '项目编号 SC-2026-01 已存在' });
  i18n.locale = 'en';
  expect(errorMessage(taken)).toBe('Project number SC-2026-01 is taken');
});

it('puts a refused input field’s message beside it, in the user’s language', () => {
  const refused = refusal({ messageKey: 'input.invalid', params: {}, issues: [{ path: ['phone'], messageKey: 'registration.phone-format', params: {} }] });
  expect(errorField(refused)).toEqual({ field: 'phone', message: '请填写11位手机号' });
  const short = refusal({ messageKey: 'input.invalid', params: {}, issues: [{ path: ['name'], messageKey: 'input.too-small-text', params: { limit: 2 } }] });
  expect(errorField(short)).toEqual({ field: 'name', message: '内容太短（至少 2 个字符）' });
});

it('never shows a raw key, an English internal message or a stack: an unknown key reads as the generic sentence', () => {
  expect(errorMessage(refusal({ messageKey: 'registry.some-future-refusal', params: {} }))).toBe('出错了，请重试');
  expect(errorMessage(new Error('session 123 is not on this kiosk'))).toBe('出错了，请重试');
  expect(errorMessage(new TypeError('Failed to fetch'))).toBe('无法连接服务器');
});

it('says a core check’s refusal carried by an error of its own (a card number that fits no encoding)', () => {
  expect(errorMessage({ messageKey: 'uid.not-decimal', params: { value: '652147431' } })).toBe(
    '卡号格式错误：“652147431”应为 10 位十进制数，且不大于 4294967295',
  );
});
