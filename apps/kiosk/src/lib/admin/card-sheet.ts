import { z } from 'zod';

/** Where the staff list leaves the people whose card application sheets are to be printed. */
export const CARD_SHEET_KEY = 'opencme.cardSheet';

const CardSheetIds = z.array(z.string().min(1).max(64)).max(5000);

/** Opens the printable sheets for these people in a new tab (a batch can be hundreds of pages). */
export function openCardSheets(personIds: readonly string[]): void {
  sessionStorage.setItem(CARD_SHEET_KEY, JSON.stringify(personIds));
  window.open('/admin/card-sheet', '_blank');
}

/** The people the staff list left for printing; none when the tab holds nothing readable. */
export function cardSheetIds(): string[] {
  try {
    return CardSheetIds.safeParse(JSON.parse(sessionStorage.getItem(CARD_SHEET_KEY) ?? '[]')).data ?? [];
  } catch {
    return [];
  }
}
