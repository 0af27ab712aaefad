// The public lookup page: an ID number and a name give masked yearly totals; a wrong name gets
// the same refusal as an unknown number.
import { expect, test } from '@playwright/test';
import { adminCookie, adminQuery, ServerProcess } from './server.ts';

const server = new ServerProcess();
test.beforeAll(() => server.start());
test.afterAll(() => server.dispose());

test('looks up a person by ID number and name and shows masked yearly totals', async ({ page }) => {
  const cookie = await adminCookie(server.url);
  const me = await adminQuery<{ organisationId: string }>(server.url, cookie, 'auth.me', undefined);
  const year = new Date().getFullYear();
  const standings = await adminQuery<{ personId: string; name: string; standing: { totals: { total: number } } }[]>(
    server.url,
    cookie,
    'standing.organisation',
    { organisationId: me.organisationId, cmeYear: year },
  );
  const person = standings.find((p) => p.standing.totals.total > 0 && [...p.name].length === 3)!;
  const res = await fetch(`${server.url}/trpc/persons.revealIdNumber`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({ json: { personId: person.personId } }),
  });
  const { idNumber } = ((await res.json()) as { result: { data: { json: { idNumber: string } } } }).result.data.json;

  await page.goto(`${server.url}/query`);
  await page.getByLabel('身份证号').fill(idNumber);
  await page.getByLabel('姓名').fill(person.name);
  await page.getByRole('button', { name: '查询' }).click();
  const answer = page.getByTestId('query-answer');
  const chars = [...person.name];
  await expect(answer).toContainText(`${chars[0]}*${chars[2]}`);
  await expect(answer).toContainText(`${idNumber.slice(0, 3)}***********${idNumber.slice(-4)}`);
  await expect(answer).not.toContainText(idNumber);
  await expect(answer.locator('tbody tr').first()).toContainText(`${year}`);
  await expect(answer.locator('tbody tr').first()).toContainText(String(person.standing.totals.total));

  await page.getByLabel('姓名').fill(`${person.name}甲`);
  await page.getByRole('button', { name: '查询' }).click();
  await expect(page.getByRole('alert')).toHaveText('没有查到与该身份证号和姓名相符的记录');
});
