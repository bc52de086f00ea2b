/** Behaviour of the trailer parser and formatter that the differential test does not spell out. */
import { formatTrailers } from '../../src/trailers/format';
import { sameKey, trailerValues } from '../../src/trailers/lookup';
import { parseTrailers } from '../../src/trailers/parse';
import { hangsGit } from './corpus';

const SCISSORS = '# ------------------------ >8 ------------------------';

describe('parseTrailers', () => {
  it('keeps the spelling of keys, repeated keys in order, and looks them up ignoring case', () => {
    const msg = 'Subject\n\nLedger-Head: a\nledger-head: b\nOther: x\nLEDGER-HEAD: c\n';
    const ts = parseTrailers(msg);
    expect(ts.map((t) => t.key)).toEqual(['Ledger-Head', 'ledger-head', 'Other', 'LEDGER-HEAD']);
    expect(trailerValues(ts, 'Ledger-Head')).toEqual(['a', 'b', 'c']);
    expect(sameKey('Fold-RNG', 'fold-rng')).toBe(true);
    // Only ASCII case folds: the Kelvin sign is not a 'K'.
    expect(sameKey('Key', '\u212aey')).toBe(false);
  });

  it('unfolds continuation lines and reports where each value starts', () => {
    const msg = 'Subject\n\nBody.\n\nKey:   first\n   second\nEmpty:\nNext:\n  on the next line\n';
    const ts = parseTrailers(msg);
    expect(ts).toEqual([
      { key: 'Key', value: 'first second', line: 5, valueLine: 5, valueColumn: 8 },
      { key: 'Empty', value: '', line: 7, valueLine: 7, valueColumn: 7 },
      { key: 'Next', value: 'on the next line', line: 8, valueLine: 9, valueColumn: 3 },
    ]);
  });

  it('finds nothing in a message that is only a title', () => {
    expect(parseTrailers('Signed-off-by: a <a@example.com>\n')).toEqual([]);
  });

  it('stops at the divider even when a scissors line follows it (git 2.39 loops forever there)', () => {
    const msg = `Subject\n\nKey: v\n---\npatch\n${SCISSORS}\nmore\n`;
    expect(hangsGit(msg)).toBe(true);
    expect(parseTrailers(msg).map((t) => [t.key, t.value])).toEqual([['Key', 'v']]);
  });

  it('refuses a comment character that is not one character', () => {
    expect(() => parseTrailers('x', { commentChar: '##' })).toThrow(/one character/);
  });
});

describe('formatTrailers', () => {
  it('appends a block after a blank line and reads back what it wrote', () => {
    const r = formatTrailers('Subject\n\nBody text.\n', [{ key: 'State-Root', value: 'blake3:00' }, { key: 'Ledger-Head', value: 'x' }]);
    expect(r).toEqual({ ok: true, value: 'Subject\n\nBody text.\n\nState-Root: blake3:00\nLedger-Head: x\n' });
    if (r.ok) expect(parseTrailers(r.value).map((t) => `${t.key}=${t.value}`)).toEqual(['State-Root=blake3:00', 'Ledger-Head=x']);
  });

  it('is deterministic: the same input gives the same bytes', () => {
    const args = [{ key: 'A', value: '1' }, { key: 'B', value: '2' }];
    const a = formatTrailers('S\n\nA: 0\n# c\n---\npatch\n', args);
    const b = formatTrailers('S\n\nA: 0\n# c\n---\npatch\n', args);
    expect(a).toEqual(b);
    expect(a).toEqual({ ok: true, value: 'S\n\nA: 0\nA: 1\nB: 2\n# c\n---\npatch\n' });
  });

  it.each([
    ['a key with a space', { key: 'Two words', value: 'v' }],
    ['a key with a colon', { key: 'A:B', value: 'v' }],
    ['a non-ASCII key', { key: 'Schlüssel', value: 'v' }],
    ['an empty key', { key: '', value: 'v' }],
    ['a value with a newline', { key: 'Key', value: 'a\nb' }],
    ['a value with a CR', { key: 'Key', value: 'a\rb' }],
    ['a value with leading space', { key: 'Key', value: ' a' }],
    ['a value with trailing tab', { key: 'Key', value: 'a\t' }],
  ])('refuses %s with TRAILER_INVALID', (_name, t) => {
    const r = formatTrailers('S\n', [t]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('TRAILER_INVALID');
      expect(r.error.hint).toBeTruthy();
    }
  });
});
