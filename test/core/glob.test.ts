/**
 * One glob dialect (src/core/glob.ts, docs/globs.md) for policies and folds:
 * the same pattern gives the same answer in a policy's glob() and in a fold's
 * input matcher, '?' included.
 */
import fc from 'fast-check';
import { globMatcher, globProblem } from '../../src/core/glob';
import { checkRefGlob, refMatcher } from '../../src/fold/glob';
import { evaluate } from '../../src/rgs';
import { policyOf } from '../rgs/helpers';

function policyMatches(pattern: string, ref: string): boolean {
  const p = policyOf(`rules:\n  - id: g\n    when: { ref: ${JSON.stringify(pattern)} }\n    allow_if: true\n`);
  return evaluate(p, { ref }).effect === 'allow';
}

describe('the glob dialect', () => {
  test("'?' matches exactly one character of a segment, in policies and in folds alike", () => {
    const cases: [string, string, boolean][] = [
      ['refs/gatos/journal/fin?nce/**', 'refs/gatos/journal/finance/user/a', true],
      ['refs/gatos/journal/fin?nce/**', 'refs/gatos/journal/finnance/user/a', false],
      ['refs/gatos/journal/fin?nce/**', 'refs/gatos/journal/fince/user/a', false],
      ['refs/heads/a?b', 'refs/heads/a/b', false],
      ['refs/heads/v?', 'refs/heads/v\u{1F600}', true],
      ['refs/heads/v??', 'refs/heads/v\u{1F600}', false],
    ];
    for (const [pattern, ref, want] of cases) {
      expect(checkRefGlob(pattern).ok).toBe(true);
      expect([pattern, ref, refMatcher(pattern)(ref)]).toEqual([pattern, ref, want]);
      expect([pattern, ref, policyMatches(pattern, ref)]).toEqual([pattern, ref, want]);
    }
  });

  test("'*' stays in its segment, '**' spans whole segments, everything else is literal", () => {
    expect(globMatcher('a/*')('a/b/c')).toBe(false);
    expect(globMatcher('a/**')('a')).toBe(true);
    expect(globMatcher('**/x')('x')).toBe(true);
    expect(globMatcher('a.b')('aXb')).toBe(false);
    expect(globMatcher('a[b]')('a[b]')).toBe(true);
    expect(globProblem('a**')?.message).toMatch(/whole segment/);
    expect(checkRefGlob('refs/a**').ok).toBe(false);
  });

  test('a fold input glob and a policy ref glob agree on random refs', () => {
    const seg = fc.constantFrom('**', '*', 'a', 'b', 'a*', '*b', 'a?', '?', 'ab');
    const pattern = fc.array(seg, { minLength: 1, maxLength: 4 }).map((s) => ['refs', ...s].join('/'));
    const ref = fc.array(fc.constantFrom('a', 'b', 'ab', 'ba', 'abc'), { minLength: 0, maxLength: 5 }).map((s) => ['refs', ...s].join('/'));
    fc.assert(fc.property(pattern, ref, (p, r) => refMatcher(p)(r) === policyMatches(p, r)), { numRuns: 300 });
  });
});
