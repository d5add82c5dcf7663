/*
 * The `date-time` format (RFC 3339 section 5.6), written out because the
 * general-purpose one in ajv-formats doubled the cost of checking an
 * envelope: it is on the decode path of every event.
 */

// Fixed positions: YYYY-MM-DDTHH:MM:SS, optional fraction, then Z or +HH:MM.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ZERO = 48;

/** The decimal number of the `count` ASCII digits of `value` at `at` (already known to be digits). */
function digits(value: string, at: number, count: number): number {
  let result = 0;
  for (let i = at; i < at + count; i++) result = result * 10 + (value.charCodeAt(i) - ZERO);
  return result;
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/**
 * Whether `value` is an RFC 3339 date-time with a time zone
 * (`2026-11-30T04:18:30.000Z`, `2026-11-30T05:18:30+01:00`) naming a real
 * calendar day. A leap second (`:60`) is refused: JavaScript's `Date` cannot
 * hold one, so no producer of this contract writes it. A `test` and digit
 * arithmetic, not a capturing `exec`: no allocation per call.
 */
export function isRfc3339DateTime(value: string): boolean {
  if (!RFC3339.test(value)) return false;
  const year = digits(value, 0, 4);
  const month = digits(value, 5, 2);
  const day = digits(value, 8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  if (day > (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month])) return false;
  if (digits(value, 11, 2) > 23 || digits(value, 14, 2) > 59 || digits(value, 17, 2) > 59) return false;
  const end = value.length;
  const zone = value.charCodeAt(end - 1);
  if (zone === 90 /* Z */ || zone === 122 /* z */) return true;
  return digits(value, end - 5, 2) <= 23 && digits(value, end - 2, 2) <= 59;
}
