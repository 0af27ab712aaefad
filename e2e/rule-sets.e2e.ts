// A province office copies a rule set for next year and edits its minimum; the shipped rule sets
// stay as they were beside the new version.
import { expect, test } from '@playwright/test';
import { ServerProcess } from './server.ts';

const server = new ServerProcess();
test.beforeAll(() => server.start());
test.afterAll(() => server.dispose());

test('the province office edits a copy of the national rule set for next year', async ({ page }) => {
  const next = new Date().getFullYear() + 1;
  await page.goto(`${server.url}/admin/rule-sets`);
  await page.getByLabel('用户名').fill('province');
  await page.getByLabel('密码').fill('opencme-demo');
  await page.getByRole('button', { name: '登录' }).click();
  await expect(page.getByTestId('rule-set-CN-2024')).toContainText('25');
  await expect(page.getByTestId('rule-set-51-2024')).toContainText('其中国家级');

  await page.getByLabel('复制自').selectOption('CN-2024');
  await page.getByLabel('自年度起施行').fill(String(next));
  await page.getByLabel('名称', { exact: true }).fill(`安徽省继续医学教育学分规则（${next}）`);
  await page.getByLabel('依据文件').fill('皖继委办〔示例〕');
  await page.getByLabel('初级、中级、副高、正高 总学分≥').fill('30');
  await page.getByRole('button', { name: '保存新规则' }).click();
  await expect(page.getByRole('status')).toHaveText(`已保存新规则： 34-${next}`);
  const copy = page.getByTestId(`rule-set-34-${next}`);
  await expect(copy).toContainText(`安徽省继续医学教育学分规则（${next}）`);
  await expect(copy.locator('tbody td').nth(1)).toHaveText('30');
  await expect(page.getByTestId('rule-set-CN-2024').locator('tbody td').nth(1)).toHaveText('25');
});
