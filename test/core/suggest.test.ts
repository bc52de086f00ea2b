/** The one "did you mean" helper (src/core/suggest.ts) both the rgs and the fold compilers use. */
import { closest, didYouMean } from '../../src/core/suggest';

describe('closest', () => {
  test.each([
    ['wirte', ['write', 'create', 'delete'], 'write'], // a swap of neighbours is one edit
    ['lables', ['labels', 'ref', 'paths'], 'labels'],
    ['pn-countr', ['g-counter', 'pn-counter', 'lww'], 'pn-counter'],
    ['key', ['keys', 'values'], 'keys'],
    ['EMITS', ['emit', 'folds'], 'emit'], // case does not matter
  ])('%s among %j is %s', (name, candidates, want) => {
    expect(closest(name, candidates)).toBe(want);
  });

  test('a short name is not matched to an unrelated one', () => {
    expect(closest('ab', ['xy', 'cd'])).toBeUndefined();
    expect(closest('sum', ['max', 'min'])).toBeUndefined();
  });

  test('the allowance grows with the name, up to three edits', () => {
    expect(closest('transprot', ['transport'])).toBe('transport');
    expect(closest('abcdefghijklmnop', ['abcdefghijklmxyz'])).toBe('abcdefghijklmxyz');
    expect(closest('abcdefghijklmnop', ['abcdefghijklwxyz'])).toBeUndefined();
  });

  test('a tie goes to the first candidate in sorted order, whatever the listing order', () => {
    expect(closest('cat', ['cut', 'bat'])).toBe('bat');
    expect(closest('cat', ['bat', 'cut'])).toBe('bat');
  });
});

describe('didYouMean', () => {
  test('names the closest candidate, or gives the fallback', () => {
    expect(didYouMean('alow_if', ['allow_if', 'deny_if'], 'none')).toBe("did you mean 'allow_if'?");
    expect(didYouMean('zzz', ['allow_if', 'deny_if'], 'rule keys: allow_if, deny_if')).toBe('rule keys: allow_if, deny_if');
  });
});
