import { render, screen, waitFor, within } from '@testing-library/svelte';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import AskFirst from './test/AskFirst.svelte';

async function asked() {
  const user = userEvent.setup();
  const answers: boolean[] = [];
  render(AskFirst, { answers });
  await user.click(screen.getByRole('button', { name: '挂失' }));
  const dialog = await screen.findByRole('dialog', { name: '请确认' });
  return { user, answers, dialog };
}

describe('ConfirmDialog', () => {
  it('names itself by its title, describes the act, and starts on the safe answer', async () => {
    const { dialog } = await asked();
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.getElementById(dialog.getAttribute('aria-describedby')!)?.textContent).toBe('确定将 张三 的 IC卡 挂失吗？');
    await waitFor(() => expect(document.activeElement?.textContent).toBe('取消'));
  });

  it('confirms with the act’s button', async () => {
    const { user, answers, dialog } = await asked();
    await user.click(within(dialog).getByRole('button', { name: '挂失' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(answers).toEqual([true]);
  });

  it('cancels with 取消', async () => {
    const { user, answers } = await asked();
    await user.click(screen.getByRole('button', { name: '取消' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(answers).toEqual([false]);
  });

  it('cancels with Esc', async () => {
    const { user, answers } = await asked();
    await waitFor(() => expect(document.activeElement?.textContent).toBe('取消'));
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(answers).toEqual([false]);
  });
  // The focus trap needs a real layout (what is tabbable is what is shown): e2e/admin-console.e2e.ts tries it in Chromium.
});
