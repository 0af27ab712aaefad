import type { TableTexts } from '@opencme/ui';
import { t } from './i18n.svelte.ts';

/** The shared DataTable's own words in the current language. */
export const tableTexts = (extra: Partial<TableTexts> = {}): TableTexts => ({
  previous: t('admin.prev'),
  next: t('admin.next'),
  page: (page, pages) => t('table.page', { page, pages }),
  empty: t('table.empty'),
  ...extra,
});
