/**
 * The statements of an ELC program in one fixed order (preorder: a
 * statement, then the statements inside it, function bodies included, in
 * the order they are written). ELC carries no source lines (formatting
 * never changes fold_root, decision 0019); instead a run-time error names
 * its failing statement by this position, and the compiler, which knows
 * each statement's line, lists the lines in the same order beside the
 * artifact (never inside it). Both sides call this one walk, so they agree.
 */
import type { ElcBlock, ElcExpr, ElcProto, ElcStmt } from './elc';

function expr(e: ElcExpr, out: ElcStmt[]): void {
  switch (e[0]) {
    case 'fn': block(e[1].body, out); return;
    case 'ix': expr(e[1], out); expr(e[2], out); return;
    case 'call': expr(e[1], out); for (const a of e[2]) expr(a, out); return;
    case 'self': expr(e[1], out); for (const a of e[3]) expr(a, out); return;
    case 'one': expr(e[1], out); return;
    case 'tbl':
      for (const f of e[1]) {
        expr(f[1], out);
        if (f[0] === 'kv') expr(f[2], out);
      }
      return;
    case 'k': case 'q': case 'l': case 'u': case 'g': case 'va': return;
    default:
      expr(e[1] as ElcExpr, out);
      if (e.length === 3) expr(e[2] as ElcExpr, out);
  }
}

function exprs(es: readonly ElcExpr[], out: ElcStmt[]): void {
  for (const e of es) expr(e, out);
}

function block(b: ElcBlock, out: ElcStmt[]): void {
  for (const s of b) {
    out.push(s);
    switch (s[0]) {
      case 'local': exprs(s[2], out); break;
      case 'set':
        for (const t of s[1]) if (t[0] === 'ix') { expr(t[1], out); expr(t[2], out); }
        exprs(s[2], out);
        break;
      case 'x': expr(s[1], out); break;
      case 'if':
        for (const [cond, body] of s[1]) { expr(cond, out); block(body, out); }
        block(s[2], out);
        break;
      case 'while': expr(s[1], out); block(s[2], out); break;
      case 'repeat': block(s[1], out); expr(s[2], out); break;
      case 'fornum': expr(s[2], out); expr(s[3], out); expr(s[4], out); block(s[5], out); break;
      case 'forin': exprs(s[2], out); block(s[3], out); break;
      case 'ret': exprs(s[1], out); break;
      case 'do': block(s[1], out); break;
      case 'break': break;
      case 'lat': expr(s[2], out); expr(s[3], out); expr(s[4], out); break;
    }
  }
}

/** Every statement of the program (the main chunk and every function in it), in the one order. */
export function statementsInOrder(main: ElcProto): ElcStmt[] {
  const out: ElcStmt[] = [];
  block(main.body, out);
  return out;
}

/** Each statement's position in that order. */
export function statementPositions(main: ElcProto): Map<ElcStmt, number> {
  return new Map(statementsInOrder(main).map((s, i) => [s, i] as const));
}
