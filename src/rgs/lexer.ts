/**
 * Lexer for .rgs expressions. Offsets are 0-based positions in the
 * expression text; the caller maps them into the source file.
 */
import { err, ok, type Result } from '../core/result';

export type TokenKind = 'ident' | 'int' | 'string' | 'op' | 'eof';

export interface Span {
  readonly start: number;
  readonly end: number;
}

export interface Token {
  readonly kind: TokenKind;
  /** The identifier, operator, decoded string or decimal digits. */
  readonly text: string;
  readonly span: Span;
}

export interface SyntaxProblem {
  readonly message: string;
  readonly span: Span;
  readonly hint?: string;
}

const OPERATORS: readonly string[] = ['==', '!=', '<=', '>=', '<', '>', '+', '-', '(', ')', '[', ']', ',', '.'];

/** Spellings from other languages, refused with the .rgs word in the hint. */
const FOREIGN: Readonly<Record<string, string>> = {
  '&&': "write 'and'",
  '||': "write 'or'",
  '!': "write 'not' (or '!=' for inequality)",
  '=': "write '==' to compare",
  '*': 'there is no multiplication; globs go inside quotes',
  '/': 'there is no division; paths and globs go inside quotes',
  '%': 'there is no modulo',
};

const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t' };

export function lex(text: string): Result<Token[], SyntaxProblem> {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j] as string)) j++;
      tokens.push({ kind: 'ident', text: text.slice(i, j), span: { start: i, end: j } });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[0-9A-Za-z_.]/.test(text[j] as string)) j++;
      const digits = text.slice(i, j);
      const span = { start: i, end: j };
      if (!/^(?:0|[1-9][0-9]*)$/.test(digits)) {
        return err({ message: `'${digits}' is not an integer`, span, hint: 'integers are written in decimal without leading zeros; there are no floats' });
      }
      if (!Number.isSafeInteger(Number(digits))) {
        return err({ message: `integer ${digits} is too large`, span, hint: 'integers must lie within +/- 9007199254740991' });
      }
      tokens.push({ kind: 'int', text: digits, span });
      i = j;
      continue;
    }
    if (c === "'" || c === '"') {
      const s = lexString(text, i);
      if (!s.ok) return s;
      tokens.push(s.value);
      i = s.value.span.end;
      continue;
    }
    const two = text.slice(i, i + 2);
    const op = OPERATORS.find((o) => o === two) ?? OPERATORS.find((o) => o === c);
    if (op && !(two in FOREIGN)) {
      tokens.push({ kind: 'op', text: op, span: { start: i, end: i + op.length } });
      i += op.length;
      continue;
    }
    const foreign = two in FOREIGN ? two : c;
    return err({
      message: `unexpected '${foreign}'`,
      span: { start: i, end: i + foreign.length },
      hint: FOREIGN[foreign] ?? 'expressions use names, integers, quoted strings and the operators listed in docs/rgs.md',
    });
  }
  tokens.push({ kind: 'eof', text: '', span: { start: text.length, end: text.length } });
  return ok(tokens);
}

function lexString(text: string, start: number): Result<Token, SyntaxProblem> {
  const quote = text[start];
  let out = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === quote) return ok({ kind: 'string', text: out, span: { start, end: i + 1 } });
    if (c === '\n') break;
    if (c === '\\') {
      const e = text[i + 1];
      const decoded = e === undefined ? undefined : ESCAPES[e];
      if (decoded === undefined) {
        return err({ message: `unknown escape '\\${e ?? ''}' in a string`, span: { start: i, end: i + 2 }, hint: "the escapes are \\\\, \\', \\\", \\n and \\t" });
      }
      out += decoded;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  return err({ message: 'string is not closed', span: { start, end: i }, hint: `end the string with ${quote} on the same line` });
}
