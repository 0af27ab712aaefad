import { afterEach, describe, expect, it, vi } from 'vitest';
import { Toasts } from './toasts.svelte.ts';

describe('Toasts', () => {
  afterEach(() => vi.useRealTimers());

  it('a success goes by itself; an error stays until dismissed; the same words do not stack', () => {
    vi.useFakeTimers();
    const toasts = new Toasts(4000);
    toasts.success('已保存');
    toasts.success('已保存');
    const error = toasts.error('网络不通');
    expect(toasts.shown.map((t) => t.message)).toEqual(['已保存', '网络不通']);
    vi.advanceTimersByTime(4000);
    expect(toasts.shown.map((t) => t.message)).toEqual(['网络不通']);
    toasts.dismiss(error);
    expect(toasts.shown).toEqual([]);
  });
});
