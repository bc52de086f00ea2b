/**
 * The bus from a client's side (docs/bus.md): writing topic configs,
 * publishing messages onto the shards their key belongs on (both maps'
 * during a reshard, the same bytes on each), reading a topic as a
 * subscriber (every live shard, deduped by (topic, ULID) against what was
 * delivered and acked before) and writing acks. Works on the local clone's
 * refs, fetched from and pushed to the gated repository with plain git.
 * Every object is built with the producer's own code (src/events), so the
 * gate verifies exactly what is written here. Adapter (git, objects).
 */
import { canonicalJson } from '../canon/jcs';
import { nextUlid } from '../canon/ulid';
import { err, gateError, ok, type GateError, type Result } from '../core/result';
import { actorIdentity, parseActor } from '../actors';
import { loadBundle } from '../bundle/load';
import { activeBundle } from '../bundle/publish';
import { buildEventCommit } from '../events/commit';
import { encodeEnvelope } from '../events/envelope';
import { readEnvelopeAt } from '../events/read';
import { ACK_TYPE, TOPIC_FILE, ackRef, configRef, configTransition, dedupeMessages, liveShards, messageRef, placement, publishCap, readAckPayload, readMessagePayload, subscribeCap, topicConfigJson, type TopicConfig, type TopicState } from '../gate/bus';
import { PRUNE_TYPE } from '../gate/bus-prune';
import { SEGMENT_TYPE, rotationDue, summarize, type SegmentSummary } from '../gate/bus-segment';
import type { Failure } from '../gate/facts';
import type { GitRepo } from '../git';
import type { ActorKey } from '../keys';
import { readWindow, shardLag, topicState } from '../push/bus';
import { commitData, makeObject, treeData } from '../workspace/git-objects';
import { ObjectBatch } from '../workspace/object-batch';

function fromFailure(f: Failure): GateError {
  return gateError(f.code, f.reason, f.hint ? { hint: f.hint } : {});
}

export async function localState(repo: GitRepo, topic: string): Promise<Result<TopicState | undefined>> {
  const s = await topicState(repo, topic);
  return s.ok ? ok(s.value) : err(fromFailure(s.error));
}

async function requireState(repo: GitRepo, topic: string): Promise<Result<TopicState>> {
  const s = await localState(repo, topic);
  if (!s.ok) return s;
  if (!s.value) return err(gateError('NOT_FOUND', `topic ${topic} has no config (${configRef(topic)})`, { hint: `fetch refs/gatos/mbus-config/*, or create it: gatos bus reshard ${topic} --shards <n>` }));
  return ok(s.value);
}

export interface ReshardSpec {
  readonly topic: string;
  readonly shards?: number;
  readonly flip?: boolean;
  readonly subscribers?: readonly string[];
  readonly ackWindowS?: number | null;
  /** The segment policy: rotate a shard once its open segment holds this many messages / bytes; null removes it. */
  readonly segmentMessages?: number | null;
  readonly segmentBytes?: number | null;
  /** Retention: a shard may be pruned once it holds this many sealed segments; null removes it. */
  readonly pruneSegments?: number | null;
  readonly actor: string;
  readonly ts: number;
}

/** Appends the next config to the topic's config ref: create, reshard (a new version opening a window), flip, or a settings change. */
export async function reshard(repo: GitRepo, spec: ReshardSpec): Promise<Result<{ ref: string; commit: string; config: TopicConfig; transition: string }>> {
  const ref = configRef(spec.topic);
  const tip = await repo.readRef(ref);
  if (!tip.ok) return err(tip.error);
  const cur = tip.value ? await localState(repo, spec.topic) : ok(undefined);
  if (!cur.ok) return cur;
  const prev = cur.value?.config;
  const base: TopicConfig = prev ?? { version: 1, shards: spec.shards ?? 1, hash: 'blake3', strategy: 'consistent', from_version: 0, migrate: 'done', subscribers: [] };
  let next: TopicConfig = { ...base };
  if (prev && spec.shards !== undefined && spec.shards !== prev.shards) next = { ...prev, version: prev.version + 1, shards: spec.shards, from_version: prev.version, migrate: 'dual-write' };
  if (spec.flip) next = { ...next, migrate: 'done' };
  if (spec.subscribers) next = { ...next, subscribers: [...new Set(spec.subscribers)].sort() };
  if (spec.ackWindowS === null) {
    const { ack_window_s: _drop, ...rest } = next;
    void _drop;
    next = rest;
  } else if (spec.ackWindowS !== undefined) next = { ...next, ack_window_s: spec.ackWindowS };
  if (spec.segmentMessages === null) {
    const { segment_messages: _drop, ...rest } = next;
    void _drop;
    next = rest;
  } else if (spec.segmentMessages !== undefined) next = { ...next, segment_messages: spec.segmentMessages };
  if (spec.segmentBytes === null) {
    const { segment_bytes: _drop, ...rest } = next;
    void _drop;
    next = rest;
  } else if (spec.segmentBytes !== undefined) next = { ...next, segment_bytes: spec.segmentBytes };
  if (spec.pruneSegments === null) {
    const { prune_segments: _drop, ...rest } = next;
    void _drop;
    next = rest;
  } else if (spec.pruneSegments !== undefined) next = { ...next, prune_segments: spec.pruneSegments };
  if (spec.flip && prev?.migrate !== 'dual-write') return err(gateError('USAGE', `${ref}: there is no dual-write window to flip (version ${prev?.version ?? 0} is ${prev ? 'done' : 'not created'})`, { hint: 'open one first: gatos bus reshard <topic> --shards <n>' }));
  if (prev && JSON.stringify(topicConfigJson(prev)) === JSON.stringify(topicConfigJson(next))) return err(gateError('USAGE', `${ref}: nothing to change`, { hint: 'name a new --shards, --flip, --subscribers, --ack-window, --segment-messages, --segment-bytes or --prune-segments' }));
  const t = configTransition(prev, next);
  if (!t.ok) return err(gateError('EPOCH_BROKEN', `${ref}: ${t.problem}`, { hint: 'see gatos bus status for the topic\'s map and window' }));
  const bytes = canonicalJson(topicConfigJson(next));
  if (!bytes.ok) return bytes;
  const a = parseActor(spec.actor);
  if (!a.ok) return a;
  const who = actorIdentity(a.value.id, spec.ts);
  const blob = makeObject(repo.format, 'blob', bytes.value);
  const tree = makeObject(repo.format, 'tree', treeData([{ name: TOPIC_FILE, mode: '100644', id: blob.id }]));
  const message = `bus ${spec.topic} ${t.value}: version ${next.version}, ${next.shards} shard${next.shards === 1 ? '' : 's'}, migrate ${next.migrate}\n`;
  const commit = makeObject(repo.format, 'commit', commitData({ tree: tree.id, parents: tip.value ? [tip.value] : [], author: who, committer: who, message }));
  const batch = new ObjectBatch(repo.format);
  batch.addAll([blob, tree, commit]);
  const w = await batch.write(repo);
  if (!w.ok) return w;
  const u = await repo.updateRefs([{ ref, newId: commit.id, expectedId: tip.value ?? repo.zeroId }], { message: `gatos bus reshard ${spec.topic}` });
  if (!u.ok) return u;
  return ok({ ref, commit: commit.id, config: next, transition: t.value });
}

/** The fold_root a bus event binds: the active bundle's first fold (messages are folded by no fold; the binding names the bundle's fold set). */
export async function binding(repo: GitRepo): Promise<Result<{ policyRoot: string; foldRoot: string }>> {
  const active = await activeBundle(repo);
  if (!active.ok) return active;
  if (!active.value) return err(gateError('NOT_FOUND', 'there is no active policy bundle (refs/gatos/policies/active)', { hint: 'fetch refs/gatos/policies/*' }));
  const b = await loadBundle(repo, active.value);
  if (!b.ok) return b;
  const first = b.value.manifest.folds[0];
  if (!first) return err(gateError('NOT_FOUND', `the active bundle ${active.value} has no fold, so a bus event has no fold_root to bind`, { hint: 'publish a bundle with at least one fold' }));
  return ok({ policyRoot: active.value, foldRoot: first.foldRoot });
}

async function lastUlid(repo: GitRepo, tips: readonly (string | undefined)[]): Promise<Result<string | undefined>> {
  let last: string | undefined;
  for (const t of tips) {
    if (!t) continue;
    const e = await readEnvelopeAt(repo, t);
    if (!e.ok) return e;
    if (last === undefined || e.value.envelope.ulid > last) last = e.value.envelope.ulid;
  }
  return ok(last);
}

/** One signed envelope appended to each of `refs` (the same bytes on each), all refs moved in one transaction. */
async function appendToRefs(repo: GitRepo, refs: readonly string[], key: ActorKey, spec: { type: string; ns: string; caps: string[]; payload: unknown; ts: number; random: () => Uint8Array; above?: readonly string[] }): Promise<Result<{ ulid: string; cid: string; commits: Record<string, string> }>> {
  const bind = await binding(repo);
  if (!bind.ok) return bind;
  return repo.retryOnConflict(async () => {
    const tips: (string | undefined)[] = [];
    for (const r of refs) {
      const t = await repo.readRef(r);
      if (!t.ok) return err(t.error);
      tips.push(t.value);
    }
    // `above`: other refs whose tip the ULID must pass too (a publish passes every live shard's, so it is above every summary's last ULID).
    const others: (string | undefined)[] = [];
    for (const r of spec.above ?? []) {
      if (refs.includes(r)) continue;
      const t = await repo.readRef(r);
      if (!t.ok) return err(t.error);
      others.push(t.value);
    }
    const last = await lastUlid(repo, [...tips, ...others]);
    if (!last.ok) return last;
    const ulid = nextUlid(spec.ts * 1000, spec.random(), last.value);
    if (!ulid.ok) return ulid;
    const enc = encodeEnvelope({ type: spec.type, ulid: ulid.value, actor: key.actor, ns: spec.ns, caps: [...new Set(spec.caps)].sort(), payload: spec.payload, policy_root: bind.value.policyRoot, fold_root: bind.value.foldRoot, sig_alg: 'ed25519', ts: spec.ts });
    if (!enc.ok) return enc;
    const batch = new ObjectBatch(repo.format);
    const commits: Record<string, string> = {};
    const swaps = [];
    for (let i = 0; i < refs.length; i++) {
      const built = buildEventCommit(repo.format, enc.value, key, tips[i]);
      if (!built.ok) return built;
      batch.addAll(built.value.objects);
      commits[refs[i] as string] = built.value.commit;
      swaps.push({ ref: refs[i] as string, newId: built.value.commit, expectedId: tips[i] ?? repo.zeroId });
    }
    const w = await batch.write(repo);
    if (!w.ok) return w;
    const u = await repo.updateRefs(swaps, { message: `gatos bus ${spec.type}` });
    if (!u.ok) return u;
    return ok({ ulid: ulid.value, cid: enc.value.cid, commits });
  });
}

export interface Published {
  readonly topic: string;
  readonly ulid: string;
  readonly event_cid: string;
  readonly map: number;
  /** Shard ref -> message commit (two during a window when the maps disagree). */
  readonly refs: Record<string, string>;
}

export async function publish(repo: GitRepo, topic: string, key: ActorKey, msg: { key: string; body: unknown; type: string; ts: number; random: () => Uint8Array }): Promise<Result<Published>> {
  if (msg.type === SEGMENT_TYPE) return err(gateError('USAGE', `the message type ${SEGMENT_TYPE} is reserved for segment summaries`, { hint: 'close a segment with gatos bus rotate; give a message another --type' }));
  if (msg.type === PRUNE_TYPE) return err(gateError('USAGE', `the message type ${PRUNE_TYPE} is reserved for prune roots`, { hint: 'prune with gatos bus prune; give a message another --type' }));
  const st = await requireState(repo, topic);
  if (!st.ok) return st;
  const shards = placement(st.value, msg.key);
  const refs = shards.map((s) => messageRef(topic, s));
  const payload = { key: msg.key, map: st.value.config.version, body: msg.body };
  const all = Array.from({ length: liveShards(st.value) }, (_, s) => messageRef(topic, s));
  const r = await appendToRefs(repo, refs, key, { type: msg.type, ns: topic, caps: [publishCap(topic)], payload, ts: msg.ts, random: msg.random, above: all });
  if (!r.ok) return r;
  return ok({ topic, ulid: r.value.ulid, event_cid: r.value.cid, map: st.value.config.version, refs: r.value.commits });
}

export interface Delivery {
  readonly topic: string;
  readonly ulid: string;
  readonly shard: number;
  readonly commit: string;
  readonly type: string;
  readonly actor: string;
  readonly key: string;
  readonly body: unknown;
}

async function ackTip(repo: GitRepo, topic: string, subscriber: string): Promise<Result<{ ref: string; tip?: string; offsets: ReadonlyMap<number, string> }>> {
  const ref = ackRef(topic, subscriber);
  if (!ref) return err(gateError('VALUE_INVALID', `${subscriber} is not an actor`, { hint: "e.g. 'user:bob' or 'agent:planner'" }));
  const t = await repo.readRef(ref);
  if (!t.ok) return err(t.error);
  if (!t.value) return ok({ ref, offsets: new Map() });
  const e = await readEnvelopeAt(repo, t.value);
  if (!e.ok) return e;
  const p = readAckPayload(e.value.envelope.payload);
  return ok({ ref, tip: t.value, offsets: p.ok ? p.value : new Map() });
}

/** The messages of one shard from its tip back to `stop` (exclusive), oldest first. */
async function shardWindow(repo: GitRepo, topic: string, shard: number, tip: string, stop: string | undefined, minUlid?: string): Promise<Result<Delivery[]>> {
  const out: Delivery[] = [];
  let id: string | undefined = tip;
  while (id && id !== stop) {
    const e = await readEnvelopeAt(repo, id);
    if (!e.ok) return e;
    const env = e.value.envelope;
    if (minUlid !== undefined && env.ulid < minUlid) break;
    const p = readMessagePayload(env.payload);
    // A segment summary, or a prune root, is no message: read on across it into the segment it closes.
    if (env.type !== SEGMENT_TYPE && env.type !== PRUNE_TYPE) out.push({ topic, ulid: env.ulid, shard, commit: id, type: env.type, actor: env.actor, key: p.ok ? p.value.key : '', body: p.ok ? p.value.body : null });
    const c = await repo.readCommit(id);
    if (!c.ok) return err(c.error);
    id = c.value.parents[0];
  }
  return ok(out.reverse());
}

export interface Subscription {
  readonly topic: string;
  readonly subscriber: string;
  /** New messages, once each, in ULID order. */
  readonly messages: readonly Delivery[];
  /** Per live shard, its tip as read: what `ack` records once these are consumed. */
  readonly offsets: Record<string, string>;
}

/**
 * What `subscriber` has not consumed yet: on every live shard (both maps'
 * during a window) the messages after its ack, deduped by (topic, ULID),
 * less those whose dual-write twin it consumed already on another shard.
 */
export async function subscribe(repo: GitRepo, topic: string, subscriber: string): Promise<Result<Subscription>> {
  const st = await requireState(repo, topic);
  if (!st.ok) return st;
  const acked = await ackTip(repo, topic, subscriber);
  if (!acked.ok) return acked;
  const fresh: Delivery[] = [];
  const offsets: Record<string, string> = {};
  const tips = new Map<number, string>();
  const n = liveShards(st.value);
  for (let s = 0; s < n; s++) {
    const t = await repo.readRef(messageRef(topic, s));
    if (!t.ok) return err(t.error);
    if (!t.value) continue;
    tips.set(s, t.value);
    offsets[String(s)] = t.value;
    const w = await shardWindow(repo, topic, s, t.value, acked.value.offsets.get(s));
    if (!w.ok) return w;
    fresh.push(...w.value);
  }
  const min = fresh.reduce<string | undefined>((m, d) => (m === undefined || d.ulid < m ? d.ulid : m), undefined);
  const consumed = new Set<string>();
  if (min !== undefined) {
    for (const [s, at] of acked.value.offsets) {
      if (!tips.has(s)) continue;
      const w = await shardWindow(repo, topic, s, at, undefined, min);
      if (!w.ok) return w;
      for (const d of w.value) consumed.add(d.ulid);
    }
  }
  const messages = dedupeMessages(fresh).filter((d) => !consumed.has(d.ulid));
  return ok({ topic, subscriber, messages, offsets });
}

/** Records `offsets` (shard -> last message consumed) as the subscriber's next ack, keeping every shard it acked before. */
export async function ack(repo: GitRepo, topic: string, key: ActorKey, offsets: Readonly<Record<string, string>>, ts: number, random: () => Uint8Array): Promise<Result<{ ref: string; commit: string; ulid: string; shards: Record<string, string> }>> {
  const prev = await ackTip(repo, topic, key.actor);
  if (!prev.ok) return prev;
  const shards: Record<string, string> = {};
  for (const [s, c] of prev.value.offsets) shards[String(s)] = c;
  for (const [s, c] of Object.entries(offsets)) shards[s] = c;
  const r = await appendToRefs(repo, [prev.value.ref], key, { type: ACK_TYPE, ns: topic, caps: [subscribeCap(topic)], payload: { shards }, ts, random });
  if (!r.ok) return r;
  return ok({ ref: prev.value.ref, commit: r.value.commits[prev.value.ref] as string, ulid: r.value.ulid, shards });
}

export interface TopicStatus {
  readonly topic: string;
  readonly config: TopicConfig;
  readonly window?: { readonly from: number; readonly to: number; readonly old_shards: number };
  readonly shards: Record<string, string | null>;
  readonly lag: readonly { subscriber: string; shard: number; unacked: number; oldest_ts?: number }[];
  /** Whether a flip would be accepted now: a window is open and no subscriber lags on the old map. */
  readonly can_flip: boolean;
  /** With a segment policy: per shard, its open segment (messages, bytes), its last summary, and whether a rotation would be accepted now. */
  readonly segments?: Record<string, { readonly open: number; readonly bytes: number; readonly last_summary: string | null; readonly can_rotate: boolean }>;
}

export async function status(repo: GitRepo, topic: string): Promise<Result<TopicStatus>> {
  const st = await requireState(repo, topic);
  if (!st.ok) return st;
  const shards: Record<string, string | null> = {};
  const n = liveShards(st.value);
  for (let s = 0; s < n; s++) {
    const t = await repo.readRef(messageRef(topic, s));
    if (!t.ok) return err(t.error);
    shards[String(s)] = t.value ?? null;
  }
  const lag: { subscriber: string; shard: number; unacked: number; oldest_ts?: number }[] = [];
  for (const sub of st.value.config.subscribers) {
    const a = await ackTip(repo, topic, sub);
    if (!a.ok) return a;
    for (let s = 0; s < n; s++) {
      const l = await shardLag(repo, topic, s, sub, a.value.offsets.get(s));
      if (!l.ok) return err(fromFailure(l.error));
      lag.push({ subscriber: sub, shard: s, unacked: l.value.unacked, ...(l.value.oldestTs !== undefined ? { oldest_ts: l.value.oldestTs } : {}) });
    }
  }
  const old = st.value.old;
  const canFlip = old !== undefined && lag.every((l) => l.shard >= old.shards || l.unacked === 0);
  const c = st.value.config;
  let segments: TopicStatus['segments'];
  if (c.segment_messages !== undefined || c.segment_bytes !== undefined) {
    // Each open segment read as the gate would rebuild it: one commit and one envelope per message.
    const out: Record<string, { open: number; bytes: number; last_summary: string | null; can_rotate: boolean }> = {};
    for (const [shard, tip] of Object.entries(shards)) {
      const w = await readWindow(repo, tip ?? undefined);
      if (!w.ok) return err(gateError('GIT_ERROR', `${messageRef(topic, Number(shard))}: ${w.error}`));
      const sum = summarize(w.value);
      const open = { count: sum?.count ?? 0, bytes: sum?.bytes ?? 0 };
      out[shard] = { open: open.count, bytes: open.bytes, last_summary: w.value.prev ?? null, can_rotate: sum !== undefined && !old && rotationDue(c, open) === undefined };
    }
    segments = out;
  }
  return ok({ topic, config: c, ...(old ? { window: { from: old.version, to: c.version, old_shards: old.shards } } : {}), shards, lag, can_flip: canFlip, ...(segments ? { segments } : {}) });
}

export interface Rotation {
  readonly topic: string;
  /** Shards whose open segment was closed: the summary commit and what it names. */
  readonly rotated: readonly { readonly shard: number; readonly ref: string; readonly commit: string; readonly ulid: string; readonly summary: SegmentSummary }[];
  /** Shards left open, and why (empty, below the policy's threshold). */
  readonly skipped: readonly { readonly shard: number; readonly reason: string }[];
}

/**
 * Closes the open segment of each live shard (or of `shard` alone) that the
 * topic's segment policy lets rotate: appends a signed summary of the window
 * (src/gate/bus-segment.ts), built from the objects exactly as the gate
 * rebuilds it.
 */
export async function rotate(repo: GitRepo, topic: string, key: ActorKey, opts: { shard?: number; ts: number; random: () => Uint8Array }): Promise<Result<Rotation>> {
  const st = await requireState(repo, topic);
  if (!st.ok) return st;
  if (st.value.old) return err(gateError('USAGE', `${topic} is inside the dual-write window from version ${st.value.old.version} to ${st.value.config.version}: shards rotate only under one map`, { hint: `flip it first: gatos bus reshard ${topic} --flip` }));
  const n = liveShards(st.value);
  if (opts.shard !== undefined && opts.shard >= n) return err(gateError('USAGE', `shard ${opts.shard} is not a shard of ${topic} (it has ${n})`, { hint: 'see gatos bus status' }));
  const rotated: Rotation['rotated'][number][] = [];
  const skipped: { shard: number; reason: string }[] = [];
  for (let s = opts.shard ?? 0; s < (opts.shard !== undefined ? opts.shard + 1 : n); s++) {
    const ref = messageRef(topic, s);
    const tip = await repo.readRef(ref);
    if (!tip.ok) return err(tip.error);
    const w = await readWindow(repo, tip.value);
    if (!w.ok) return err(gateError('GIT_ERROR', `${ref}: ${w.error}`));
    const summary = summarize(w.value);
    if (!summary) {
      skipped.push({ shard: s, reason: 'its open segment is empty' });
      continue;
    }
    const early = rotationDue(st.value.config, summary);
    if (early) {
      skipped.push({ shard: s, reason: early });
      continue;
    }
    const r = await appendToRefs(repo, [ref], key, { type: SEGMENT_TYPE, ns: topic, caps: [publishCap(topic)], payload: summary, ts: opts.ts, random: opts.random });
    if (!r.ok) return r;
    rotated.push({ shard: s, ref, commit: r.value.commits[ref] as string, ulid: r.value.ulid, summary });
  }
  if (opts.shard !== undefined && rotated.length === 0) return err(gateError('USAGE', `shard ${opts.shard} of ${topic} does not rotate: ${skipped[0]?.reason ?? 'nothing to close'}`, { hint: 'see the segment policy with gatos bus status; change it with gatos bus reshard --segment-messages/--segment-bytes' }));
  return ok({ topic, rotated, skipped });
}
