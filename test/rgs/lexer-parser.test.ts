import { lex } from '../../src/rgs/lexer';
import { parseExpression } from '../../src/rgs/parser';
import type { Expr } from '../../src/rgs/ast';

/** Renders an AST fully parenthesised, so precedence is visible in one string. */
function show(e: Expr): string {
  switch (e.k) {
    case 'int':
    case 'bool':
      return String(e.value);
    case 'str':
      return JSON.stringify(e.value);
    case 'ident':
      return e.name;
    case 'list':
      return `[${e.items.map(show).join(',')}]`;
    case 'member':
      return `${show(e.object)}.${e.name}`;
    case 'index':
      return `${show(e.object)}[${show(e.index)}]`;
    case 'call':
      return `${e.name}(${e.args.map(show).join(',')})`;
    case 'unary':
      return `(${e.op} ${show(e.operand)})`;
    case 'binary':
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
  }
}

function parsed(text: string): string {
  const r = parseExpression(text);
  if (!r.ok) throw new Error(r.error.message);
  return show(r.value);
}

describe('lexer', () => {
  test('tokens carry kinds, decoded text and spans', () => {
    const r = lex(`caps includes 'a\\'b' >= 12`);
    expect(r.ok && r.value.map((t) => [t.kind, t.text, t.span.start, t.span.end])).toEqual([
      ['ident', 'caps', 0, 4],
      ['ident', 'includes', 5, 13],
      ['string', "a'b", 14, 20],
      ['op', '>=', 21, 23],
      ['int', '12', 24, 26],
      ['eof', '', 26, 26],
    ]);
  });

  test.each([
    ['a && b', "write 'and'"],
    ['a || b', "write 'or'"],
    ['!a', "write 'not'"],
    ['a = b', "write '=='"],
    ['1.5', 'no floats'],
    ['007', 'leading zeros'],
    ['99999999999999999999', '9007199254740991'],
    ["'open", 'end the string'],
    ["'a\\q'", 'escapes are'],
  ])('refuses %s with a hint', (text, hint) => {
    const r = lex(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(`${r.error.message} ${r.error.hint ?? ''}`).toContain(hint);
  });
});

describe('parser precedence', () => {
  test.each([
    ['a or b and c', '(a or (b and c))'],
    ['not a and b', '((not a) and b)'],
    ['not a == b', '(not (a == b))'],
    ['a + 1 >= b - 2', '((a + 1) >= (b - 2))'],
    ['a - b - c', '((a - b) - c)'],
    ['-a + b', '((neg a) + b)'],
    ["trust[actor].level >= 2", '(trust[actor].level >= 2)'],
    ["x not in ['a', 'b']", '(x not in ["a","b"])'],
    ["labels contains 'p' and remote != 'i'", '((labels contains "p") and (remote != "i"))'],
    ['(a or b) and c', '((a or b) and c)'],
    ["f(a, 'b', [])", 'f(a,"b",[])'],
  ])('%s', (text, tree) => {
    expect(parsed(text)).toBe(tree);
  });

  test.each([
    ['a < b < c', 'do not chain'],
    ['a and', 'expected a value'],
    ['(a', "expected ')'"],
    ['a b', 'after a complete expression'],
    ['', 'empty expression'],
    ['a.', 'field name'],
    ['and', 'keyword'],
  ])('refuses %s', (text, message) => {
    const r = parseExpression(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain(message);
  });

  test('spans point into the expression text', () => {
    const r = parseExpression('a and (b or c d)');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.span).toEqual({ start: 14, end: 15 });
  });

  test('nesting is bounded instead of exhausting the stack', () => {
    for (const text of ['('.repeat(5000) + 'a' + ')'.repeat(5000), 'not '.repeat(5000) + 'a', '1' + ' + 1'.repeat(5000), '-'.repeat(5000) + '1']) {
      const r = parseExpression(text);
      expect(r.ok).toBe(false);
    }
  });
});
