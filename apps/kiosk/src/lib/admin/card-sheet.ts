/** Where the staff list leaves the people whose card application sheets are to be printed. */
export const CARD_SHEET_KEY = 'opencme.cardSheet';

/** Opens the printable sheets for these people in a new tab (a batch can be hundreds of pages). */
export function openCardSheets(personIds: readonly string[]): void {
  sessionStorage.setItem(CARD_SHEET_KEY, JSON.stringify(personIds));
  window.open('/admin/card-sheet', '_blank');
}
