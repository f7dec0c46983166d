/**
 * Dates and times as people in Guizhou read them: China Standard Time (UTC+8, no daylight saving),
 * whatever the server's time zone. Timestamps are stored in UTC; a page that printed the UTC digits
 * showed a notification of 18:30 as 10:30, and a deadline given as a time early in the morning as
 * the day before.
 */
const CHINA_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

function inChina(at: Date | string): string {
  return new Date(new Date(at).getTime() + CHINA_OFFSET_MS).toISOString();
}

/** `YYYY-MM-DD` in China. */
export function chinaDate(at: Date | string): string {
  return inChina(at).slice(0, 10);
}

/** `YYYY-MM-DD HH:mm` in China. */
export function chinaDateTime(at: Date | string): string {
  return inChina(at).slice(0, 16).replace('T', ' ');
}

/** Midnight (UTC+8) at the start of the China calendar day that contains `at`. */
export function startOfChinaDay(at: Date): Date {
  return new Date(Math.floor((at.getTime() + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_OFFSET_MS);
}
