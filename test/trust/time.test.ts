/**
 * parseTime checks a time's fields for overflow instead of formatting a Date
 * and comparing texts (decision 0045). The old definition is kept here as
 * the reference: a text is accepted exactly when it has the shape, a year
 * from 1970, and formatTime of its instant gives the same text back.
 */
import fc from 'fast-check';
import { formatTime, parseTime } from '../../src/trust';

/** The definition parseTime had before: shape, year, and the round trip through Date. */
function reference(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return y < 1970 || formatTime(ms / 1000) !== text ? undefined : ms / 1000;
}

function expectAsReference(text: string): void {
  const r = parseTime(text, 'envelope ts');
  const want = reference(text);
  expect(r.ok ? r.value : undefined).toBe(want);
  if (!r.ok) {
    expect(r.error.code).toBe('VALUE_INVALID');
    expect(r.error.message).toBe(`envelope ts ${JSON.stringify(text)} is not an RFC 3339 UTC time with whole seconds`);
  }
}

describe('parseTime accepts exactly the times whose instant formats back to them', () => {
  it.each([
    '1970-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '2026-01-31T09:30:00Z', '9999-12-31T23:59:59Z',
    '2024-02-29T12:00:00Z', '2023-02-29T12:00:00Z', '2000-02-29T00:00:00Z', '2100-02-29T00:00:00Z', '2400-02-29T00:00:00Z',
    '2026-04-30T00:00:00Z', '2026-04-31T00:00:00Z', '2026-12-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z',
    '2026-01-00T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T23:60:00Z', '2026-01-01T23:59:60Z',
    '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00+00:00', '2026-01-01 00:00:00Z', '2026-1-01T00:00:00Z', '',
    '２０２６-01-01T00:00:00Z', '2026-01-01T00:00:00z', ' 2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z\n',
  ])('%j', (text) => {
    expectAsReference(text);
  });

  it('agrees with the reference on generated fields, in range and out of it', () => {
    const field = (n: number, max: number): fc.Arbitrary<string> => fc.integer({ min: 0, max }).map((v) => String(v).padStart(n, '0'));
    const time = fc.tuple(field(4, 9999), field(2, 19), field(2, 39), field(2, 29), field(2, 69), field(2, 69))
      .map(([y, mo, d, h, mi, s]) => `${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
    fc.assert(fc.property(time, expectAsReference), { numRuns: 3000 });
  });

  it('agrees with the reference on every day of four years around leap days', () => {
    for (let t = Date.UTC(1999, 0, 1); t < Date.UTC(2001, 0, 1); t += 86_400_000) expectAsReference(formatTime(t / 1000));
    for (let t = Date.UTC(2099, 11, 1); t < Date.UTC(2100, 3, 1); t += 86_400_000) expectAsReference(formatTime(t / 1000 + 86_399));
  });
});
