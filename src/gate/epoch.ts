/**
 * Epoch chains (docs/epochs.md): the pure checks behind `EPOCH_BROKEN`. A
 * namespace's anchors form one chain: the first has no predecessor, each
 * later one names the chain's last anchor (in its signed payload and as its
 * commit's parent) and numbers itself one higher. An anchor records the
 * journal heads and the state checkpoint on the server when it lands, so a
 * new epoch starts exactly where the old one ended; journals and the state
 * ref never move off what the latest anchor records. The adapter
 * (src/push/epoch.ts) reads git and hands the facts here; every check is a
 * function of them. Pure.
 */
import type { Anchor } from '../epoch/anchor';
import { authorize, type TrustSet } from '../trust';
import type { Denial } from './decide';
import { eventTimeProblem, type TimeBounds } from './event-time';
import type { Failure } from './facts';
import type { UpdateKind } from './ref-update';
import { RULES } from './rules';

export const EPOCH_RULE: string = RULES.epoch.id;
const HINT_NEW: string = RULES.epoch.hint;

/** One anchor of a chain, as the chain checks need it. */
export interface ChainLink {
  readonly ref: string;
  readonly commit: string;
  readonly epoch: string;
  readonly seq: number;
  readonly prev: string | null;
}

/** The server's side of one namespace, as the push would leave it apart from the anchor being checked. */
export interface EpochContext {
  /** The namespace's anchors already on the server (and others pushed alongside), any order. */
  readonly anchors: readonly ChainLink[];
  /** Every journal of the namespace and its head. */
  readonly heads: ReadonlyMap<string, string>;
  /** The state ref's checkpoint, its State-Root and the ends of its window, when the namespace has one. */
  readonly state?: { readonly checkpoint: string; readonly stateRoot: string; readonly ends: ReadonlyMap<string, string> };
}

/** A journal or state update in a namespace whose latest anchor records where it stood. */
export interface EpochCrossing {
  /** The latest anchor's ref. */
  readonly anchor: string;
  /** What the anchor recorded for this ref (a journal head, or the state checkpoint). */
  readonly recorded: string;
  /** Whether the update's new tip is `recorded` or descends from it. */
  readonly descends: boolean;
  /** State refs: whether the recorded checkpoint's State-Root is the one the anchor records. */
  readonly stateRootMatches?: boolean;
}

/** What the adapter learned about epochs for one update. */
export interface EpochFact {
  /** Epoch refs: the pushed anchor, or why it could not be read or verified. */
  readonly anchor?: { readonly ok: true; readonly anchor: Anchor } | ({ readonly ok: false } & Failure);
  /** Epoch refs: the namespace on the server. */
  readonly context?: EpochContext;
  /** Journal and state refs under an anchor. */
  readonly crossing?: EpochCrossing;
  /** Journal and state refs of a namespace with anchors: its latest anchor's number and time (the rgs `epoch` attribute). */
  readonly current?: { readonly seq: number; readonly start: number };
}

/** The rgs `epoch` attribute of an update's requests: `{ epoch: {seq, start} }`, or nothing where the namespace has no anchor. */
export function epochAttribute(fact: EpochFact | undefined): { epoch?: { seq: number; start: number } } {
  return fact?.current ? { epoch: { seq: fact.current.seq, start: fact.current.start } } : {};
}

/** The chain's last anchor: the one no other names as predecessor, when exactly one is. */
export function chainTip(links: readonly ChainLink[]): ChainLink | undefined {
  const named = new Set(links.map((l) => l.prev));
  const tips = links.filter((l) => !named.has(l.commit));
  return tips.length === 1 ? tips[0] : undefined;
}

function broken(reason: string, hint = HINT_NEW): Failure {
  return { code: 'EPOCH_BROKEN', ruleId: EPOCH_RULE, reason, hint };
}

function sameMap(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string | undefined {
  for (const [k, v] of b) if (a.get(k) !== v) return `${k} is at ${v} on the server, the anchor records ${a.get(k) ?? 'nothing'}`;
  for (const [k, v] of a) if (!b.has(k)) return `the anchor records ${k} at ${v}, which is no journal on the server`;
  return undefined;
}

/**
 * Every reason `anchor`, pushed to `ref` by an update of `kind`, breaks the
 * namespace's chain in `ctx`; `trust` is the active bundle's, `active` its
 * commit. Empty when the anchor extends the chain at its tip.
 */
export function anchorProblems(ref: string, kind: UpdateKind, anchor: Anchor, ctx: EpochContext, trust: TrustSet, active: string): Failure[] {
  const signer = authorize(trust, { actor: anchor.actor, key: anchor.signer, at: anchor.ts, ns: anchor.ns, caps: [] });
  const denied = signer.ok ? [] : [{ ...broken(`anchor ${anchor.commit} (${ref}): its signer: ${signer.reason}, by the active bundle's trust`, signer.hint), commit: anchor.commit }];
  return [...denied, ...chainProblems(ref, kind, anchor, ctx, active)];
}

/** anchorProblems without the signer's trust: the chain, the recorded heads and state, the ref and the bundle. */
export function chainProblems(ref: string, kind: UpdateKind, anchor: Anchor, ctx: EpochContext, active: string): Failure[] {
  const out: Failure[] = [];
  const at = `anchor ${anchor.commit} (${ref})`;
  if (kind !== 'create') out.push(broken(`${ref} already names an anchor: anchors never move (a ${kind === 'force' ? 'non-fast-forward' : kind} of an epoch ref)`, 'an epoch ref names one anchor for ever; start a new epoch with gatos epoch new instead'));
  if (!ref.endsWith(`/${anchor.ns}/${anchor.epoch}`)) out.push(broken(`${at} is epoch ${anchor.epoch} of namespace ${anchor.ns}, not the one its ref names`));
  if (anchor.policyRoot !== active) out.push({ ...broken(`${at} binds bundle ${anchor.policyRoot}, not the active bundle ${active}`, 'fetch refs/gatos/policies/active and create the anchor again'), commit: anchor.commit });
  if (anchor.parent !== anchor.prev) out.push({ ...broken(`${at}: its commit's parent ${anchor.parent ?? '(none)'} is not its payload's prev ${anchor.prev ?? '(none)'}`), commit: anchor.commit });
  const others = ctx.anchors.filter((l) => l.ref !== ref);
  const tip = chainTip(others);
  if (others.length > 0 && !tip) out.push(broken(`namespace ${anchor.ns} has no single last anchor on the server (${others.length} anchors, the chain is already forked or broken)`, 'ask the operator to repair the chain (gatos epoch compact --dry-run lists it)'));
  if (anchor.prev === null) {
    if (others.length > 0) out.push({ ...broken(`${at} starts a new chain (no previous anchor), but namespace ${anchor.ns} has ${others.length} already: a fork`), commit: anchor.commit });
  } else {
    const prev = others.find((l) => l.commit === anchor.prev);
    const rival = others.find((l) => l.prev === anchor.prev);
    if (!prev) out.push({ ...broken(`${at} names previous anchor ${anchor.prev}, which is no anchor of namespace ${anchor.ns} on the server (a missing link)`), commit: anchor.commit });
    else if (rival) out.push({ ...broken(`${at} claims predecessor ${prev.ref}, which ${rival.ref} already follows: a fork`), commit: anchor.commit });
    else {
      if (anchor.seq !== prev.seq + 1) out.push({ ...broken(`${at} numbers itself ${anchor.seq}, but follows ${prev.ref}, number ${prev.seq}`), commit: anchor.commit });
      if (anchor.epoch <= prev.epoch) out.push({ ...broken(`${at}: its epoch id ${anchor.epoch} is not after its predecessor's ${prev.epoch}`), commit: anchor.commit });
    }
  }
  const heads = sameMap(anchor.heads, ctx.heads);
  if (heads) out.push({ ...broken(`${at} does not record the journal heads on the server: ${heads}`, 'fetch, let the namespace settle, and create the anchor again with gatos epoch new'), commit: anchor.commit });
  const s = ctx.state;
  if (!s && anchor.state) out.push({ ...broken(`${at} records checkpoint ${anchor.state.checkpoint}, but refs/gatos/state/${anchor.ns} does not exist`), commit: anchor.commit });
  if (s && !anchor.state) out.push({ ...broken(`${at} records no state, but refs/gatos/state/${anchor.ns} is at ${s.checkpoint}`), commit: anchor.commit });
  if (s && anchor.state) {
    if (anchor.state.checkpoint !== s.checkpoint) out.push({ ...broken(`${at} records checkpoint ${anchor.state.checkpoint}, but refs/gatos/state/${anchor.ns} is at ${s.checkpoint}`), commit: anchor.commit });
    else if (anchor.state.stateRoot !== s.stateRoot) out.push({ ...broken(`${at} records State-Root ${anchor.state.stateRoot}, but checkpoint ${s.checkpoint} has ${s.stateRoot}`), commit: anchor.commit });
    const ends = sameMap(s.ends, anchor.heads);
    if (ends) out.push({ ...broken(`${at}: the checkpoint it records does not end at its heads (${ends.replace('on the server', 'in the anchor').replace('the anchor records', 'the checkpoint folded')})`, 'fold a checkpoint over the current heads (gatos fold checkpoint), push it, then create the anchor'), commit: anchor.commit });
  }
  return out;
}

/** The denial of a journal or state update that leaves what the latest anchor recorded. */
export function crossingProblem(ref: string, c: EpochCrossing): Failure | undefined {
  if (!c.descends) {
    const what = ref.startsWith('refs/gatos/state/') ? 'checkpoint' : 'journal head';
    return broken(`${ref} does not start from ${c.anchor}: its new tip does not descend from ${c.recorded}, the ${what} the anchor records (a rewrite across the epoch boundary)`, `an epoch starts where its anchor says: append to ${c.recorded} (fetch, rebase onto it) and push again`);
  }
  if (c.stateRootMatches === false) return broken(`${ref}: checkpoint ${c.recorded} no longer has the State-Root ${c.anchor} records`, 'ask the operator: the anchor or the checkpoint was changed after the fact');
  return undefined;
}

/** Every EPOCH_BROKEN failure of one update: pure, total, in a fixed order. */
export function epochFailures(ref: string, kind: UpdateKind, fact: EpochFact | undefined, trust: TrustSet, active: string): Failure[] {
  if (!fact || kind === 'noop') return [];
  const out: Failure[] = [];
  if (fact.anchor) {
    if (!fact.anchor.ok) out.push({ ...fact.anchor, code: 'EPOCH_BROKEN', ruleId: EPOCH_RULE, reason: `${ref}: not a verifiable anchor: ${fact.anchor.reason} (${fact.anchor.code})` });
    else if (fact.context) out.push(...anchorProblems(ref, kind, fact.anchor.anchor, fact.context, trust, active));
  }
  if (kind === 'delete' && !fact.crossing && ref.startsWith('refs/gatos/epoch/')) out.push(broken(`${ref} cannot be deleted: anchors are the chain (gatos epoch compact, on the server, removes only what no chain needs)`));
  if (fact.crossing) {
    const p = crossingProblem(ref, fact.crossing);
    if (p) out.push(p);
  }
  return out;
}

/**
 * A pushed anchor obeys the clock rule every event obeys (src/gate/event-time.ts):
 * its ts within the skew of the push, its ULID's time within the skew of its
 * ts. An anchor from a clock far ahead would otherwise end its chain: every
 * later anchor's epoch id (its ULID) must sort after it.
 */
export function anchorTimeDenials(ref: string, fact: EpochFact | undefined, now: number, bounds: TimeBounds): Omit<Denial, 'enforced'>[] {
  const a = fact?.anchor?.ok ? fact.anchor.anchor : undefined;
  const problem = a ? eventTimeProblem(a.ts, a.epoch, now, bounds) : undefined;
  return a && problem ? [{ ref, code: 'POLICY_DENY', ruleId: RULES.eventTime.id, commit: a.commit, reason: `anchor ${a.commit}: ${problem}`, hint: RULES.eventTime.hint }] : [];
}

/** One problem of a namespace's chain, for `gatos doctor`. */
export interface EpochSanityProblem {
  readonly ns: string;
  readonly ref?: string;
  readonly problem: string;
}

/**
 * The sanity of one namespace's epochs, for `gatos doctor`: the anchors form
 * one chain (one first, no fork, every predecessor present, numbers
 * consecutive), and the journals and the state ref still descend from what
 * the latest anchor records (`descends`: the adapter's answer per ref). Pure.
 */
export function epochSanity(ns: string, links: readonly ChainLink[], latestRecorded: ReadonlyMap<string, boolean> = new Map()): EpochSanityProblem[] {
  const out: EpochSanityProblem[] = [];
  const byCommit = new Map(links.map((l) => [l.commit, l]));
  const firsts = links.filter((l) => l.prev === null);
  if (links.length > 0 && firsts.length !== 1) out.push({ ns, problem: `${firsts.length} anchors start a chain; exactly one must` });
  const followers = new Map<string, ChainLink[]>();
  for (const l of [...links].sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0))) {
    if (l.prev === null) continue;
    const p = byCommit.get(l.prev);
    if (!p) out.push({ ns, ref: l.ref, problem: `its previous anchor ${l.prev} is missing` });
    else if (l.seq !== p.seq + 1) out.push({ ns, ref: l.ref, problem: `numbered ${l.seq} after ${p.ref}, number ${p.seq}` });
    const f = followers.get(l.prev) ?? [];
    f.push(l);
    followers.set(l.prev, f);
  }
  for (const [prev, f] of followers) if (f.length > 1) out.push({ ns, ref: byCommit.get(prev)?.ref ?? prev, problem: `forked: followed by ${f.map((l) => l.ref).join(' and ')}` });
  for (const [ref, descends] of [...latestRecorded].sort()) if (!descends) out.push({ ns, ref, problem: 'does not descend from what the latest anchor records' });
  return out;
}
