/**
 * The calendar date in China (Asia/Shanghai, no daylight saving) of an instant, as YYYY-MM-DD:
 * the day a course is held, a report is due or a proof is issued, whatever the server's zone.
 */
export function chinaDate(instant: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(instant);
}
