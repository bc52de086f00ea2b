/**
 * Reading epoch anchors and a namespace's epoch context from git, for the
 * gate (src/push/epoch.ts) and the CLI (`gatos epoch`). Anchors are event
 * commits (src/events): verifying one is verifyEvent without a journal,
 * then reading its payload. Adapter (reads git).
 */
import { JOURNAL_PREFIX, STATE_PREFIX } from '../actors';
import { err, gateError, ok, type Result } from '../core/result';
import { readEnvelopeAt, verifyEvent, type VerifyMemo } from '../events';
import type { GitRepo } from '../git';
import { readResumePoint } from '../checkpoint/make';
import { parseTrailers, trailerValues } from '../trailers';
import { chainTip, epochSanity, type ChainLink, type EpochContext, type EpochSanityProblem } from '../gate/epoch';
import { ANCHOR_TYPE, EPOCH_PREFIX, readAnchorPayload, type Anchor } from './anchor';

export interface ReadAnchorOptions {
  /** Verify the anchor as an event (signature, form, its bundle, its signer's trust in that bundle) at `now`. */
  readonly verify?: { readonly now: number; readonly memo?: VerifyMemo };
}

/** The anchor at `commit`: an event of type gatos.epoch.anchor with a well-formed payload. */
export async function readAnchor(repo: GitRepo, commit: string, opts: ReadAnchorOptions = {}): Promise<Result<Anchor>> {
  let signer = '';
  let parent: string | null = null;
  if (opts.verify) {
    const v = await verifyEvent(repo, commit, undefined, { now: opts.verify.now, ...(opts.verify.memo ? { memo: opts.verify.memo } : {}) });
    if (!v.ok) return v;
    signer = v.value.signer;
    parent = v.value.parent ?? null;
  } else {
    const c = await repo.readCommit(commit);
    if (!c.ok) return err(gateError('NOT_FOUND', `${commit} is not a commit in this repository`));
    parent = c.value.parents[0] ?? null;
    signer = /\nSigner: (ed25519:[0-9a-f]{64})\n/.exec(c.value.message ?? '')?.[1] ?? '';
  }
  const e = await readEnvelopeAt(repo, commit);
  if (!e.ok) return e;
  const env = e.value.envelope;
  if (env.type !== ANCHOR_TYPE) return err(gateError('ENCODING_INVALID', `commit ${commit} is an event of type ${env.type}, not an epoch anchor (${ANCHOR_TYPE})`, { hint: 'write anchors with gatos epoch new' }));
  const p = readAnchorPayload(env.payload, env.ns);
  if (!p.ok) return err({ ...p.error, message: `anchor ${commit}: ${p.error.message}` });
  return ok({ ...p.value, commit, parent, epoch: env.ulid, ns: env.ns, actor: env.actor, signer, ts: env.ts, policyRoot: env.policy_root });
}

export interface RefAnchor {
  readonly ref: string;
  readonly anchor: Anchor;
}

/** Every anchor under refs/gatos/epoch/<ns>/ (not verified again: the gate verified each when it landed). */
export async function listAnchors(repo: GitRepo, ns: string): Promise<Result<RefAnchor[]>> {
  const refs = await repo.forEachRef([`${EPOCH_PREFIX}${ns}/`]);
  if (!refs.ok) return err(refs.error);
  const out: RefAnchor[] = [];
  for (const r of refs.value) {
    const a = await readAnchor(repo, r.id);
    if (!a.ok) return err({ ...a.error, message: `${r.ref}: ${a.error.message}` });
    out.push({ ref: r.ref, anchor: a.value });
  }
  return ok(out);
}

export function linkOf(r: RefAnchor): ChainLink {
  return { ref: r.ref, commit: r.anchor.commit, epoch: r.anchor.epoch, seq: r.anchor.seq, prev: r.anchor.prev };
}

/** A checkpoint's State-Root trailer and the ends of its window. */
export async function stateAt(repo: GitRepo, checkpoint: string): Promise<Result<{ stateRoot: string; ends: Map<string, string> }>> {
  const c = await repo.readCommit(checkpoint);
  if (!c.ok) return err(gateError('NOT_FOUND', `${checkpoint} is not a commit in this repository`));
  const roots = trailerValues(parseTrailers(c.value.message ?? ''), 'State-Root');
  const p = await readResumePoint(repo, checkpoint);
  if (!p.ok) return p;
  return ok({ stateRoot: roots.length === 1 ? (roots[0] as string) : '', ends: new Map(p.value.proof.window.map((w) => [w.journal, w.end])) });
}

/**
 * A namespace's epoch context: its anchors, journal heads and state, as the
 * server's refs overlaid with `pushed` (the new tips of a push; a zero id
 * deletes) would leave them, `without` the ref being checked.
 */
export async function epochContext(repo: GitRepo, ns: string, pushed: ReadonlyMap<string, string> = new Map(), without?: string): Promise<Result<EpochContext>> {
  const refs = await repo.forEachRef([`${JOURNAL_PREFIX}${ns}/`, `${STATE_PREFIX}${ns}`, `${EPOCH_PREFIX}${ns}/`]);
  if (!refs.ok) return err(refs.error);
  const tips = new Map(refs.value.map((r) => [r.ref, r.id]));
  for (const [ref, id] of pushed) {
    if (!ref.startsWith(`${JOURNAL_PREFIX}${ns}/`) && ref !== `${STATE_PREFIX}${ns}` && !ref.startsWith(`${EPOCH_PREFIX}${ns}/`)) continue;
    if (id === repo.zeroId) tips.delete(ref);
    else tips.set(ref, id);
  }
  const heads = new Map<string, string>();
  const anchors: ChainLink[] = [];
  let state: EpochContext['state'];
  for (const [ref, id] of [...tips].sort()) {
    if (ref === without) continue;
    if (ref.startsWith(JOURNAL_PREFIX)) heads.set(ref, id);
    else if (ref.startsWith(EPOCH_PREFIX)) {
      const a = await readAnchor(repo, id);
      if (!a.ok) return err({ ...a.error, message: `${ref}: ${a.error.message}` });
      anchors.push(linkOf({ ref, anchor: a.value }));
    } else {
      const s = await stateAt(repo, id);
      if (!s.ok) return s;
      state = { checkpoint: id, ...s.value };
    }
  }
  return ok({ anchors, heads, ...(state ? { state } : {}) });
}

/**
 * `epochSanity` of one namespace of a repository, for `gatos doctor`: its
 * anchors as links, and for the latest anchor (when the chain has one tip)
 * whether each journal it records and the state ref still descend from
 * what it recorded.
 */
export async function readEpochSanity(repo: GitRepo, ns: string): Promise<Result<EpochSanityProblem[]>> {
  const anchors = await listAnchors(repo, ns);
  if (!anchors.ok) return anchors;
  const links = anchors.value.map(linkOf);
  const tip = chainTip(links);
  const latest = anchors.value.find((r) => r.anchor.commit === tip?.commit)?.anchor;
  const descends = new Map<string, boolean>();
  if (latest) {
    const recorded: [string, string][] = [...latest.heads];
    if (latest.state) recorded.push([`${STATE_PREFIX}${ns}`, latest.state.checkpoint]);
    for (const [ref, id] of recorded) {
      const now = await repo.readRef(ref);
      if (!now.ok) return err(now.error);
      const a = now.value === undefined ? ok(false) : now.value === id ? ok(true) : await repo.isAncestor(id, now.value);
      descends.set(ref, a.ok && a.value);
    }
  }
  return ok(epochSanity(ns, links, descends));
}
