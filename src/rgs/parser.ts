/**
 * Recursive-descent parser for .rgs expressions. Precedence, lowest first:
 *   or < and < not < comparison (non-associative) < + - < unary - < . [] ()
 */
import { err, ok, type Result } from '../core/result';
import type { BinaryOp, Expr } from './ast';
import { lex, type Span, type SyntaxProblem, type Token } from './lexer';

/** Below the .rgc loader's limit (64), leaving room for the nodes lowering adds. */
export const MAX_NESTING = 32;

const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'includes', 'contains', 'matches']);
const COMPARISONS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);
const WORD_COMPARISONS: ReadonlySet<string> = new Set(['in', 'includes', 'contains', 'matches']);

class ParseFailure {
  constructor(readonly problem: SyntaxProblem) {}
}

export function parseExpression(text: string): Result<Expr, SyntaxProblem> {
  const tokens = lex(text);
  if (!tokens.ok) return tokens;
  const p = new Parser(tokens.value);
  try {
    if (p.peek().kind === 'eof') {
      return err({ message: 'empty expression', span: { start: 0, end: 0 }, hint: "write a condition such as \"has_cap('journal:append')\"" });
    }
    const e = p.expr();
    const rest = p.peek();
    if (rest.kind !== 'eof') p.fail(`unexpected ${describe(rest)} after a complete expression`, rest.span, 'join conditions with and / or');
    return ok(e);
  } catch (e) {
    if (e instanceof ParseFailure) return err(e.problem);
    throw e;
  }
}

function describe(t: Token): string {
  if (t.kind === 'eof') return 'end of expression';
  if (t.kind === 'string') return 'string';
  return `'${t.text}'`;
}

const join = (a: Span, b: Span): Span => ({ start: a.start, end: b.end });

class Parser {
  private pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.text === word;
  }

  private isOp(op: string): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.text === op;
  }

  fail(message: string, span: Span, hint?: string): never {
    throw new ParseFailure(hint === undefined ? { message, span } : { message, span, hint });
  }

  private expect(op: string, context: string): Token {
    const t = this.peek();
    if (t.kind === 'op' && t.text === op) return this.next();
    return this.fail(`expected '${op}' ${context}, found ${describe(t)}`, t.span);
  }

  private depth = 0;

  /** Bounds nesting, so no source can exhaust the stack of the compiler or the evaluator. */
  private nested<T>(at: Span, f: () => T): T {
    if (++this.depth > MAX_NESTING) this.fail(`expression nests deeper than ${MAX_NESTING} levels`, at, 'split it into several conditions');
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  expr(): Expr {
    return this.nested(this.peek().span, () => this.or());
  }

  private or(): Expr {
    let left = this.and();
    while (this.isWord('or')) {
      const opTok = this.next();
      const right = this.and();
      left = { k: 'binary', op: 'or', left, right, opSpan: opTok.span, span: join(left.span, right.span) };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isWord('and')) {
      const opTok = this.next();
      const right = this.not();
      left = { k: 'binary', op: 'and', left, right, opSpan: opTok.span, span: join(left.span, right.span) };
    }
    return left;
  }

  private not(): Expr {
    if (this.isWord('not')) {
      const t = this.next();
      const operand = this.nested(t.span, () => this.not());
      return { k: 'unary', op: 'not', operand, span: join(t.span, operand.span) };
    }
    return this.comparison();
  }

  private comparisonOp(): { op: BinaryOp; span: Span } | undefined {
    const t = this.peek();
    if (t.kind === 'op' && COMPARISONS.has(t.text)) {
      this.next();
      return { op: t.text as BinaryOp, span: t.span };
    }
    if (t.kind === 'ident' && WORD_COMPARISONS.has(t.text)) {
      this.next();
      return { op: t.text as BinaryOp, span: t.span };
    }
    if (this.isWord('not') && this.isWord('in', 1)) {
      this.next();
      const inTok = this.next();
      return { op: 'not in', span: join(t.span, inTok.span) };
    }
    return undefined;
  }

  private comparison(): Expr {
    const left = this.additive();
    const op = this.comparisonOp();
    if (!op) return left;
    const right = this.additive();
    const again = this.peek();
    if (this.comparisonOp()) {
      this.fail(`comparisons do not chain: ${describe(again)} follows '${op.op}'`, again.span, "write 'a < b and b < c', or add parentheses");
    }
    return { k: 'binary', op: op.op, left, right, opSpan: op.span, span: join(left.span, right.span) };
  }

  private additive(): Expr {
    let left = this.unary();
    let terms = 1;
    while (this.isOp('+') || this.isOp('-')) {
      const opTok = this.next();
      if (++terms > MAX_NESTING) this.fail(`more than ${MAX_NESTING} terms in one sum`, opTok.span, 'split it into several conditions');
      const right = this.unary();
      left = { k: 'binary', op: opTok.text as BinaryOp, left, right, opSpan: opTok.span, span: join(left.span, right.span) };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isOp('-')) {
      const t = this.next();
      const operand = this.nested(t.span, () => this.unary());
      return { k: 'unary', op: 'neg', operand, span: join(t.span, operand.span) };
    }
    return this.postfix();
  }

  private postfix(): Expr {
    let e = this.primary();
    for (let links = 0; ; links++) {
      if (links > MAX_NESTING) this.fail(`more than ${MAX_NESTING} field accesses in a row`, this.peek().span);
      if (this.isOp('.')) {
        this.next();
        const name = this.next();
        if (name.kind !== 'ident') this.fail(`expected a field name after '.', found ${describe(name)}`, name.span);
        e = { k: 'member', object: e, name: name.text, nameSpan: name.span, span: join(e.span, name.span) };
      } else if (this.isOp('[')) {
        this.next();
        const index = this.expr();
        const close = this.expect(']', 'to close the index');
        e = { k: 'index', object: e, index, span: join(e.span, close.span) };
      } else {
        return e;
      }
    }
  }

  private primary(): Expr {
    const t = this.next();
    switch (t.kind) {
      case 'int':
        return { k: 'int', value: Number(t.text), span: t.span };
      case 'string':
        return { k: 'str', value: t.text, span: t.span };
      case 'ident': {
        if (t.text === 'true' || t.text === 'false') return { k: 'bool', value: t.text === 'true', span: t.span };
        if (KEYWORDS.has(t.text)) this.fail(`expected a value, found the keyword '${t.text}'`, t.span, 'an operand is missing before or after it');
        if (this.isOp('(')) return this.call(t);
        return { k: 'ident', name: t.text, span: t.span };
      }
      case 'op':
        if (t.text === '(') {
          const inner = this.expr();
          this.expect(')', 'to close the parenthesis');
          return inner;
        }
        if (t.text === '[') return this.list(t);
        return this.fail(`expected a value, found '${t.text}'`, t.span);
      default:
        return this.fail('expected a value, found the end of the expression', t.span, 'the expression stops too early');
    }
  }

  private call(name: Token): Expr {
    this.next();
    const args: Expr[] = [];
    if (!this.isOp(')')) {
      args.push(this.expr());
      while (this.isOp(',')) {
        this.next();
        args.push(this.expr());
      }
    }
    const close = this.expect(')', `to close the call of ${name.text}`);
    return { k: 'call', name: name.text, nameSpan: name.span, args, span: join(name.span, close.span) };
  }

  private list(open: Token): Expr {
    const items: Expr[] = [];
    if (!this.isOp(']')) {
      items.push(this.expr());
      while (this.isOp(',')) {
        this.next();
        if (this.isOp(']')) break;
        items.push(this.expr());
      }
    }
    const close = this.expect(']', 'to close the list');
    return { k: 'list', items, span: join(open.span, close.span) };
  }
}
