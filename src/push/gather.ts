/**
 * Gathering the facts of one ref update from the repository: the new tip's
 * type (before anything is walked: rev-list would unwrap a tag and list
 * nothing for a blob or a tree), ancestry, the commits to check (the whole
 * old..new range on fast-forward-only refs, so a commit parked first on an
 * unprotected branch cannot slip in; else the commits new to the
 * repository), their paths (against every parent of a merge), every new
 * object's size when a limit is set, and the verification of every new
 * event, checkpoint and bundle. The decision itself is pure (src/gate).
 * Adapter.
 */
import { isBundleId, POLICIES_PREFIX } from '../actors';
import { err, ok, type GateError, type Result } from '../core/result';
import { readEnvelopeAt, readEventFile, verifyEvent, type EventFileRead, type VerifyMemo } from '../events';
import { classifyRef, type CheckFact, type CommitFact, type EventFact, type Failure, type GateConfig, type ObjectFact, type RefUpdate, type UpdateFacts } from '../gate';
import type { PushedEvent } from '../gate/facts';
import { isObjectId, type Commit, type GitError, type GitRepo, type ObjectType } from '../git';
import { gitError } from '../git/errors';
import { bundleAt, type GateBundle } from './active-bundle';
import { verifyCheckpoints } from './checkpoints';
import { epochFacts } from './epoch';
import { gatherBus } from './bus';
import { BUS_ARCHIVE_PREFIX } from '../gate/bus-prune';
import { HeapBound } from './heap-bound';
import { newObjects } from './new-objects';
import { govFactsOf } from './gov';
import type { EventWorkers } from './event-pool';
import type { SignatureCheck } from './sig-pool';
import type { Trace } from './trace';
import type { Meter } from './watchdog';
import { verifyProofCommits } from './proofs';
import { repoNameFor } from './repo-name';
import { sessionFactsOf } from './session';

/**
 * Events verified at a time, so git's cat-file and the signature thread stay
 * busy. Fewer in flight leave less for each scavenge to copy and promote
 * (decision 0045: 128 against 256 cut the forced full collections of a
 * 100,000-event push from 12-15 to 7-8; 64 left the reads waiting).
 */
const PIPELINE = 128;
/**
 * Objects asked of git's cat-file in one write: few writes (each small one
 * cost a system call and a conversion) yet a bounded amount held at once.
 */
const READ_BLOCK = 512;

function failure(e: GateError, commit?: string): Failure {
  return { code: e.code, reason: e.message, ...(e.hint ? { hint: e.hint } : {}), ...(commit ? { commit } : {}) };
}

/**
 * `f` over every item, at most PIPELINE at a time, results in item order. A
 * new item starts as soon as any finishes (no waiting for a whole chunk), so
 * the slowest check of a chunk, often a signature on the other thread, never
 * idles this one.
 */
async function pipelined<T, R>(items: readonly T[], f: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PIPELINE, items.length) }, lane));
  return out;
}

/**
 * Paths each commit changes, from one `git diff-tree --stdin` for all of
 * them. A merge's paths are the union of its diffs against every parent
 * (`-m`): what the merge brings relative to any parent, so a file that only
 * the merge's own tree adds (an "evil merge") is seen; without `-m` git
 * prints no path for a merge at all. `--raw` output tells an entry (`:` and
 * its modes, then the path) from a commit header (the bare id, repeated once
 * per parent of a merge) whatever a path is named; every commit asked must
 * come back (`--always`), or the answer is refused.
 */
async function changedPaths(repo: GitRepo, ids: readonly string[]): Promise<Result<Map<string, string[]>, GateError>> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return ok(out);
  const args = ['diff-tree', '--stdin', '-r', '-m', '--raw', '--root', '--always', '--no-renames', '-z'];
  const r = await repo.run(args, { input: `${ids.join('\n')}\n` });
  if (!r.ok) return err(r.error);
  const tokens = r.value.stdout.toString('utf8').split('\0');
  let i = 0;
  let current: string[] | undefined;
  let currentId: string | undefined;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k] as string;
    if (t === '' && k === tokens.length - 1) break;
    if (t.startsWith(':')) {
      const p = tokens[++k];
      if (!current || p === undefined) return err(gitError('malformed', args, `an entry without a commit or a path: ${JSON.stringify(t.slice(0, 120))}`));
      current.push(p);
    } else if (t === currentId) {
      // The same merge against its next parent.
    } else if (t === ids[i]) {
      currentId = t;
      current = [];
      out.set(t, current);
      i++;
    } else {
      return err(gitError('malformed', args, `expected the commit ${ids[i] ?? '(none)'}, got ${JSON.stringify(t.slice(0, 120))}`));
    }
  }
  if (i !== ids.length) return err(gitError('malformed', args, `${ids.length - i} of ${ids.length} commits were not listed`));
  for (const [id, paths] of out) out.set(id, [...new Set(paths)]);
  return ok(out);
}

/**
 * What a new tip is: its type and, for an annotated tag, its target's type,
 * read from the tag's own header and checked against the target itself
 * (a tag that lies about its target's type is unreadable, so refused).
 * Reading stops at a tag whose target is a tag: no ref takes that. Two or
 * three requests on the long-lived cat-file, no process of its own.
 */
async function tipTypes(repo: GitRepo, id: string): Promise<Result<ObjectType[], GateError>> {
  const info = await repo.objectInfo(id);
  if (!info.ok) return err(info.error);
  if (info.value.type !== 'tag') return ok([info.value.type]);
  const tag = await repo.readObject(id);
  if (!tag.ok) return err(tag.error);
  const head = Buffer.from(tag.value.data.subarray(0, 512)).toString('latin1');
  const m = /^object ([0-9a-f]+)\ntype (commit|tree|blob|tag)\n/.exec(head);
  const args = ['cat-file', 'tag', id];
  if (!m || !isObjectId(repo.format, m[1] as string)) return err(gitError('malformed', args, `tag ${id} does not start with 'object <id>' and 'type <type>' lines`));
  const target = await repo.objectInfo(m[1] as string);
  if (!target.ok) return err(target.error);
  if (target.value.type !== m[2]) return err(gitError('malformed', args, `tag ${id} says its target ${m[1] as string} is a ${m[2] as string}, but it is a ${target.value.type}`));
  return ok(['tag', target.value.type]);
}

async function readCommits(repo: GitRepo, ids: readonly string[]): Promise<Result<Commit[], GateError>> {
  const reader = new AheadReader(repo, ids, false);
  const out: Commit[] = [];
  for (let i = 0; i < ids.length; i++) {
    const c = await reader.commit(i);
    if (!c.ok) return err(c.error);
    out.push(c.value);
  }
  return ok(out);
}

/** ULIDs along the pushed window must increase past the old tip's. */
async function checkUlids(repo: GitRepo, u: RefUpdate, events: EventFact[]): Promise<EventFact[]> {
  let last: string | undefined;
  if (u.oldId !== repo.zeroId) {
    const tip = await readEnvelopeAt(repo, u.oldId);
    // Fail closed: an old tip whose envelope cannot be read (a tag, a non-event commit, git failing) leaves nothing to compare with,
    // and skipping the comparison would accept a replayed ULID. Every event of the update is refused instead.
    if (!tip.ok) {
      const gitFailed = tip.error.code === 'GIT_ERROR';
      const reason = `the journal's tip ${u.oldId} cannot be read as an event (${tip.error.message}), so the ULID order of the pushed events cannot be checked`;
      const hint = gitFailed ? 'push again, and tell the operator if it persists' : 'the journal ref must hold an event commit; ask the operator to repair the ref (git update-ref) to its last event';
      return events.map((e) => (e.ok ? { ok: false, code: gitFailed ? 'GATE_ERROR' : 'PROOF_INVALID', reason: `event ${e.event.commit}: ${reason}`, hint, commit: e.event.commit } : e));
    }
    last = tip.value.envelope.ulid;
  }
  return events.map((e) => {
    if (!e.ok) return e;
    if (last !== undefined && e.event.ulid <= last) {
      const f: EventFact = { ok: false, code: 'DUP_COMMIT', reason: `event ${e.event.commit}: its ULID ${e.event.ulid} is not after ${last}, the ULID before it on the journal (a replayed or duplicated event)`, hint: 'each event needs a new ULID greater than the journal tip\'s: append it again with gatos event add', commit: e.event.commit };
      return f;
    }
    last = e.event.ulid;
    return e;
  });
}

/**
 * Commits, and on journals each commit's event.cbor (by path, so it needs
 * no tree id first), asked of git a block at a time ahead of whoever needs
 * them: verification starts with the first block instead of after the last
 * commit is read. Each read is handed out once.
 */
class AheadReader {
  private readonly commits = new Map<number, Promise<Result<Commit, GateError>>>();
  private readonly files = new Map<number, EventFileRead>();

  constructor(
    private readonly repo: GitRepo,
    private readonly ids: readonly string[],
    private readonly withFiles: boolean,
  ) {}

  commit(i: number): Promise<Result<Commit, GitError>> {
    this.ask(i);
    const c = this.commits.get(i) as Promise<Result<Commit, GitError>>;
    this.commits.delete(i);
    return c;
  }

  file(i: number): EventFileRead {
    this.ask(i);
    const f = this.files.get(i) as EventFileRead;
    this.files.delete(i);
    return f;
  }

  private ask(i: number): void {
    if (this.commits.has(i) || this.files.has(i)) return;
    for (let j = i; j < Math.min(this.ids.length, i + READ_BLOCK); j++) {
      const id = this.ids[j] as string;
      this.commits.set(j, this.repo.readCommit(id));
      if (this.withFiles) this.files.set(j, readEventFile(this.repo, id));
    }
  }
}

/** A journal commit's one path: one array for every commit fact (a 100,000-event push would hold 100,000 copies). */
const JOURNAL_PATHS: readonly string[] = Object.freeze(['event.cbor']);

function commitFact(c: Commit, paths: readonly string[]): CommitFact {
  return { id: c.id, parents: c.parents.length, paths, signed: c.extraHeaders.some((h) => h.key === 'gpgsig' || h.key === 'gpgsig-sha256') };
}

/**
 * One string for each distinct value a push's event facts repeat (type,
 * actor, namespace, signer, capabilities): each decoded envelope carries its
 * own copies, and a push's facts are held until the decision. Per update,
 * never shared between pushes.
 */
class Interned {
  private readonly strings = new Map<string, string>();
  private readonly lists = new Map<string, readonly string[]>();

  string(v: string): string {
    const have = this.strings.get(v);
    if (have !== undefined) return have;
    this.strings.set(v, v);
    return v;
  }

  list(v: readonly string[]): readonly string[] {
    const key = JSON.stringify(v);
    let have = this.lists.get(key);
    if (have === undefined) {
      have = v.map((x) => this.string(x));
      this.lists.set(key, have);
    }
    return have;
  }
}

/** Below this many events a second thread costs more to start than it saves. */
const POOL_MIN_EVENTS = 200;

/** What checking a run of events needs besides the repository: the same on the main thread and on an event worker (event-pool.ts). */
export interface EventCheck {
  readonly ref: string;
  readonly active: Pick<GateBundle, 'commit' | 'loaded'>;
  readonly memo: VerifyMemo;
  readonly now: number;
  readonly remember: boolean;
  readonly checkSignature?: SignatureCheck;
  readonly meter?: Meter;
  readonly heap?: HeapBound;
}

/** Each event's commit fact and event fact by index, and the git error of each commit that could not be read. */
export interface CheckedEvents {
  readonly commits: CommitFact[];
  readonly events: EventFact[];
  readonly unreadable: (GitError | undefined)[];
}

/**
 * Reads and checks the events `ids` name, oldest first: everything about an
 * event that needs no other event of the update (checkUlids does the
 * order). Each commit's fact comes back too, taken as the commit is
 * verified: the commit itself is not kept, so a push's memory grows by its
 * facts only (decision 0027).
 */
export async function checkEvents(repo: GitRepo, ids: readonly string[], c: EventCheck): Promise<CheckedEvents> {
  const { active, memo, now, remember, checkSignature, meter, heap } = c;
  // Bus messages and acks are events too (src/push/bus.ts); only a journal binds actor and namespace to its ref.
  const isJournal = classifyRef(c.ref).plane === 'journal';
  const lineage = new Map<string, boolean>();
  const inLineage = async (root: string): Promise<boolean> => {
    let v = lineage.get(root);
    if (v === undefined) {
      const r = root === active.commit ? ok(true) : await repo.isAncestor(root, active.commit);
      v = r.ok && r.value;
      lineage.set(root, v);
    }
    return v;
  };
  const reader = new AheadReader(repo, ids, true);
  const commits: CommitFact[] = new Array<CommitFact>(ids.length);
  const interned = new Interned();
  const unreadable: (GitError | undefined)[] = [];
  const events = await pipelined(ids, async (id, i): Promise<EventFact> => {
    const file = reader.file(i);
    const read = await reader.commit(i);
    if (!read.ok) {
      unreadable[i] = read.error;
      return { ok: false, ...failure(read.error, id) };
    }
    const cm = read.value;
    commits[i] = commitFact(cm, JOURNAL_PATHS);
    const v = await verifyEvent(repo, cm.id, isJournal ? c.ref : undefined, { now, commit: cm, file, folds: active.loaded, memo, rememberEnvelope: remember, ...(checkSignature ? { checkSignature } : {}) });
    meter?.checked(1, 'events');
    heap?.tick();
    if (!v.ok) return { ok: false, ...failure(v.error, cm.id) };
    const e = v.value.encoded.envelope;
    // The event's own bundle checked its signature and signer; the active bundle decides whether that bundle
    // still counts (here: it is the active bundle or one before it) and whether its signer and grants still do (src/gate/authority.ts).
    if (!(await inLineage(e.policy_root))) {
      return { ok: false, code: 'PROOF_INVALID', reason: `event ${cm.id} binds policy bundle ${e.policy_root}, which is not the active bundle ${active.commit} or one before it`, hint: 'write events against the active bundle: fetch refs/gatos/policies/active', commit: cm.id };
    }
    return { ok: true, event: internedEvent(interned, { commit: cm.id, type: e.type, ulid: e.ulid, actor: e.actor, ns: e.ns, signer: v.value.signer, ts: e.ts, caps: e.caps }) };
  });
  return { commits, events, unreadable };
}

function internedEvent(interned: Interned, e: PushedEvent): PushedEvent {
  return { commit: e.commit, type: interned.string(e.type), ulid: e.ulid, actor: interned.string(e.actor), ns: interned.string(e.ns), signer: interned.string(e.signer), ts: e.ts, caps: interned.list(e.caps) };
}

/**
 * Reads and verifies the events `ids` name, oldest first: on worker threads
 * (event-pool.ts) when the push brings enough of them and no checkpoint or
 * bus fact reads their envelopes again in this push, else on this thread.
 * A commit git could not read ends the whole update, so no decision rests
 * on part of its events. `remember`: keep the verified envelopes in the
 * memo for a checkpoint pushed alongside.
 */
async function verifyEvents(repo: GitRepo, u: RefUpdate, ids: readonly string[], active: GateBundle, memo: VerifyMemo, now: number, remember: boolean, signatures?: SignatureCheck, meter?: Meter, trace?: Trace, workers?: EventWorkers): Promise<Result<{ commits: CommitFact[]; events: EventFact[] }, GateError>> {
  const heap = ids.length >= POOL_MIN_EVENTS ? HeapBound.start() : undefined;
  let checked: CheckedEvents;
  if (workers && !remember && ids.length >= workers.minEvents) {
    const interned = new Interned();
    checked = await workers.verify({ ref: u.ref, now, activeCommit: active.commit, ids }, (events, n) => {
      // Facts arrive as copies: one string per repeated value again, as on this thread.
      for (let k = 0; k < events.length; k++) {
        const e = events[k] as EventFact;
        if (e.ok) events[k] = { ok: true, event: internedEvent(interned, e.event) };
      }
      meter?.checked(n, 'events');
      heap?.tick(n);
    });
    trace?.note(`${ids.length} events verified on ${workers.threads} worker threads`);
  } else {
    const checkSignature = signatures && ids.length >= POOL_MIN_EVENTS ? signatures : undefined;
    checked = await checkEvents(repo, ids, { ref: u.ref, active, memo, now, remember, ...(checkSignature ? { checkSignature } : {}), ...(meter ? { meter } : {}), ...(heap ? { heap } : {}) });
  }
  if (heap) trace?.note(`${heap.collections} full collections (${heap.collectMs.toFixed(0)} ms) when the heap outside the young generation passed ${heap.boundMb} MB, or ${heap.headroomMb} MB over what the last one left (decisions 0027, 0041, 0045)`);
  // The first unreadable commit in order, as reading them all first would have reported.
  const first = checked.unreadable.find((e) => e !== undefined);
  if (first) return err(first);
  return ok({ commits: checked.commits, events: await checkUlids(repo, u, checked.events) });
}

async function checkBundle(repo: GitRepo, u: RefUpdate, memo: VerifyMemo): Promise<CheckFact> {
  const b = await bundleAt(repo, u.newId, memo);
  if (!b.ok) return { ok: false, code: b.error.code === 'GIT_ERROR' ? 'GATE_ERROR' : 'PROOF_INVALID', reason: b.error.message, ...(b.error.hint ? { hint: b.error.hint } : {}), commit: u.newId };
  const id = u.ref.slice(POLICIES_PREFIX.length);
  if (isBundleId(id) && id !== b.value.loaded.id) {
    return { ok: false, code: 'PROOF_INVALID', reason: `${u.ref} must name bundle ${id}, but ${u.newId} holds bundle ${b.value.loaded.id}`, hint: 'publish with gatos policy publish, which names each bundle ref by its id', commit: u.newId };
  }
  return { ok: true, detail: `bundle ${b.value.loaded.id} loads` };
}

/** `pushed`: the new tips of every ref in the same push (a checkpoint may fold journal events pushed alongside it). */
/** An update's ancestry and the commits to check: what git alone answers, before the active bundle is needed. */
export interface Walk {
  readonly fastForward: boolean;
  /** The commits to check, oldest first; absent when there are none (a delete, no change, a tip that is no commit nor a tag of one) or on failure. */
  readonly ids?: readonly string[];
  /** The new tip's type chain (tipTypes); absent for deletes and no-ops, or on failure. */
  readonly tip?: readonly ObjectType[];
  readonly failure?: Failure;
}

/** Walks one update (needs only git and the settings, so it can run while the active bundle loads). */
export async function walkUpdate(repo: GitRepo, u: RefUpdate, config: GateConfig): Promise<Walk> {
  const zero = repo.zeroId;
  let tip: ObjectType[] | undefined;
  if (u.newId !== zero && u.oldId !== u.newId) {
    // Type before meaning: rev-list would list nothing for a blob or a tree and unwrap a tag.
    const t = await tipTypes(repo, u.newId);
    if (!t.ok) return { fastForward: false, failure: failure(t.error) };
    tip = t.value;
    // No history under a blob, a tree or a tag of one: the tip's type refuses it (gate/object-type), its objects are still counted.
    if (tip[tip.length - 1] !== 'commit') return { fastForward: false, tip };
  }
  let fastForward = false;
  /** old..new, oldest first, when old sits on new's linear history (every journal push): found by walking the window only. */
  let linear: string[] | undefined;
  if (u.oldId !== zero && u.newId !== zero && u.oldId !== u.newId) {
    const l = await repo.linearRange(u.oldId, u.newId);
    if (l.ok && l.value?.ancestor) {
      fastForward = true;
      linear = l.value.ids;
    } else {
      const a = await repo.isAncestor(u.oldId, u.newId);
      if (!a.ok) return { fastForward: false, failure: failure(a.error) };
      fastForward = a.value;
    }
  }
  if (u.newId === zero || u.oldId === u.newId || !tip) return { fastForward };
  // An archive ref names a shard's accepted tip (decision 0039): only what is new is read, never the shard's whole history again.
  const protectedRef = config.isFfOnly(u.ref) && !u.ref.startsWith(BUS_ARCHIVE_PREFIX);
  const ids = protectedRef ? (linear ? ok(linear) : await repo.range(u.oldId, u.newId, 'reverse-topo')) : await repo.newCommits([u.newId], 'reverse-topo');
  if (!ids.ok) return { fastForward, tip, failure: failure(ids.error) };
  return { fastForward, tip, ids: ids.value };
}

/**
 * The facts of one update. `walk` is walkUpdate's answer for this update
 * when the caller started it early; without it the walk happens here.
 */
export async function gatherFacts(repo: GitRepo, u: RefUpdate, active: GateBundle, memo: VerifyMemo, config: GateConfig, now: number, pushed: ReadonlyMap<string, string> = new Map(), trace?: Trace, signatures?: SignatureCheck, walk?: Promise<Walk>, meter?: Meter, workers?: EventWorkers): Promise<UpdateFacts> {
  const cls = classifyRef(u.ref);
  const w = await (walk ?? walkUpdate(repo, u, config));
  const fastForward = w.fastForward;
  const empty = { update: u, fastForward, commits: [], events: [], checkpoints: [], ...(w.tip ? { tip: w.tip } : {}), ...(await epochFacts(repo, u, cls, memo, now, pushed)) };
  if (w.failure) return { ...empty, failure: w.failure };
  // Sizes cost a walk over every new object: only when a limit is set. Every new object counts, whatever reaches it.
  const counted = async (): Promise<{ objects?: ObjectFact[]; failure?: Failure }> => {
    if (config.maxObjectBytes === undefined || u.newId === repo.zeroId || u.oldId === u.newId) return {};
    const o = await newObjects(repo, [u.newId]);
    return o.ok ? { objects: o.value } : { failure: failure(o.error) };
  };
  const ids = w.ids;
  if (!ids) return { ...empty, ...(await counted()) };
  trace?.mark(`list ${ids.length} commits of ${u.ref}`);
  // Journals, and bus messages and acks (events too): commits and event files are read ahead of verification, which starts with the first of them.
  const eventChain = cls.plane === 'journal' || (cls.plane === 'bus' && cls.bus.kind !== 'config');
  if (eventChain) {
    // The verified envelopes are kept only for what reads them again in this push: a checkpoint pushed alongside, or the bus's facts.
    const remember = cls.plane === 'bus' || [...pushed.keys()].some((r) => classifyRef(r).plane === 'state');
    const read = await verifyEvents(repo, u, ids, active, memo, now, remember, signatures, meter, trace, workers);
    trace?.mark(`read and verify ${ids.length} events`);
    if (!read.ok) return { ...empty, failure: failure(read.error) };
    const verified = { ...empty, commits: read.value.commits, events: read.value.events, ...(await counted()) };
    if (cls.plane !== 'bus') return verified;
    // A message's bus facts need its commit itself (its CID): read again, for bus refs only.
    const commits = await readCommits(repo, ids);
    if (!commits.ok) return { ...empty, failure: failure(commits.error) };
    return { ...verified, ...(await gatherBus(repo, u, cls.bus, commits.value, read.value.events, memo, pushed)) };
  }
  const commits = await readCommits(repo, ids);
  trace?.mark('read the commits');
  if (!commits.ok) return { ...empty, failure: failure(commits.error) };
  const paths = await changedPaths(repo, ids);
  if (!paths.ok) return { ...empty, failure: failure(paths.error) };
  meter?.checked(ids.length, 'commits');
  const commitFacts = commits.value.map((c) => commitFact(c, paths.value.get(c.id) ?? []));
  trace?.mark('changed paths');
  const events: EventFact[] = [];
  const checkpoints = cls.plane === 'state' ? await verifyCheckpoints(repo, u, cls.ns, commits.value, active, memo, pushed) : [];
  if (cls.plane === 'state') trace?.mark(`verify ${checkpoints.length} checkpoints`);
  const bundle = cls.plane === 'policy' ? await checkBundle(repo, u, memo) : undefined;
  const sizes = await counted();
  const bus = cls.plane === 'bus' ? await gatherBus(repo, u, cls.bus, commits.value, events, memo, pushed) : {};
  const proofs = cls.plane === 'proofs' ? await verifyProofCommits(repo, cls.ns, commits.value, active, memo, pushed, repoNameFor(repo, config)) : undefined;
  return { ...empty, commits: commitFacts, events, checkpoints, ...(bundle ? { bundle } : {}), ...sizes, ...bus, ...(proofs ? { proofs } : {}), ...(await govFactsOf(repo, u, cls, pushed)), ...(await sessionFactsOf(repo, cls, commits.value, active, pushed)) };
}
