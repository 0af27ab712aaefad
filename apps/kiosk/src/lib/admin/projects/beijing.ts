/** A `datetime-local` value is Beijing time at the venue. */
export const beijing = (local: string) => `${local}:00+08:00`;
