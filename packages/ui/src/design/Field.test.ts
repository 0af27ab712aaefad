import { render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import { showFirstError } from './forms.ts';
import FieldForm from './test/FieldForm.svelte';

describe('Field', () => {
  it('labels its control and ties the hint to it, invalid only with an error', () => {
    render(FieldForm);
    const name = screen.getByLabelText('姓名');
    expect(name.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(name.getAttribute('aria-describedby')!)?.textContent).toBe('与身份证一致');
    expect(name.getAttribute('aria-invalid')).toBeNull();
    expect(name.getAttribute('name')).toBe('name');
  });

  it('shows its error beside the control, read with it and marked invalid', () => {
    render(FieldForm, { error: '身份证号已登记' });
    const id = screen.getByLabelText('身份证号');
    expect(id.getAttribute('aria-invalid')).toBe('true');
    const error = screen.getByRole('alert');
    expect(error.textContent).toBe('身份证号已登记');
    expect(id.getAttribute('aria-describedby')!.split(' ')).toContain(error.id);
  });

  it('the form scrolls to its first error and puts the cursor in that field', async () => {
    const scrolled = vi.fn();
    Element.prototype.scrollIntoView = scrolled;
    const { container, rerender } = render(FieldForm);
    await rerender({ error: '身份证号已登记' });
    await showFirstError(container.querySelector('form'));
    expect(scrolled).toHaveBeenCalledOnce();
    expect(document.activeElement).toBe(screen.getByLabelText('身份证号'));
  });
});
