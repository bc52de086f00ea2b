/**
 * The evaluator's fast paths against the plain forms they replace: a glob
 * matcher must accept exactly what the glob's regular expression accepts,
 * and the character-scanning IPv4 parser exactly what the split-and-regex
 * reading of the reference (docs/rgs.md) accepts; a sorted set renders as
 * the same set given unsorted and with duplicates.
 */
import fc from 'fast-check';
import { parseIp } from '../../src/rgs/cidr';
import { globMatcher, globProblem, globToRegExp } from '../../src/core/glob';
import { renderValue } from '../../src/rgs/values';

const segment = fc.oneof(fc.constantFrom('**', '*', 'a', 'ab', 'a*', '*b', 'a?c', '.', 'x.y', ''), fc.stringMatching(/^[a-c*?.]{0,3}$/));
const pattern = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/')).filter((p) => globProblem(p) === undefined);
const name = fc.array(fc.constantFrom('a', 'ab', 'abc', 'x.y', '', 'b', 'c'), { minLength: 0, maxLength: 5 }).map((s) => s.join('/'));

/** The strict IPv4 reading, written the slow and obvious way. */
function referenceIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(?:0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out.push(Number(p));
  }
  return out;
}

describe('fast paths agree with the plain forms', () => {
  test('globMatcher accepts exactly what globToRegExp accepts', () => {
    fc.assert(fc.property(pattern, fc.array(name, { maxLength: 8 }), (p, names) => {
      const match = globMatcher(p);
      const re = globToRegExp(p);
      return names.every((n) => match(n) === re.test(n)) && match(p) === re.test(p);
    }), { numRuns: 3000 });
  });

  test.each(['refs/heads/**', 'refs/heads/main', 'gatos/journal/finance/**', '**', 'refs/*/x'])('glob %s on prefixes and near misses', (p) => {
    const re = globToRegExp(p);
    const names = ['refs/heads', 'refs/heads/', 'refs/heads/main', 'refs/heads/main/x', 'refs/headsx', 'refs/heads//a', 'gatos/journal/finance', 'gatos/journal/finance2/a', 'refs/a/x', ''];
    for (const n of names) expect(globMatcher(p)(n)).toBe(re.test(n));
  });

  test('parseIp reads IPv4 exactly as the split-and-regex reference', () => {
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '01', '007', '', '1a', ' 1', '+1', '1e2', '0x1', '٣'));
    const text = fc.oneof(fc.array(octet, { minLength: 3, maxLength: 5 }).map((o) => o.join('.')), fc.stringMatching(/^[0-9.]{0,16}$/));
    fc.assert(fc.property(text, (t) => {
      const got = parseIp(t);
      const want = referenceIpv4(t);
      return want === undefined ? got === undefined : got !== undefined && got.length === 4 && want.every((v, i) => got[i] === v);
    }), { numRuns: 5000 });
  });

  test('renderValue prints a sorted set exactly as the same set unsorted and with a duplicate', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.string({ maxLength: 4 }), { minLength: 1, maxLength: 7 }), (xs) => {
      const sorted = [...xs].sort();
      const messy = [...xs].reverse().concat([xs[0] as string]);
      return renderValue(sorted) === renderValue(messy);
    }), { numRuns: 2000 });
    expect(renderValue(['a', 'b'])).toBe("['a', 'b']");
    expect(renderValue([])).toBe('[]');
  });
});
