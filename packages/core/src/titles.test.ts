import { expect, it } from 'vitest';
import { TITLE_LEVELS, titleLevelOf } from './rules.ts';
import { STAFF_CATEGORIES, TITLES_BY_CATEGORY } from './titles.ts';

it('lists each category’s titles from junior to senior, as the rule sets read their levels', () => {
  for (const category of STAFF_CATEGORIES) {
    const ranks = TITLES_BY_CATEGORY[category].map((title) => TITLE_LEVELS.indexOf(titleLevelOf(title)!));
    expect(ranks, category).toEqual([...ranks].sort((a, b) => a - b));
    expect([TITLE_LEVELS[ranks[0]!], TITLE_LEVELS[ranks.at(-1)!]], category).toEqual(['junior', 'senior']);
  }
});
