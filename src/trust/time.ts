/**
 * Times in trust files, envelopes and proofs: RFC 3339 UTC with whole
 * seconds and nothing else (`2026-01-31T09:30:00Z`), so one instant has one
 * text and signed bytes never differ by spelling. Pure.
 */
import { err, gateError, ok, type Result } from '../core/result';

const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * Epoch seconds of a time text, refusing every other spelling and impossible dates. A date is possible when no
 * field overflows into the next (month 1-12, a day its month has, 23:59:59 at most), which is exactly when
 * formatTime gives the same text back: the gate reads one such time per pushed event, so it is checked without
 * building a Date and its text.
 */
export function parseTime(text: string, what = 'time'): Result<number> {
  if (!TIME_RE.test(text)) return badTime(text, what);
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 59) return badTime(text, what);
  return ok(Date.UTC(y, mo - 1, d, h, mi, s) / 1000);
}

function badTime(text: string, what: string): Result<never> {
  return err(gateError('VALUE_INVALID', `${what} ${JSON.stringify(text)} is not an RFC 3339 UTC time with whole seconds`, { hint: "write e.g. '2026-01-31T09:30:00Z' (UTC, 'Z', no fraction)" }));
}

/** The decimal number of the `n` ASCII digits at `at` (TIME_RE matched them). */
function digits(text: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) v = v * 10 + text.charCodeAt(i) - 48;
  return v;
}

/** Days of month `mo` (1-12) of year `y` in the proleptic Gregorian calendar, as Date counts them. */
function daysIn(y: number, mo: number): number {
  if (mo === 2) return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28;
  return mo === 4 || mo === 6 || mo === 9 || mo === 11 ? 30 : 31;
}

export function formatTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
