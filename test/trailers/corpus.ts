/**
 * Messages for the differential tests: a hand-written list of awkward cases
 * and a seeded generator that recombines the same ingredients. Same seed,
 * same corpus, on every machine.
 */

import { seededRandom } from '../helpers/seeded-random';

export interface CorpusEntry {
  readonly name: string;
  readonly message: string;
}

const SOB = 'Signed-off-by: Alice Example <alice@example.com>';
const HEX40 = '0123456789abcdef0123456789abcdef01234567';
const SCISSORS = '# ------------------------ >8 ------------------------';

export const AWKWARD: readonly CorpusEntry[] = [
  { name: 'empty', message: '' },
  { name: 'only a newline', message: '\n' },
  { name: 'subject only', message: 'Fix the thing\n' },
  { name: 'subject without newline', message: 'Fix the thing' },
  { name: 'plain trailer block', message: 'Subject\n\nBody text.\n\nKey: value\nOther-Key: other value\n' },
  { name: 'no final newline', message: 'Subject\n\nKey: value' },
  { name: 'only trailers', message: 'Key: value\nOther: x\n' },
  { name: 'only trailers after a blank first line', message: '\nKey: value\nOther: x\n' },
  { name: 'trailers right after subject without blank line', message: 'Subject\nKey: value\n' },
  { name: 'no blank line before the trailers', message: 'Subject\n\nBody line\nKey: value\n' },
  { name: 'CRLF everywhere', message: 'Subject\r\n\r\nBody\r\n\r\nKey: value\r\nOther: x\r\n' },
  { name: 'CRLF continuation', message: 'Subject\r\n\r\nKey: first\r\n  second\r\n' },
  { name: 'trailing spaces on values', message: 'Subject\n\nKey: value   \nOther:\tx\t\n' },
  { name: 'trailing whitespace lines after block', message: 'Subject\n\nKey: value\n   \n\t\n' },
  { name: 'continuation with spaces', message: 'Subject\n\nKey: a long\n  value that\n   continues\nNext: n\n' },
  { name: 'continuation with tabs', message: 'Subject\n\nKey: a\n\tb\n\t\tc\n' },
  { name: 'continuation before any trailer', message: 'Subject\n\n  indented\nKey: value\n' },
  { name: 'continuation before sign-off', message: 'Subject\n\n  indented\n' + SOB + '\n' },
  { name: 'key with space before colon', message: 'Subject\n\nKey : value\nKey\t: tabbed\n' },
  { name: 'key with internal space', message: 'Subject\n\nTwo words: value\n' },
  { name: 'key with internal space and sign-off', message: 'Subject\n\nTwo words: value\n' + SOB + '\n' },
  { name: 'no space after colon', message: 'Subject\n\nKey:value\nSigned-off-by:bob\n' },
  { name: 'empty value', message: 'Subject\n\nEmpty:\nAlso-Empty:   \nKey: v\n' },
  { name: 'value containing colons', message: 'Subject\n\nState-Root: blake3:' + 'ab'.repeat(32) + '\nLink: https://example.com:8080/x\n' },
  { name: 'url line alone', message: 'Subject\n\nhttps://example.com/path\n' },
  { name: 'colon at line start', message: 'Subject\n\n: not a key\nKey: v\n' },
  { name: 'dash key', message: 'Subject\n\n-: dash\n--x: y\n' },
  { name: 'unicode values', message: 'Subject\n\nReviewed-by: Zoë Ångström <zoe@example.com>\nNote: 日本語のテキスト\n' },
  { name: 'unicode key', message: 'Subject\n\nSchlüssel: Wert\nKey: v\n' },
  { name: 'unicode key with sign-off', message: 'Subject\n\nSchlüssel: Wert\n' + SOB + '\n' },
  { name: 'non-ascii space in key', message: 'Subject\n\nKey\u00a0: v\nOther: w\n' },
  { name: 'vertical tab and form feed', message: 'Subject\n\nKey: a\u000b\nOther:\u000cb\n' },
  { name: 'sign-off mixed with prose (25% rule met)', message: 'Subject\n\nsome prose\nmore prose\nand more\n' + SOB + '\n' },
  { name: 'sign-off mixed with prose (25% rule missed)', message: 'Subject\n\np1\np2\np3\np4\n' + SOB + '\n' },
  { name: 'continuations count as prose when no trailer is above them (rule met)', message: 'Subject\n\np1\n  c1\n  c2\n' + SOB + '\n' },
  { name: 'continuations count as prose when no trailer is above them (rule missed)', message: 'Subject\n\np1\n  c1\n  c2\n  c3\n' + SOB + '\n' },
  { name: 'continuations above a comment count as prose', message: 'Subject\n\np1\np2\n  c1\n# note\n' + SOB + '\n' },
  { name: 'continuations of a trailer do not count as prose', message: 'Subject\n\np1\nKey: v\n  c1\n  c2\n  c3\n' + SOB + '\n' },
  { name: 'two sign-offs carry more prose', message: 'Subject\n\np1\np2\np3\np4\np5\np6\n' + SOB + '\n' + SOB + '\n' },
  { name: 'cherry-pick line', message: 'Subject\n\nBody\n\nsome prose\n(cherry picked from commit ' + HEX40 + ')\n' },
  { name: 'cherry-pick with trailers', message: 'Subject\n\n(cherry picked from commit ' + HEX40 + ')\nKey: v\n' },
  { name: 'sign-off without space is not git-generated', message: 'Subject\n\nprose\nprose\nSigned-off-by:x\n' },
  { name: 'lowercase sign-off', message: 'Subject\n\nprose\nsigned-off-by: x\n' },
  { name: 'repeated keys in order', message: 'Subject\n\nLedger-Head: a\nledger-head: b\nLEDGER-HEAD: c\n' },
  { name: 'comment lines inside block', message: 'Subject\n\nKey: v\n# a comment\nOther: w\n' },
  { name: 'comment between continuation', message: 'Subject\n\nKey: v\n# comment\n  not a continuation\nOther: w\n' },
  { name: 'trailing comments', message: 'Subject\n\nKey: v\n\n# Please enter the commit message\n# lines starting with #\n' },
  { name: 'comment first line', message: '# comment\nSubject\n\nKey: v\n' },
  { name: 'comment only', message: '# just a comment\n' },
  { name: 'comment title then trailers', message: '# c\n\nKey: v\n' },
  { name: 'patch divider', message: 'Subject\n\nKey: v\n---\n file | 2 +-\nOther: not-a-trailer\n' },
  { name: 'patch divider with text', message: 'Subject\n\nKey: v\n--- a/file\n+++ b/file\n' },
  { name: 'dashes without space is not a divider', message: 'Subject\n\nKey: v\n---x\n' },
  { name: 'dashes at end without newline', message: 'Subject\n\nKey: v\n---' },
  { name: 'divider with CR', message: 'Subject\n\nKey: v\n---\r\nrest\n' },
  { name: 'divider before trailers', message: 'Subject\n---\nKey: v\n' },
  { name: 'divider as first line', message: '---\nKey: v\n' },
  { name: 'four dashes', message: 'Subject\n\nKey: v\n---- x\n' },
  { name: 'scissors', message: 'Subject\n\nKey: v\n' + SCISSORS + '\ndiff --git a b\n' },
  { name: 'scissors first', message: SCISSORS + '\nKey: v\n' },
  { name: 'scissors after subject', message: 'Subject\n' + SCISSORS + '\nKey: v\n' },
  { name: 'old conflicts block', message: 'Subject\n\nKey: v\nConflicts:\n\tfile.c\n\tother.c\n' },
  { name: 'conflicts then prose', message: 'Subject\n\nKey: v\nConflicts:\n\tfile.c\nprose\n' },
  { name: 'conflicts with CRLF', message: 'Subject\n\nKey: v\nConflicts:\r\n\tfile.c\n' },
  { name: 'many blank lines', message: 'Subject\n\n\n\nKey: v\n\n\n' },
  { name: 'blank line with spaces separates', message: 'Subject\n\nBody\n  \nKey: v\n' },
  { name: 'blank line with CR separates', message: 'Subject\n\nBody\n\r\nKey: v\n' },
  { name: 'only continuation lines', message: 'Subject\n\n  a\n  b\n' },
  { name: 'NUL byte ends the message', message: 'Subject\n\nKey: v\n\0Other: w\n' },
  { name: 'long value', message: 'Subject\n\nKey: ' + 'x'.repeat(5000) + '\n' },
  { name: 'many trailers', message: 'Subject\n\n' + Array.from({ length: 200 }, (_, i) => `K${i}: v${i}\n`).join('') },
  { name: 'gatos checkpoint', message: 'checkpoint: ns finance\n\nState-Root: blake3:' + 'a'.repeat(64) + '\nLedger-Head: ' + HEX40 + '\nPolicy-Root: ' + HEX40 + '\nFold-Root: sha256:' + 'b'.repeat(64) + '\nFold-Engine: echo@0.1.0+elc@1.0.0+num=q32.32+rng=pcg32@1\n' },
];


const KEYS = ['Key', 'Signed-off-by', 'Reviewed-by', 'State-Root', 'state-root', 'Ledger-Head', 'X', 'A1', 'Fold-Engine', 'Two words', 'Schlüssel', '-', 'Co-authored-by', 'Bug'];
const SEPS = [':', ': ', ':  ', ' : ', '\t:\t', ':\t'];
const VALUES = ['value', '', 'blake3:' + 'c'.repeat(64), 'a: b: c', 'Zoë <z@example.com>', 'trailing   ', '  leading', 'http://x.test/a', '日本', '#not-comment', 'x\r'];
const PROSE = ['This is prose.', 'Another line of prose', 'wrapped text: with a colon later', 'Fixes: nothing really', '(cherry picked from commit ' + HEX40 + ')', 'Note -- dashes', 'a', 'Ünïcödé prose'];
const CONT = ['  continued', '\tcontinued', ' x', '    deeper: looking'];
const ODD = ['---', '--- a/x', '---x', '# comment', '#', 'Conflicts:', '\tpath.c', SCISSORS, '', ' ', '\t', '\r', SOB, 'Signed-off-by:nospace'];

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)] as T;
}

function line(rnd: () => number): string {
  const r = rnd();
  if (r < 0.45) return pick(rnd, KEYS) + pick(rnd, SEPS) + pick(rnd, VALUES);
  if (r < 0.6) return pick(rnd, PROSE);
  if (r < 0.75) return pick(rnd, CONT);
  if (r < 0.85) return '';
  return pick(rnd, ODD);
}

/**
 * git 2.39 loops forever when a scissors line follows a patch divider (it
 * searches for the scissors past the divider and then cannot walk there).
 * Such messages cannot be asked of the oracle; the generator leaves them out
 * and test/trailers/parse.test.ts pins our answer for one by hand.
 */
export function hangsGit(message: string): boolean {
  const divider = /(^|\n)---[ \t\r\n]/.exec(message);
  if (!divider) return false;
  return message.indexOf(`\n${SCISSORS}\n`, divider.index) >= 0;
}

export function generatedCorpus(count: number, seed = 0x9a705): CorpusEntry[] {
  const rnd = seededRandom(seed);
  const out: CorpusEntry[] = [];
  for (let i = 0; out.length < count; i++) {
    const eol = rnd() < 0.15 ? '\r\n' : '\n';
    const lines: string[] = [rnd() < 0.9 ? `Subject ${i}` : line(rnd)];
    if (rnd() < 0.8) lines.push('');
    const paragraphs = Math.floor(rnd() * 3);
    for (let p = 0; p < paragraphs; p++) {
      for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) lines.push(pick(rnd, PROSE));
      lines.push('');
    }
    // A last paragraph that leans towards trailers, with noise mixed in.
    const tail = 1 + Math.floor(rnd() * 6);
    const trailerBias = rnd();
    for (let n = 0; n < tail; n++) lines.push(rnd() < trailerBias ? pick(rnd, KEYS) + pick(rnd, SEPS) + pick(rnd, VALUES) : line(rnd));
    if (rnd() < 0.2) lines.push(line(rnd), line(rnd));
    const body = lines.join(eol);
    const message = rnd() < 0.85 ? body + eol : body;
    if (!hangsGit(message)) out.push({ name: `generated #${i}`, message });
  }
  return out;
}
