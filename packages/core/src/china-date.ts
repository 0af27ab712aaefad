/**
 * The calendar date in China (Asia/Shanghai, no daylight saving) of an instant, as YYYY-MM-DD:
 * the day a course is held, a report is due or a proof is issued, whatever the server's zone.
 */
export function chinaDate(instant: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(instant);
}

/** The date and minute in China of an instant, as YYYY-MM-DD HH:mm: how logs and lists show a moment. */
export function chinaDateTime(instant: Date): string {
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(instant);
  return `${chinaDate(instant)} ${time}`;
}

/** The calendar year in China of an instant: the year printed in a CME card number issued then. */
export function chinaYear(instant: Date): number {
  return Number(chinaDate(instant).slice(0, 4));
}
