/**
 * What a ref's new tip may be. `git rev-list` yields no commit for a blob or
 * a tree and silently unwraps a tag, so a gate that only checks the listed
 * commits lets a blob squat a journal, a forged tree a state ref, or a tag
 * stand where a checkpoint must. Every ref therefore has declared tip shapes
 * (config.ts tipShapes: refs/gatos/** commits only; refs/tags/** a commit or
 * an annotated tag of a commit unless the operator says otherwise; every
 * other ref a commit unless configured), and an update whose tip has
 * another shape is refused (gate/object-type). A tag of a tag has no shape
 * at all. Pure.
 */
import { isZeroId } from '../core/object-id';
import type { Denial } from './decide';
import { tipShapes, type GateConfig, type TipShape } from './config';
import type { ObjectType, UpdateFacts } from './facts';
import type { RefClass } from './ref-class';
import { RULES } from './rules';

/** The shape of a tip from the types read: ['commit'] -> 'commit', ['tag', 'blob'] -> 'tag:blob'; a tag of a tag -> undefined. */
export function shapeOf(tip: readonly ObjectType[]): TipShape | undefined {
  if (tip.length === 1 && tip[0] !== 'tag') return tip[0];
  if (tip.length === 2 && tip[0] === 'tag' && tip[1] !== 'tag') return `tag:${tip[1] as 'commit' | 'tree' | 'blob'}`;
  return undefined;
}

function describe(tip: readonly ObjectType[]): string {
  if (tip.length === 0) return 'nothing git could name';
  if (tip.length === 1) return `a ${tip[0] as string}`;
  return tip[1] === 'tag' ? 'a tag of a tag' : `an annotated tag of a ${tip[1] as string}`;
}

/**
 * The tip-type denial of one update (deletes and no-ops have no tip), and
 * the guard that a listing of no commit is never read as "nothing to check":
 * on GATOS refs a new commit tip must arrive as the last commit checked.
 */
export function objectTypeDenials(facts: UpdateFacts, cls: RefClass, config: Pick<GateConfig, 'tipTypes'>): Omit<Denial, 'enforced'>[] {
  const u = facts.update;
  if (isZeroId(u.newId) || u.oldId === u.newId) return [];
  if (facts.tip === undefined) {
    // Only a failure to read explains a missing tip type, and that failure is reported by itself.
    if (facts.failure) return [];
    return [{ ref: u.ref, code: 'GATE_ERROR', ruleId: RULES.facts.id, reason: `the type of ${u.newId}, the new tip of ${u.ref}, was not read`, hint: RULES.facts.hint }];
  }
  const allowed = tipShapes(u.ref, config);
  const shape = shapeOf(facts.tip);
  if (shape === undefined || !allowed.shapes.includes(shape)) {
    const wants = allowed.shapes.map((s) => (s.startsWith('tag:') ? `an annotated tag of a ${s.slice(4)}` : `a ${s}`)).join(' or ');
    return [{ ref: u.ref, code: 'POLICY_DENY', ruleId: RULES.objectType.id, reason: `${u.newId} is ${describe(facts.tip)}; ${u.ref} takes ${wants} (${allowed.source})`, hint: RULES.objectType.hint }];
  }
  // An archive ref names a shard's accepted tip, no new commit: gate/bus-prune checks it is exactly that tip (decision 0039).
  const gated = cls.plane === 'journal' || cls.plane === 'state' || cls.plane === 'policy' || (cls.plane === 'bus' && cls.bus.kind !== 'archive');
  // A create or a fast-forward (a rewind is refused as one) must list the new tip as its last commit.
  const forward = isZeroId(u.oldId) || facts.fastForward;
  const last = facts.commits[facts.commits.length - 1];
  if (gated && shape === 'commit' && forward && !facts.failure && last?.id !== u.newId) {
    return [{ ref: u.ref, code: 'GATE_ERROR', ruleId: RULES.facts.id, reason: `the walk of ${u.ref} did not end at its new tip ${u.newId} (${facts.commits.length} commits listed): nothing would have been checked`, hint: RULES.facts.hint }];
  }
  return [];
}
