import { render, screen, within } from '@testing-library/svelte';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import DataTable from './DataTable.svelte';
import type { Column } from './data-table.ts';

interface Person {
  id: string;
  name: string;
  credits: number | null;
}
const people: Person[] = [
  { id: '1', name: '王芳', credits: 12 },
  { id: '2', name: '李娜', credits: null },
  { id: '3', name: '张伟', credits: 30 },
  { id: '4', name: '刘洋', credits: 5 },
  { id: '5', name: '陈静', credits: 25 },
];
const columns: Column<Person>[] = [
  { key: 'name', label: '姓名', sortBy: (p) => p.name },
  { key: 'credits', label: '学分', sortBy: (p) => p.credits },
];
const texts = { previous: '上一页', next: '下一页', page: (page: number, pages: number) => `第${page}/${pages}页`, filter: '筛选', empty: '无记录' };

const table = (props: Partial<Parameters<typeof render<typeof DataTable<Person>>>[1]> = {}) =>
  render(DataTable<Person>, { rows: people, columns, key: (p: Person) => p.id, caption: '人员', texts, ...props });
const names = () =>
  within(screen.getByRole('table', { name: '人员' }))
    .getAllByRole('row')
    .slice(1)
    .map((row) => row.querySelector('td')?.textContent);

describe('DataTable', () => {
  it('is a table named by its caption, with column headers', () => {
    table();
    expect(screen.getAllByRole('columnheader').map((th) => th.textContent?.replace(/[▲▼↕]/g, ''))).toEqual(['姓名', '学分']);
    expect(names()).toEqual(['王芳', '李娜', '张伟', '刘洋', '陈静']);
  });

  it('sorts by a header: ascending, then descending, empty values last, and says so in aria-sort', async () => {
    const user = userEvent.setup();
    table();
    const credits = screen.getByRole('columnheader', { name: /学分/ });
    expect(credits.getAttribute('aria-sort')).toBe('none');
    await user.click(within(credits).getByRole('button'));
    expect(credits.getAttribute('aria-sort')).toBe('ascending');
    expect(names()).toEqual(['刘洋', '王芳', '陈静', '张伟', '李娜']);
    await user.click(within(credits).getByRole('button'));
    expect(credits.getAttribute('aria-sort')).toBe('descending');
    expect(names()).toEqual(['张伟', '陈静', '王芳', '刘洋', '李娜']);
  });

  it('pages its rows, the ends disabled, and a new order starts again on page 1', async () => {
    const user = userEvent.setup();
    table({ pageSize: 2 });
    expect(names()).toEqual(['王芳', '李娜']);
    expect(screen.getByText('第1/3页')).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: '上一页' }).disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: '下一页' }));
    await user.click(screen.getByRole('button', { name: '下一页' }));
    expect(names()).toEqual(['陈静']);
    expect(screen.getByText('第3/3页')).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: '下一页' }).disabled).toBe(true);
    await user.click(within(screen.getByRole('columnheader', { name: /姓名/ })).getByRole('button'));
    expect(screen.getByText('第1/3页')).toBeTruthy();
  });

  it('filters by the words typed, the pages counted again', async () => {
    const user = userEvent.setup();
    table({ pageSize: 2, matches: (p: Person, words: string) => p.name.includes(words) });
    await user.type(screen.getByRole('searchbox', { name: '筛选' }), '张');
    expect(names()).toEqual(['张伟']);
    expect(screen.queryByRole('button', { name: '下一页' })).toBeNull();
    await user.clear(screen.getByRole('searchbox', { name: '筛选' }));
    await user.type(screen.getByRole('searchbox', { name: '筛选' }), '赵');
    expect(screen.getByText('无记录')).toBeTruthy();
  });

  it('leaves the order to the page when the page sorts (the address, the server)', async () => {
    const user = userEvent.setup();
    const asked: unknown[] = [];
    table({ sort: { key: 'credits', direction: 'descending' }, onsort: (s: unknown) => asked.push(s) });
    expect(names()).toEqual(['王芳', '李娜', '张伟', '刘洋', '陈静']);
    expect(screen.getByRole('columnheader', { name: /学分/ }).getAttribute('aria-sort')).toBe('descending');
    await user.click(within(screen.getByRole('columnheader', { name: /学分/ })).getByRole('button'));
    expect(asked).toEqual([{ key: 'credits', direction: 'ascending' }]);
  });
});
