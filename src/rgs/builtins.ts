/**
 * The standard predicates and functions. One table serves the checker (source
 * types), the .rgc loader (shape check) and the reference in docs/rgs.md.
 * `reads` lists the context attributes a function consults implicitly, so a
 * denial can show their values and a missing one can be named.
 */
import { ACTOR_KINDS } from './schema';
import { BOOL, INT, SET, STRING, type RgsType } from './types';

/** Arguments that must be literals, validated (and precompiled) at compile time. */
export type LiteralKind = 'glob' | 'cidr' | 'actor_kind' | 'group';

export interface Param {
  readonly name: string;
  readonly type: RgsType;
  readonly literal?: LiteralKind;
}

export interface Builtin {
  readonly name: string;
  readonly params: readonly Param[];
  readonly result: RgsType;
  readonly reads: readonly string[];
  readonly doc: string;
}

const fn = (name: string, params: Param[], result: RgsType, reads: string[], doc: string): Builtin => ({ name, params, result, reads, doc });

export const BUILTINS: readonly Builtin[] = [
  fn('has_cap', [{ name: 'capability', type: STRING }], BOOL, ['caps', 'now'], 'the actor holds the capability and it has not expired (expiry > now); `caps includes c` means the same'),
  fn('in_cidr', [{ name: 'ip', type: STRING }, { name: 'block', type: STRING, literal: 'cidr' }], BOOL, [], 'the address lies in the CIDR block (same family only)'),
  fn('before_epoch', [{ name: 'epoch', type: INT }], BOOL, ['now'], 'now < epoch'),
  fn('after_epoch', [{ name: 'epoch', type: INT }], BOOL, ['now'], 'now >= epoch'),
  fn('glob', [{ name: 'name', type: STRING }, { name: 'pattern', type: STRING, literal: 'glob' }], BOOL, [], 'the name matches the glob; `name matches pattern` means the same'),
  fn('any_match', [{ name: 'names', type: SET }, { name: 'pattern', type: STRING, literal: 'glob' }], BOOL, [], 'at least one name in the set matches the glob (false for an empty set)'),
  fn('all_match', [{ name: 'names', type: SET }, { name: 'pattern', type: STRING, literal: 'glob' }], BOOL, [], 'every name in the set matches the glob (true for an empty set)'),
  fn('label', [{ name: 'label', type: STRING }], BOOL, ['labels'], '`labels contains label`'),
  fn('actor_kind', [{ name: 'kind', type: STRING, literal: 'actor_kind' }], BOOL, ['actor.kind'], `actor.kind == kind (${ACTOR_KINDS.join(' | ')})`),
  fn('in_group', [{ name: 'group', type: STRING }], BOOL, ['actor.groups'], '`actor.groups contains group`'),
  fn('size', [{ name: 'set', type: SET }], INT, [], 'number of elements of a set'),
  fn('starts_with', [{ name: 'text', type: STRING }, { name: 'prefix', type: STRING }], BOOL, [], 'text begins with prefix'),
  fn('ends_with', [{ name: 'text', type: STRING }, { name: 'suffix', type: STRING }], BOOL, [], 'text ends with suffix'),
  fn('concat', [{ name: 'left', type: STRING }, { name: 'right', type: STRING }], STRING, [], 'the two strings joined; `a + b` on strings means the same'),
  fn('str_contains', [{ name: 'text', type: STRING }, { name: 'part', type: STRING }], BOOL, [], 'part occurs in text; `text contains part` means the same'),
  fn('quorum', [{ name: 'group', type: STRING, literal: 'group' }, { name: 'at_least', type: INT }], BOOL, ['approvers', 'groups'], "at least `at_least` distinct members of the trust-graph group (written '@leads') approved the change; the rule key `quorum: { of: '@leads', at_least: 2 }` means the same"),
];

const BY_NAME: ReadonlyMap<string, Builtin> = new Map(BUILTINS.map((b) => [b.name, b]));

export function builtin(name: string): Builtin | undefined {
  return BY_NAME.get(name);
}

/** Source spellings that are operators in disguise (lowered by the checker). */
export const OPERATOR_FUNCTIONS = ['includes', 'contains', 'matches'] as const;
