/**
 * The EchoLua linter: everything that could make a fold's result depend on
 * the host, or that the VM does not implement, is a hard error here, at the
 * file, line and column where it is written. The compiler runs it first and
 * stops on any error. Rules are listed in docs/echolua.md.
 */
import type * as L from 'luaparse';
import type { Diagnostic } from '../../../core/diagnostic';
import { formatStringErrors } from '../vm/format-spec';
import { checkNumericLiteral } from './literals';
import { parseEchoLua, rangeOf, type SourceMap } from './parse';

/** Globals a fold must not touch, with what to use instead. */
export const FORBIDDEN_GLOBALS: Readonly<Record<string, string>> = {
  pairs: 'pairs() order is unspecified; use dpairs(t), which visits keys in sorted order',
  next: 'next() order is unspecified; use dpairs(t) or dkeys(t)',
  coroutine: 'coroutines are not part of EchoLua: folds are plain functions',
  os: 'os.* reaches the host (clock, environment, files); folds are pure',
  io: 'io.* reaches the host; a fold returns its output from emit(state)',
  debug: 'debug.* breaks the sandbox',
  package: 'modules are not loaded in folds; put the code in the fold source',
  require: 'modules are not loaded in folds; put the code in the fold source',
  load: 'code is never loaded at run time; only compiled ELC runs',
  loadstring: 'code is never loaded at run time; only compiled ELC runs',
  loadfile: 'code is never loaded at run time; only compiled ELC runs',
  dofile: 'code is never loaded at run time; only compiled ELC runs',
  collectgarbage: 'garbage collection is invisible to a fold',
  setmetatable: 'EchoLua v1 has no metatables',
  getmetatable: 'EchoLua v1 has no metatables',
  _G: 'dynamic access to globals is not allowed; name globals directly',
  _ENV: 'dynamic access to globals is not allowed; name globals directly',
  print: 'a fold has no output besides emit(state); return the values you need',
  unpack: 'use table.unpack',
  utf8: 'utf8.* is not part of EchoLua v1',
};

const TRANSCENDENTAL = 'transcendental functions are not permitted in v1 folds (results would depend on the host math library); do such math in a job';

/** Fields of standard tables that are forbidden, with the reason. */
export const FORBIDDEN_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  math: {
    random: 'math.random uses ambient state; use rng(seed) with an explicit seed',
    randomseed: 'math.randomseed sets ambient state; use rng(seed) with an explicit seed',
    sin: TRANSCENDENTAL, cos: TRANSCENDENTAL, tan: TRANSCENDENTAL, asin: TRANSCENDENTAL, acos: TRANSCENDENTAL,
    atan: TRANSCENDENTAL, exp: TRANSCENDENTAL, log: TRANSCENDENTAL, sqrt: TRANSCENDENTAL, pow: TRANSCENDENTAL,
    fmod: 'use the % operator (floor modulo, exact)', modf: 'use math.floor and subtraction',
    huge: 'there is no infinity in EchoLua', pi: TRANSCENDENTAL,
  },
  string: {
    dump: 'string.dump produces stock Lua bytecode, which is never used',
    gsub: 'Lua patterns are not part of EchoLua v1; use string.find with plain = true, string.sub and loops',
    match: 'Lua patterns are not part of EchoLua v1; use string.find with plain = true and string.sub',
    gmatch: 'Lua patterns are not part of EchoLua v1; use string.find with plain = true and string.sub',
    pack: 'binary packing is not part of EchoLua v1', unpack: 'binary packing is not part of EchoLua v1', packsize: 'binary packing is not part of EchoLua v1',
  },
  table: {
    sort: 'table.sort is not stable and its result depends on the algorithm; use dsort(t [, less]), a stable sort',
    move: 'table.move is not part of EchoLua v1; copy with a loop',
  },
};

/**
 * The standard library tables. A program reaches their fields only as
 * `lib.name` or `lib["name"]` with a literal name, so the compiler sees
 * every library function a fold uses (and refuses the forbidden ones);
 * `lib[k]` and any other use of the table as a value (`local m = math`) is
 * refused.
 */
export const LIBRARY_TABLES: ReadonlySet<string> = new Set(['math', 'string', 'table', 'json', 'set', 'counter', 'lattice']);

const FLOAT_SPEC = /%[-+ #0]*[0-9]*(?:\.[0-9]+)?[aAeEfFgG]/;
const MAGIC = /[\^$*+?.()[\]%-]/;

export interface LintOptions {
  /** Script mode (tests and the differential harness): print is allowed. */
  readonly script?: boolean;
}

interface Scope {
  readonly names: Set<string>;
  readonly fnDepth: number;
}

class Linter {
  readonly out: Diagnostic[] = [];
  private scopes: Scope[] = [];
  private fnDepth = 0;

  constructor(
    private readonly map: SourceMap,
    private readonly opts: LintOptions,
  ) {}

  private report(severity: 'error' | 'warning', code: string, node: object, message: string, hint?: string): void {
    const [s, e] = rangeOf(node);
    this.out.push({ severity, code, message, location: this.map.locate(s, e), ...(hint ? { hint } : {}) });
  }

  private push(): void {
    this.scopes.push({ names: new Set(), fnDepth: this.fnDepth });
  }

  private pop(): void {
    this.scopes.pop();
  }

  private declare(name: string): void {
    this.scopes[this.scopes.length - 1]?.names.add(name);
  }

  /** The function depth a local was declared at, or undefined for a global. */
  private lookup(name: string): number | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const s = this.scopes[i] as Scope;
      if (s.names.has(name)) return s.fnDepth;
    }
    return undefined;
  }

  chunk(c: L.Chunk): void {
    this.push();
    this.block(c.body);
    this.pop();
  }

  private block(stmts: L.Statement[]): void {
    for (const s of stmts) this.stmt(s);
  }

  private stmt(s: L.Statement): void {
    switch (s.type) {
      case 'LocalStatement':
        for (const e of s.init) this.expr(e);
        for (const v of s.variables) this.declare(v.name);
        return;
      case 'AssignmentStatement':
        for (const v of s.variables) this.assignTarget(v);
        for (const e of s.init) this.expr(e);
        return;
      case 'CallStatement':
        this.expr(s.expression);
        return;
      case 'FunctionDeclaration':
        this.functionDecl(s);
        return;
      case 'IfStatement':
        for (const clause of s.clauses) {
          if (clause.type !== 'ElseClause') this.expr(clause.condition);
          this.push();
          this.block(clause.body);
          this.pop();
        }
        return;
      case 'WhileStatement':
        this.expr(s.condition);
        this.push();
        this.block(s.body);
        this.pop();
        return;
      case 'RepeatStatement':
        this.push();
        this.block(s.body);
        this.expr(s.condition);
        this.pop();
        return;
      case 'DoStatement':
        this.push();
        this.block(s.body);
        this.pop();
        return;
      case 'ForNumericStatement':
        this.expr(s.start);
        this.expr(s.end);
        if (s.step) this.expr(s.step);
        this.push();
        this.declare(s.variable.name);
        this.block(s.body);
        this.pop();
        return;
      case 'ForGenericStatement':
        for (const e of s.iterators) this.expr(e);
        this.push();
        for (const v of s.variables) this.declare(v.name);
        this.block(s.body);
        this.pop();
        return;
      case 'ReturnStatement':
        for (const e of s.arguments) this.expr(e);
        return;
      case 'BreakStatement':
        return;
      case 'GotoStatement':
      case 'LabelStatement':
        this.report('error', 'unsupported-syntax', s, `'${s.type === 'GotoStatement' ? 'goto' : '::label::'}' is not part of EchoLua`, 'use loops with break, or if/else');
        return;
    }
  }

  private assignTarget(v: L.Identifier | L.MemberExpression | L.IndexExpression): void {
    if (v.type === 'Identifier') {
      const depth = this.lookup(v.name);
      if (depth === undefined) {
        this.globalName(v);
        if (this.fnDepth > 0) this.report('error', 'hidden-state', v, `a function assigns the global '${v.name}'`, 'globals are fixed once the fold is loaded; keep changing data in the state table that step receives and returns');
      } else if (depth === 0 && this.fnDepth > 0) {
        this.report('error', 'hidden-state', v, `a function assigns '${v.name}', a local of the main chunk`, 'such a variable would carry state between events outside the fold state; keep it in the state table');
      }
      return;
    }
    this.expr(v);
  }

  private functionDecl(f: L.FunctionDeclaration): void {
    if (f.identifier) {
      if (f.isLocal && f.identifier.type === 'Identifier') this.declare(f.identifier.name);
      else this.assignTarget(f.identifier);
    }
    this.fnDepth++;
    this.push();
    for (const p of f.parameters) if (p.type === 'Identifier') this.declare(p.name);
    if (f.identifier && f.identifier.type === 'MemberExpression' && f.identifier.indexer === ':') this.declare('self');
    this.block(f.body);
    this.pop();
    this.fnDepth--;
  }

  private globalName(id: L.Identifier): void {
    const why = FORBIDDEN_GLOBALS[id.name];
    if (why === undefined) return;
    if (id.name === 'print' && this.opts.script) return;
    this.report('error', 'forbidden-global', id, `'${id.name}' is not available in EchoLua`, why);
  }

  private expr(e: L.Expression): void {
    switch (e.type) {
      case 'Identifier':
        if (this.lookup(e.name) === undefined) {
          if (LIBRARY_TABLES.has(e.name)) {
            this.report('error', 'library-alias', e, `the library table '${e.name}' is used as a value`, `name library functions directly (${e.name}.name): the compiler resolves library access statically`);
            return;
          }
          this.globalName(e);
          if (e.name === 'rng') this.report('warning', 'rng-use', e, 'the fold uses rng()', 'randomness in folds is discouraged; the seed must come from the events or the fold; checkpoints of this fold carry Fold-RNG: pcg32@1');
        }
        return;
      case 'NumericLiteral': {
        const r = checkNumericLiteral(e.raw);
        if (!r.ok) this.report('error', 'numeric-literal', e, r.message, r.hint);
        else if (r.inexact) this.report('warning', 'inexact-literal', e, `the literal ${e.raw} is not exact in Q32.32 and is rounded to the nearest value (ties to even)`, 'use a fraction with a power-of-two denominator, or integers scaled by a fixed factor (e.g. cents)');
        return;
      }
      case 'StringLiteral':
        this.metamethodName(e, e.value);
        return;
      case 'BooleanLiteral':
      case 'NilLiteral':
      case 'VarargLiteral':
        return;
      case 'FunctionDeclaration':
        this.functionDecl(e);
        return;
      case 'TableConstructorExpression':
        for (const f of e.fields) {
          if (f.type === 'TableKey') this.expr(f.key);
          else if (f.type === 'TableKeyString') this.metamethodName(f.key, f.key.name);
          this.expr(f.value);
        }
        return;
      case 'BinaryExpression':
        if (e.operator === '^') this.report('error', 'float-power', e, "the '^' operator gives a float in Lua and is not part of EchoLua", 'multiply integers explicitly');
        this.expr(e.left);
        this.expr(e.right);
        return;
      case 'LogicalExpression':
        this.expr(e.left);
        this.expr(e.right);
        return;
      case 'UnaryExpression':
        this.expr(e.argument);
        return;
      case 'MemberExpression':
        this.member(e);
        return;
      case 'IndexExpression':
        if (this.isLibrary(e.base)) {
          if (e.index.type === 'StringLiteral') this.libraryField(e, e.base.name, e.index.value);
          else this.report('error', 'library-index', e, `'${e.base.name}' is indexed with a computed key`, `name library functions directly (${e.base.name}.name): the compiler resolves library access statically`);
        } else this.expr(e.base);
        this.expr(e.index);
        return;
      case 'CallExpression':
        this.call(e, e.base, e.arguments);
        return;
      case 'TableCallExpression':
        this.call(e, e.base, [e.arguments]);
        return;
      case 'StringCallExpression':
        this.call(e, e.base, [e.argument]);
        return;
    }
  }

  private metamethodName(node: object, name: string): void {
    if (name === '__gc' || name === '__pairs' || name === '__close' || name === '__mode') {
      this.report('error', 'forbidden-metamethod', node, `'${name}' is forbidden in EchoLua`, 'finalizers, weak tables and custom iteration make results depend on the host');
    }
  }

  private member(e: L.MemberExpression): void {
    this.metamethodName(e.identifier, e.identifier.name);
    if (e.base.type === 'Identifier' && this.lookup(e.base.name) === undefined) {
      const why = FORBIDDEN_FIELDS[e.base.name]?.[e.identifier.name];
      if (why !== undefined) {
        this.report('error', 'forbidden-global', e, `'${e.base.name}.${e.identifier.name}' is not available in EchoLua`, why);
        return;
      }
    }
    if (!this.isLibrary(e.base)) this.expr(e.base);
  }

  /** A global library table (math, string, ...) not shadowed by a local. */
  private isLibrary(e: L.Expression): e is L.Identifier {
    return e.type === 'Identifier' && LIBRARY_TABLES.has(e.name) && this.lookup(e.name) === undefined;
  }

  private libraryField(node: object, lib: string, field: string): void {
    const why = FORBIDDEN_FIELDS[lib]?.[field];
    if (why !== undefined) this.report('error', 'forbidden-global', node, `'${lib}.${field}' is not available in EchoLua`, why);
  }

  private call(e: L.Expression, base: L.Expression, args: L.Expression[]): void {
    const callee = calleeName(base);
    if (callee === 'format') {
      const fmt = base.type === 'MemberExpression' && base.indexer === ':' ? base.base : args[0];
      if (fmt && fmt.type === 'StringLiteral' && FLOAT_SPEC.test(fmt.value)) {
        this.report('error', 'float-format', fmt, 'string.format with a floating-point specifier (%f %g %e %a)', 'format fixed-point values with tostring(); integers with %d');
      }
      if (fmt && fmt.type === 'StringLiteral') {
        for (const bad of formatStringErrors(fmt.value)) {
          this.report('error', 'format-spec', fmt, `string.format: ${bad.message}`, 'Lua 5.4 allows per conversion: %d %i "-+ 0", %u "-0", %o %x %X "-#0", %c "-", %s "-" and a precision, %q nothing; width and precision at most 2 digits');
        }
      }
    }
    if (callee === 'find') {
      const method = base.type === 'MemberExpression' && base.indexer === ':';
      const pat = args[method ? 0 : 1];
      const plain = args[method ? 2 : 3];
      if (pat && pat.type === 'StringLiteral' && MAGIC.test(pat.value) && !(plain && plain.type === 'BooleanLiteral' && plain.value)) {
        this.report('error', 'pattern', pat, 'string.find with a Lua pattern', 'EchoLua v1 supports plain search only: pass true as the fourth argument, or search for text without magic characters');
      }
    }
    this.expr(base);
    for (const a of args) this.expr(a);
    void e;
  }
}

function calleeName(base: L.Expression): string | undefined {
  if (base.type === 'MemberExpression') {
    if (base.indexer === ':') return base.identifier.name;
    if (base.base.type === 'Identifier' && base.base.name === 'string') return base.identifier.name;
  }
  return undefined;
}

export function lintChunk(chunk: L.Chunk, map: SourceMap, opts: LintOptions = {}): Diagnostic[] {
  const l = new Linter(map, opts);
  l.chunk(chunk);
  return l.out.sort((a, b) => a.location.line - b.location.line || a.location.column - b.location.column);
}

/** Lints a source text: syntax errors and rule violations, errors and warnings. */
export function lintSource(source: string, file: string, opts: LintOptions = {}): Diagnostic[] {
  const parsed = parseEchoLua(source, file);
  if (!parsed.ok) return parsed.error;
  return lintChunk(parsed.value.chunk, parsed.value.map, opts);
}
