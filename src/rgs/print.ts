/**
 * Canonical text of compiled expressions, for reasons and explain traces.
 * It is rebuilt from the IR, so it never depends on how the source was
 * spaced or quoted.
 */
import { COMPARE_SYMBOL, type CompareOp, type Ir } from './ir';

const PREC = { or: 1, and: 2, not: 3, cmp: 4, add: 5, neg: 6, atom: 7 } as const;

export function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\t/g, '\\t')}'`;
}

export function printIr(e: Ir): string {
  return print(e, 0);
}

function wrap(text: string, prec: number, min: number): string {
  return prec < min ? `(${text})` : text;
}

function print(e: Ir, min: number): string {
  switch (e[0]) {
    case 'lit':
      return typeof e[1] === 'string' ? quote(e[1]) : String(e[1]);
    case 'set':
      return `[${e[1].map(quote).join(', ')}]`;
    case 'attr':
      return e[1];
    case 'get':
      return `${print(e[1], PREC.atom)}.${e[2]}`;
    case 'idx':
      return `${print(e[1], PREC.atom)}[${print(e[2], 0)}]`;
    case 'not':
      if (e[1][0] === 'in') return wrap(`${print(e[1][1], PREC.add)} not in ${print(e[1][2], PREC.add)}`, PREC.cmp, min);
      return wrap(`not ${print(e[1], PREC.not)}`, PREC.not, min);
    case 'and':
    case 'or': {
      const prec = PREC[e[0]];
      const parts = (e.slice(1) as Ir[]).map((x) => print(x, prec + 1));
      return wrap(parts.join(` ${e[0]} `), prec, min);
    }
    case 'eq':
    case 'ne':
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge':
      return wrap(`${print(e[1], PREC.add)} ${COMPARE_SYMBOL[e[0] as CompareOp]} ${print(e[2], PREC.add)}`, PREC.cmp, min);
    case 'in':
      return wrap(`${print(e[1], PREC.add)} in ${print(e[2], PREC.add)}`, PREC.cmp, min);
    case 'add':
    case 'sub':
      return wrap(`${print(e[1], PREC.add)} ${e[0] === 'add' ? '+' : '-'} ${print(e[2], PREC.neg)}`, PREC.add, min);
    case 'neg':
      return wrap(`-${print(e[1], PREC.neg)}`, PREC.neg, min);
    case 'call':
      return `${e[1]}(${(e.slice(2) as Ir[]).map((x) => print(x, 0)).join(', ')})`;
  }
}
