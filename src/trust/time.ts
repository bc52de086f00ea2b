/**
 * Times in trust files, envelopes and proofs: RFC 3339 UTC with whole
 * seconds and nothing else (`2026-01-31T09:30:00Z`), so one instant has one
 * text and signed bytes never differ by spelling. Pure.
 */
import { err, gateError, ok, type Result } from '../core/result';

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** Epoch seconds of a time text, refusing every other spelling and impossible dates. */
export function parseTime(text: string, what = 'time'): Result<number> {
  const m = TIME_RE.exec(text);
  const bad = () => err(gateError('VALUE_INVALID', `${what} ${JSON.stringify(text)} is not an RFC 3339 UTC time with whole seconds`, { hint: "write e.g. '2026-01-31T09:30:00Z' (UTC, 'Z', no fraction)" }));
  if (!m) return bad();
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  if (y < 1970 || formatTime(ms / 1000) !== text) return bad();
  return ok(ms / 1000);
}

export function formatTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
