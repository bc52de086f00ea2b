/**
 * The compiled expression form stored in .rgc: nested CBOR arrays whose first
 * element names the operation. It is what the evaluator runs and what the
 * policy root hashes, so it holds no spans, comments or spelling choices.
 *
 *   ['lit', v]            bool, int or string literal
 *   ['set', [s...]]       string set literal, sorted and without duplicates
 *   ['attr', name]        a context attribute
 *   ['get', e, field]     a record field
 *   ['idx', e, key]       a map entry
 *   ['not', e]  ['and', e, e, ...]  ['or', e, e, ...]
 *   ['eq'|'ne'|'lt'|'le'|'gt'|'ge', a, b]
 *   ['add'|'sub', a, b]  ['neg', e]
 *   ['in', s, set]        string membership
 *   ['call', name, args...]
 */

export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';

export type Ir =
  | readonly ['lit', boolean | number | string]
  | readonly ['set', readonly string[]]
  | readonly ['attr', string]
  | readonly ['get', Ir, string]
  | readonly ['idx', Ir, Ir]
  | readonly ['not', Ir]
  | readonly ['and' | 'or', ...Ir[]]
  | readonly [CompareOp, Ir, Ir]
  | readonly ['add' | 'sub', Ir, Ir]
  | readonly ['neg', Ir]
  | readonly ['in', Ir, Ir]
  | readonly ['call', string, ...Ir[]];

export const COMPARE_OPS: readonly CompareOp[] = ['eq', 'ne', 'lt', 'le', 'gt', 'ge'];

export const COMPARE_SYMBOL: Readonly<Record<CompareOp, string>> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };

/** A rule as stored in .rgc (keys fixed; see docs/rgs.md "The .rgc format"). */
export interface CompiledRule {
  readonly id: string;
  readonly mode: 'enforce' | 'evaluate';
  /** The author's error code, or null: POLICY_DENY, or CAP_EXPIRED when an expired capability decides. */
  readonly code: string | null;
  readonly audit: boolean;
  readonly when: Ir | null;
  readonly deny: readonly Ir[];
  readonly allow: readonly Ir[];
  readonly reason: string | null;
}

export const RGC_FORMAT = 'gatos-rgc';
export const RGC_VERSION = 1;

export interface RgcDocument {
  readonly format: typeof RGC_FORMAT;
  readonly version: number;
  readonly rules: readonly CompiledRule[];
  /** Path glob -> sorted labels (docs/rgs.md, "Labels"); absent when the policy labels nothing. */
  readonly labels?: Readonly<Record<string, readonly string[]>>;
}

/** Attribute paths like 'actor.kind' when `e` is a plain chain of attr/get. */
export function attrPath(e: Ir): string | undefined {
  if (e[0] === 'attr') return e[1];
  if (e[0] === 'get') {
    const base = attrPath(e[1]);
    return base === undefined ? undefined : `${base}.${e[2]}`;
  }
  return undefined;
}
