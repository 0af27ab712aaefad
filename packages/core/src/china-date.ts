// China time (Asia/Shanghai, UTC+8, no daylight saving): every moment the system shows, and every
// date-time someone types at the door or in the console, is Beijing time, whatever the zone of the
// browser or of the server. Dates are YYYY-MM-DD strings of a China day; instants are Dates or
// ISO-8601 strings with an offset.

const CHINA = 'Asia/Shanghai';
const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

const dateFormat = new Intl.DateTimeFormat('en-CA', { timeZone: CHINA });
const timeFormat = new Intl.DateTimeFormat('en-GB', { timeZone: CHINA, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const timeWithSecondsFormat = new Intl.DateTimeFormat('en-GB', { timeZone: CHINA, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

type Instant = Date | string | number;
const asDate = (instant: Instant) => (instant instanceof Date ? instant : new Date(instant));

/**
 * The calendar date in China of an instant, as YYYY-MM-DD: the day a course is held, a report is
 * due or a proof is issued, whatever the server's zone.
 */
export function chinaDate(instant: Instant): string {
  return dateFormat.format(asDate(instant));
}

/** The time of day in China of an instant, as HH:mm (HH:mm:ss with `seconds`). */
export function chinaTime(instant: Instant, options: { seconds?: boolean } = {}): string {
  return (options.seconds ? timeWithSecondsFormat : timeFormat).format(asDate(instant));
}

/** The date and minute in China of an instant, as YYYY-MM-DD HH:mm: how logs and lists show a moment. */
export function chinaDateTime(instant: Instant, options: { seconds?: boolean } = {}): string {
  return `${chinaDate(instant)} ${chinaTime(instant, options)}`;
}

/** The calendar year in China of an instant: the year printed in a CME card number issued then. */
export function chinaYear(instant: Instant): number {
  return Number(chinaDate(instant).slice(0, 4));
}

const CHINA_DATE = /^\d{4}-\d{2}-\d{2}$/;
const CHINA_LOCAL = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?$/;

/**
 * A date-time typed as Beijing time (a `datetime-local` value, YYYY-MM-DDTHH:mm[:ss]) as an ISO
 * instant with the +08:00 offset: a course at 09:00 at the venue is 09:00 in China, whichever
 * zone the organiser's laptop is set to. Throws on anything else.
 */
export function parseChinaDateTime(local: string): string {
  const match = CHINA_LOCAL.exec(local);
  if (!match || Number.isNaN(Date.parse(`${local}Z`))) throw new RangeError(`not a date-time: ${local}`);
  return `${match[1]}T${match[2]}${match[3] ?? ':00'}+08:00`;
}

/** An instant as a `datetime-local` value in Beijing time (YYYY-MM-DDTHH:mm): the inverse of `parseChinaDateTime`. */
export function chinaDateTimeInput(instant: Instant): string {
  return new Date(asDate(instant).getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 16);
}

/** The instant a China day begins (00:00 in Beijing). */
export function chinaDayStart(date: string): Date {
  if (!CHINA_DATE.test(date)) throw new RangeError(`not a date: ${date}`);
  return new Date(`${date}T00:00:00+08:00`);
}

/** The number of days from one China date (YYYY-MM-DD) to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The China date `days` days after `date` (before, when negative). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}
