/**
 * The message bus, gated (docs/bus.md). Three ref families under one plane:
 *
 * - `refs/gatos/mbus-config/<topic>`: the topic's versioned shard map
 *   (`topic.json`, canonical JSON), fast-forward only, each version naming
 *   its predecessor; a new version opens a dual-write window, the flip
 *   (`migrate: done`) closes it once no subscriber lags on the old map.
 * - `refs/gatos/mbus/<topic>/<shard>`: messages. A message IS an event
 *   (the same envelope, signature and trust checks, src/events) whose `ns`
 *   is the topic and whose payload is `{ key, map, body }`; it sits on the
 *   shard the map's consistent hash gives its key (both maps' shards inside
 *   a window) and its (topic, ULID) is accepted once, dual-write twins of
 *   identical bytes aside.
 * - `refs/gatos/mbus-ack/<topic>/<kind>/<name>`: a subscriber's acks, events
 *   whose payload `{ shards: { "<n>": <message commit> } }` names, per
 *   shard, the last message consumed; monotone.
 *
 * The adapter (src/push/bus.ts) reads git and hands plain facts in; every
 * rule is decided here. Pure: `now` is the push's clock, read once.
 */
import { parseActor, actorFromPath, actorToPath, nameProblem } from '../actors';
import { blake3 } from '../canon/digest';
import { utf8 } from '../core/bytes';
import type { ErrorCode } from '../core/codes';
import { SEGMENT_TYPE, readSegmentPayload, rotationDue, summaryMismatches, type SegmentSummary } from './bus-segment';
import { BUS_ARCHIVE_PREFIX, PRUNE_TYPE, archiveDenials, parseArchiveTail, pruneDenials, type ArchiveFacts, type PruneFacts } from './bus-prune';
import type { Denial } from './decide';
import type { EventFact, PushedEvent } from './facts';
import { RULES } from './rules';

export const BUS_PREFIX = 'refs/gatos/mbus/';
export const BUS_ACK_PREFIX = 'refs/gatos/mbus-ack/';
export const BUS_CONFIG_PREFIX = 'refs/gatos/mbus-config/';
/** The one file of a topic config commit's tree. */
export const TOPIC_FILE = 'topic.json';
export const MAX_SHARDS = 4096;
export const ACK_TYPE = 'bus.ack';

const BUS_RULES = {
  config: RULES.busConfig,
  message: RULES.busMessage,
  placement: RULES.busPlacement,
  dedupe: RULES.busExactlyOnce,
  ack: RULES.busAck,
  backpressure: RULES.busBackpressure,
  flip: RULES.busFlip,
  segment: RULES.busSegment,
  prune: RULES.busPrune,
} as const;

export type BusRef =
  | { readonly kind: 'message'; readonly topic: string; readonly shard: number }
  | { readonly kind: 'ack'; readonly topic: string; readonly subscriber: string }
  | { readonly kind: 'config'; readonly topic: string }
  /** refs/gatos/mbus-archive/<topic>/<shard>/<last ULID>: a pruned shard's old tip, kept (src/gate/bus-prune.ts). */
  | { readonly kind: 'archive'; readonly topic: string; readonly shard: number; readonly ulid: string };

/** A bus ref's parts; `problem` for a name under a bus prefix that no bus tool writes; undefined outside the bus. */
export function parseBusRef(ref: string): { readonly ok: true; readonly value: BusRef } | { readonly ok: false; readonly problem: string } | undefined {
  const bad = (problem: string) => ({ ok: false as const, problem });
  const topicProblem = (t: string) => nameProblem(t);
  if (ref.startsWith(BUS_CONFIG_PREFIX)) {
    const topic = ref.slice(BUS_CONFIG_PREFIX.length);
    const p = topicProblem(topic);
    return p ? bad(`topic '${topic}': ${p}`) : { ok: true, value: { kind: 'config', topic } };
  }
  if (ref.startsWith(BUS_ARCHIVE_PREFIX)) {
    const rest = ref.slice(BUS_ARCHIVE_PREFIX.length);
    const slash = rest.indexOf('/');
    const topic = slash < 0 ? rest : rest.slice(0, slash);
    const p = topicProblem(topic);
    if (p) return bad(`topic '${topic}': ${p}`);
    const t = parseArchiveTail(slash < 0 ? '' : rest.slice(slash + 1));
    return t.ok ? { ok: true, value: { kind: 'archive', topic, shard: t.shard, ulid: t.ulid } } : bad(t.problem);
  }
  if (ref.startsWith(BUS_ACK_PREFIX)) {
    const rest = ref.slice(BUS_ACK_PREFIX.length);
    const slash = rest.indexOf('/');
    if (slash < 0) return bad('acks are refs/gatos/mbus-ack/<topic>/<kind>/<name>');
    const topic = rest.slice(0, slash);
    const p = topicProblem(topic);
    if (p) return bad(`topic '${topic}': ${p}`);
    const a = actorFromPath(rest.slice(slash + 1));
    return a.ok ? { ok: true, value: { kind: 'ack', topic, subscriber: a.value.id } } : bad(a.error.message);
  }
  if (ref.startsWith(BUS_PREFIX)) {
    const parts = ref.slice(BUS_PREFIX.length).split('/');
    if (parts.length !== 2) return bad('messages are refs/gatos/mbus/<topic>/<shard>');
    const [topic, shard] = parts as [string, string];
    const p = topicProblem(topic);
    if (p) return bad(`topic '${topic}': ${p}`);
    if (!/^(?:0|[1-9][0-9]{0,3})$/.test(shard) || Number(shard) >= MAX_SHARDS) return bad(`shard '${shard}' is not a shard number (0 to ${MAX_SHARDS - 1}, no leading zeros)`);
    return { ok: true, value: { kind: 'message', topic, shard: Number(shard) } };
  }
  return undefined;
}

export function messageRef(topic: string, shard: number): string {
  return `${BUS_PREFIX}${topic}/${shard}`;
}

export function ackRef(topic: string, subscriber: string): string | undefined {
  const a = parseActor(subscriber);
  return a.ok ? `${BUS_ACK_PREFIX}${topic}/${actorToPath(a.value)}` : undefined;
}

export function configRef(topic: string): string {
  return `${BUS_CONFIG_PREFIX}${topic}`;
}

/** The capability a publisher claims on each message (checked against its grants like any event's caps). */
export function publishCap(topic: string): string {
  return `bus:publish:${topic}`;
}

export function subscribeCap(topic: string): string {
  return `bus:subscribe:${topic}`;
}

// ---------------------------------------------------------------------------
// Topic config

export interface TopicConfig {
  readonly version: number;
  readonly shards: number;
  readonly hash: 'blake3';
  readonly strategy: 'consistent';
  /** The predecessor version (version - 1); 0 for the first. */
  readonly from_version: number;
  /** dual-write: the window from from_version's map is open; done: only this version's map is live. */
  readonly migrate: 'dual-write' | 'done';
  /** Subscribers whose acks count for backpressure and the flip, sorted. */
  readonly subscribers: readonly string[];
  /** Backpressure: the oldest unacked message of a shard may be at most this old (seconds) for a publish to land; absent: no limit. */
  readonly ack_window_s?: number;
  /** Segments (docs/bus.md): a shard's open segment may be rotated once it holds this many messages… */
  readonly segment_messages?: number;
  /** …or this many bytes of messages (canonical envelope bytes); absent both: shards never rotate. */
  readonly segment_bytes?: number;
  /** Retention (docs/bus.md, decision 0039): a shard may be pruned once it holds this many sealed segments since its start or last prune; absent: never. */
  readonly prune_segments?: number;
}

const CONFIG_FIELDS: readonly string[] = ['ack_window_s', 'from_version', 'hash', 'migrate', 'prune_segments', 'segment_bytes', 'segment_messages', 'shards', 'strategy', 'subscribers', 'version'];

/** A config object (parsed JSON) checked field by field: the config or why not. */
export function readTopicConfig(o: unknown): { readonly ok: true; readonly value: TopicConfig } | { readonly ok: false; readonly problem: string } {
  const bad = (problem: string) => ({ ok: false as const, problem });
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return bad(`${TOPIC_FILE} must hold a JSON object`);
  const r = o as Record<string, unknown>;
  const extra = Object.keys(r).filter((k) => !CONFIG_FIELDS.includes(k));
  if (extra.length) return bad(`unknown field(s) ${extra.join(', ')} (allowed: ${CONFIG_FIELDS.join(', ')})`);
  const int = (k: string, min: number, max: number) => typeof r[k] === 'number' && Number.isInteger(r[k]) && (r[k] as number) >= min && (r[k] as number) <= max;
  if (!int('version', 1, 2 ** 31)) return bad("'version' must be an integer of 1 or more");
  if (!int('shards', 1, MAX_SHARDS)) return bad(`'shards' must be an integer from 1 to ${MAX_SHARDS}`);
  if (r.hash !== 'blake3') return bad("'hash' must be \"blake3\"");
  if (r.strategy !== 'consistent') return bad("'strategy' must be \"consistent\"");
  if (!int('from_version', 0, 2 ** 31) || r.from_version !== (r.version as number) - 1) return bad(`'from_version' must name the predecessor, ${(r.version as number) - 1}`);
  if (r.migrate !== 'dual-write' && r.migrate !== 'done') return bad("'migrate' must be \"dual-write\" (a window from from_version is open) or \"done\"");
  if (r.migrate === 'dual-write' && r.version === 1) return bad('version 1 has no predecessor to migrate from: its migrate is "done"');
  const subs = r.subscribers ?? [];
  if (!Array.isArray(subs) || !subs.every((s) => typeof s === 'string' && parseActor(s).ok)) return bad("'subscribers' must be a list of actors such as \"user:bob\"");
  for (let i = 1; i < subs.length; i++) if ((subs[i - 1] as string) >= (subs[i] as string)) return bad("'subscribers' must be sorted and free of repeats");
  if ('ack_window_s' in r && !int('ack_window_s', 1, 2 ** 31)) return bad("'ack_window_s' must be a whole number of seconds, 1 or more");
  if ('segment_messages' in r && !int('segment_messages', 1, 2 ** 31)) return bad("'segment_messages' must be a whole number of messages, 1 or more");
  if ('segment_bytes' in r && !int('segment_bytes', 1, 2 ** 48)) return bad("'segment_bytes' must be a whole number of bytes, 1 or more");
  if ('prune_segments' in r && !int('prune_segments', 1, 2 ** 31)) return bad("'prune_segments' must be a whole number of sealed segments, 1 or more");
  const c: TopicConfig = {
    version: r.version as number,
    shards: r.shards as number,
    hash: 'blake3',
    strategy: 'consistent',
    from_version: r.from_version as number,
    migrate: r.migrate,
    subscribers: subs as string[],
    ...(r.ack_window_s !== undefined ? { ack_window_s: r.ack_window_s as number } : {}),
    ...(r.segment_messages !== undefined ? { segment_messages: r.segment_messages as number } : {}),
    ...(r.segment_bytes !== undefined ? { segment_bytes: r.segment_bytes as number } : {}),
    ...(r.prune_segments !== undefined ? { prune_segments: r.prune_segments as number } : {}),
  };
  return { ok: true, value: c };
}

/** The JSON object of a config (what `topic.json` holds, before canonical encoding). */
export function topicConfigJson(c: TopicConfig): Record<string, string | number | string[]> {
  return {
    version: c.version,
    shards: c.shards,
    hash: c.hash,
    strategy: c.strategy,
    from_version: c.from_version,
    migrate: c.migrate,
    subscribers: [...c.subscribers],
    ...(c.ack_window_s !== undefined ? { ack_window_s: c.ack_window_s } : {}),
    ...(c.segment_messages !== undefined ? { segment_messages: c.segment_messages } : {}),
    ...(c.segment_bytes !== undefined ? { segment_bytes: c.segment_bytes } : {}),
    ...(c.prune_segments !== undefined ? { prune_segments: c.prune_segments } : {}),
  };
}

export type Transition = 'create' | 'reshard' | 'flip' | 'settings';

/**
 * Whether `next` may follow `prev` (undefined: the ref is created): which
 * transition it is, or why it may not. The only moves: create a first map;
 * open a window to version+1 from a closed one; flip (close the window,
 * same map); change subscribers or the ack window of the same state.
 */
export function configTransition(prev: TopicConfig | undefined, next: TopicConfig): { readonly ok: true; readonly value: Transition } | { readonly ok: false; readonly problem: string } {
  const bad = (problem: string) => ({ ok: false as const, problem });
  if (!prev) {
    return next.migrate === 'done' ? { ok: true, value: 'create' } : bad(`a topic starts with a closed map (migrate "done"), not a window from version ${next.from_version}`);
  }
  if (next.version === prev.version + 1) {
    if (prev.migrate !== 'done') return bad(`version ${prev.version}'s dual-write window from ${prev.from_version} is still open: flip it before opening another`);
    if (next.migrate !== 'dual-write') return bad(`version ${next.version} must open a dual-write window from ${prev.version} (migrate "dual-write")`);
    return { ok: true, value: 'reshard' };
  }
  if (next.version !== prev.version) return bad(`version ${next.version} cannot follow version ${prev.version}: each version is its predecessor plus one`);
  if (next.shards !== prev.shards) return bad(`version ${next.version} already has ${prev.shards} shards; a new shard count is a new version`);
  if (prev.migrate === 'dual-write' && next.migrate === 'done') return { ok: true, value: 'flip' };
  if (prev.migrate !== next.migrate) return bad(`a closed window cannot reopen: version ${next.version} is done`);
  return { ok: true, value: 'settings' };
}

// ---------------------------------------------------------------------------
// Placement: jump consistent hashing (Lamping and Veach) over BLAKE3 of the key

const LCG_HI = 0x27bb2ee6;
const LCG_LO = 0x87b0b0fd; // 2862933555777941757 = 0x27BB2EE687B0B0FD

/** The first 8 bytes of BLAKE3(utf8(key)), little-endian, as two 32-bit halves. */
export function keyHash(key: string): { readonly hi: number; readonly lo: number } {
  const h = blake3(utf8(key));
  const lo = ((h[0] as number) | ((h[1] as number) << 8) | ((h[2] as number) << 16) | ((h[3] as number) << 24)) >>> 0;
  const hi = ((h[4] as number) | ((h[5] as number) << 8) | ((h[6] as number) << 16) | ((h[7] as number) << 24)) >>> 0;
  return { hi, lo };
}

/** The high 32 bits of the 64-bit product of two 32-bit unsigned integers. */
function mulHi32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const carry = ((p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff)) >>> 16;
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + carry) >>> 0;
}

/**
 * Jump consistent hash (Lamping and Veach, 2014) of a 64-bit key: the shard
 * (0..shards-1). Going from n to n+1 shards moves only the keys the new
 * shard takes, about 1/(n+1). The 64-bit LCG step is done on 32-bit halves
 * (exact; test/gate/bus-core.test.ts checks it against BigInt arithmetic).
 */
export function jumpHash(key: { readonly hi: number; readonly lo: number }, shards: number): number {
  let hi = key.hi >>> 0;
  let lo = key.lo >>> 0;
  let b = -1;
  let j = 0;
  while (j < shards) {
    b = j;
    const nhi = (mulHi32(lo, LCG_LO) + Math.imul(hi, LCG_LO) + Math.imul(lo, LCG_HI)) >>> 0;
    const nlo = (Math.imul(lo, LCG_LO) + 1) >>> 0;
    hi = nlo === 0 ? (nhi + 1) >>> 0 : nhi;
    lo = nlo;
    j = Math.floor((b + 1) * (2 ** 31 / ((hi >>> 1) + 1)));
  }
  return b;
}

export function shardOf(key: string, shards: number): number {
  return jumpHash(keyHash(key), shards);
}

/** A topic as the gate judges a push: its config at the server tip and, inside a window, the old map's. */
export interface TopicState {
  readonly topic: string;
  readonly config: TopicConfig;
  /** The predecessor's config while `config.migrate` is dual-write. */
  readonly old?: TopicConfig;
}

/** Every shard a message with `key` must be on: the current map's, and the old map's inside a window. Sorted. */
export function placement(state: TopicState, key: string): number[] {
  const s = new Set([shardOf(key, state.config.shards)]);
  if (state.old) s.add(shardOf(key, state.old.shards));
  return [...s].sort((a, b) => a - b);
}

/** The shards any live map has: 0..max-1. */
export function liveShards(state: TopicState): number {
  return Math.max(state.config.shards, state.old?.shards ?? 0);
}

// ---------------------------------------------------------------------------
// Message and ack payloads

export interface MessagePayload {
  readonly key: string;
  readonly map: number;
  readonly body: unknown;
}

export function readMessagePayload(p: unknown): { readonly ok: true; readonly value: MessagePayload } | { readonly ok: false; readonly problem: string } {
  if (typeof p !== 'object' || p === null || Array.isArray(p) || p instanceof Uint8Array) return { ok: false, problem: 'its payload must be a map { key, map, body }' };
  const o = p as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== 'key' && k !== 'map' && k !== 'body');
  if (extra.length) return { ok: false, problem: `its payload has unknown field(s) ${extra.join(', ')} (a message's payload is { key, map, body })` };
  if (typeof o.key !== 'string' || o.key.length === 0 || o.key.length > 1024) return { ok: false, problem: "its payload's 'key' must be text of 1 to 1024 characters" };
  const map = typeof o.map === 'bigint' ? Number(o.map) : o.map;
  if (typeof map !== 'number' || !Number.isInteger(map) || map < 1) return { ok: false, problem: "its payload's 'map' must be the shard map version it was placed by" };
  return { ok: true, value: { key: o.key, map, body: o.body ?? null } };
}

/** Per shard, the last message commit consumed. */
export type AckOffsets = ReadonlyMap<number, string>;

export function readAckPayload(p: unknown): { readonly ok: true; readonly value: AckOffsets } | { readonly ok: false; readonly problem: string } {
  const bad = (problem: string) => ({ ok: false as const, problem });
  if (typeof p !== 'object' || p === null || Array.isArray(p) || p instanceof Uint8Array) return bad('its payload must be a map { shards: { "<n>": <message commit> } }');
  const o = p as Record<string, unknown>;
  if (Object.keys(o).length !== 1 || typeof o.shards !== 'object' || o.shards === null || Array.isArray(o.shards)) return bad("its payload must be exactly { shards: { \"<n>\": <message commit> } }");
  const out = new Map<number, string>();
  for (const [k, v] of Object.entries(o.shards as Record<string, unknown>)) {
    if (!/^(?:0|[1-9][0-9]{0,3})$/.test(k) || Number(k) >= MAX_SHARDS) return bad(`'${k}' is not a shard number`);
    if (typeof v !== 'string' || !/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(v)) return bad(`shard ${k}: ${JSON.stringify(v)} is not a commit id`);
    out.set(Number(k), v);
  }
  if (out.size === 0) return bad('an ack names at least one shard');
  return { ok: true, value: out };
}

// ---------------------------------------------------------------------------
// Facts the adapter gathers

/** A message of the update: its commit, Event-CID and payload (from its verified envelope). */
export interface MessageFact {
  readonly commit: string;
  readonly ulid: string;
  readonly cid: string;
  readonly payload: unknown;
}

/** The same (topic, ULID) found on another shard ref (server tip or a tip pushed alongside), with its Event-CID. */
export interface Occurrence {
  readonly ulid: string;
  readonly shard: number;
  readonly commit: string;
  readonly cid: string;
}

/** One subscriber's lag on one shard, as of the server's tips before the push. */
export interface Lag {
  readonly subscriber: string;
  readonly shard: number;
  /** Messages after the subscriber's ack (0: caught up). */
  readonly unacked: number;
  /** The oldest unacked message's time (epoch seconds). */
  readonly oldestTs?: number;
  readonly oldestCommit?: string;
}

/** For each ack commit of the update: its payload and, per shard named, what git answered. */
export interface AckFact {
  readonly commit: string;
  readonly payload: unknown;
  /** Per shard named: the commit named is a message on that shard's ref (server or pushed tip). */
  readonly exists: ReadonlyMap<number, boolean>;
  /** Per shard named: the previous ack's commit for it (if any) is the named one or behind it. */
  readonly monotone: ReadonlyMap<number, boolean>;
  /** Shards the previous ack named that this one leaves out. */
  readonly dropped: readonly number[];
}

/** A summary pushed on the shard: the window its parent closes, as rebuilt from the objects (or why it could not be). */
export interface SegmentFact {
  readonly commit: string;
  readonly rebuilt?: SegmentSummary;
  readonly problem?: string;
}

/** The newest summary on another shard whose ULID is not below the smallest pushed one: nothing at or below its last_ulid may come again. */
export interface Floor {
  readonly shard: number;
  readonly commit: string;
  readonly lastUlid: string;
}

export type BusFacts =
  | { readonly kind: 'config'; readonly topic: string; readonly prev?: TopicConfig; readonly steps: readonly { readonly commit: string; readonly config: ReturnType<typeof readTopicConfig> }[]; readonly oldLag: readonly Lag[] }
  | { readonly kind: 'message'; readonly topic: string; readonly shard: number; readonly state?: TopicState; readonly messages: readonly MessageFact[]; readonly others: readonly Occurrence[]; readonly lag: readonly Lag[]; readonly segments?: readonly SegmentFact[]; readonly floors?: readonly Floor[] }
  | { readonly kind: 'ack'; readonly topic: string; readonly subscriber: string; readonly acks: readonly AckFact[] }
  | PruneFacts
  | ArchiveFacts;

type Out = Omit<Denial, 'enforced'>;

function deny(ref: string, code: ErrorCode, rule: { readonly id: string; readonly hint: string }, reason: string, commit?: string, hint?: string): Out {
  return { ref, code, ruleId: rule.id, reason, hint: hint ?? rule.hint, ...(commit ? { commit } : {}) };
}

function lagHint(l: Lag, topic: string): string {
  return `subscriber ${l.subscriber} lags on shard ${l.shard} of ${topic} (${l.unacked} unacked${l.oldestCommit ? `, oldest ${l.oldestCommit}` : ''}): it must consume and ack (gatos bus subscribe, gatos bus ack) before more is published here`;
}

function configDenials(ref: string, f: Extract<BusFacts, { kind: 'config' }>): Out[] {
  const out: Out[] = [];
  let prev = f.prev;
  for (const s of f.steps) {
    if (!s.config.ok) {
      out.push(deny(ref, 'ENCODING_INVALID', BUS_RULES.config, `config commit ${s.commit}: ${s.config.problem}`, s.commit));
      return out;
    }
    const t = configTransition(prev, s.config.value);
    if (!t.ok) {
      out.push(deny(ref, 'EPOCH_BROKEN', BUS_RULES.config, `config commit ${s.commit}: ${t.problem}`, s.commit));
      return out;
    }
    if (t.value === 'flip') {
      for (const l of f.oldLag) {
        if (l.unacked > 0) out.push(deny(ref, 'ACK_TIMEOUT', BUS_RULES.flip, `config commit ${s.commit} flips ${f.topic} to version ${s.config.value.version} and retires version ${s.config.value.from_version}, but ack lag on the old map is ${l.unacked} (subscriber ${l.subscriber}, shard ${l.shard})`, s.commit, lagHint(l, f.topic)));
      }
    }
    prev = s.config.value;
  }
  return out;
}

/** The shards a message must be on (empty when its payload or map version is wrong: those denials are pushed to `out`). */
function placedOn(ref: string, state: TopicState, shard: number, m: MessageFact, at: string, out: Out[]): number[] {
  const p = readMessagePayload(m.payload);
  if (!p.ok) {
    out.push(deny(ref, 'POLICY_DENY', BUS_RULES.message, `${at}: ${p.problem}`, m.commit));
    return [];
  }
  if (p.value.map !== state.config.version) {
    out.push(deny(ref, 'EPOCH_BROKEN', BUS_RULES.placement, `${at}: placed by map version ${p.value.map}, but ${state.topic}'s map is version ${state.config.version}${state.old ? ` (dual-writing from ${state.old.version})` : ''}`, m.commit));
    return [];
  }
  const want = placement(state, p.value.key);
  if (!want.includes(shard)) {
    out.push(deny(ref, 'POLICY_DENY', BUS_RULES.placement, `${at}: key ${JSON.stringify(p.value.key)} belongs on shard ${want.join(' and ')} of ${state.topic} (map version ${state.config.version}${state.old ? `, and ${state.old.version} during the window` : ''}), not on shard ${shard}`, m.commit));
    return [];
  }
  return want;
}

function messageDenials(ref: string, f: Extract<BusFacts, { kind: 'message' }>, events: readonly EventFact[], now: number): Out[] {
  const out: Out[] = [];
  const state = f.state;
  if (!state) {
    out.push(deny(ref, 'POLICY_DENY', BUS_RULES.placement, `topic ${f.topic} has no config: nothing can be placed on its shards`, undefined, `create it first: gatos bus reshard ${f.topic} --shards <n> (pushes ${configRef(f.topic)})`));
    return out;
  }
  const live = liveShards(state);
  if (f.shard >= live) out.push(deny(ref, 'POLICY_DENY', BUS_RULES.placement, `shard ${f.shard} is not a shard of ${f.topic}: its map${state.old ? 's have' : ' has'} ${live} shard${live === 1 ? '' : 's'}`));
  const byCommit = new Map<string, PushedEvent>();
  for (const e of events) if (e.ok) byCommit.set(e.event.commit, e.event);
  const byUlid = new Map<string, Occurrence[]>();
  for (const o of f.others) {
    const list = byUlid.get(o.ulid) ?? [];
    list.push(o);
    byUlid.set(o.ulid, list);
  }
  for (const m of f.messages) {
    const ev = byCommit.get(m.commit);
    if (!ev) continue; // refused as an event already (gate/event)
    const at = `message ${m.commit} (${f.topic}, ${m.ulid})`;
    if (ev.ns !== f.topic) out.push(deny(ref, 'POLICY_DENY', BUS_RULES.message, `${at}: its ns is ${ev.ns}, not the topic ${f.topic}`, m.commit));
    if (!ev.caps.includes(publishCap(f.topic))) out.push(deny(ref, 'POLICY_DENY', BUS_RULES.message, `${at}: it does not claim '${publishCap(f.topic)}'`, m.commit, `a publisher claims '${publishCap(f.topic)}' and holds a grant of it: ${BUS_RULES.message.hint}`));
    // A bus.prune event is a prune root only (a root commit the shard moves to): appended, subscribers would skip it unread.
    if (ev.type === PRUNE_TYPE) {
      out.push(deny(ref, 'SEGMENT_INVALID', BUS_RULES.prune, `${at}: a ${PRUNE_TYPE} event is only ever a prune root, the parentless commit a prune moves the shard to, never appended`, m.commit));
      continue;
    }
    if (ev.type === SEGMENT_TYPE) {
      segmentDenials(ref, f, state, m, f.segments?.find((s) => s.commit === m.commit), `summary ${m.commit} (${f.topic}, shard ${f.shard})`, out);
      continue;
    }
    for (const fl of f.floors ?? []) {
      if (m.ulid <= fl.lastUlid) out.push(deny(ref, 'DUP_COMMIT', BUS_RULES.dedupe, `${at}: shard ${fl.shard} of ${f.topic} closed a segment at ULID ${fl.lastUlid} (summary ${fl.commit}); after a rotation every new message's ULID is above it`, m.commit));
    }
    // Exactly once first: a replay is DUP_COMMIT whatever else is wrong with it.
    const want = placedOn(ref, state, f.shard, m, at, out);
    const twins = want.filter((s) => s !== f.shard);
    const seen = (byUlid.get(m.ulid) ?? []).filter((o) => !(o.shard === f.shard && o.commit === m.commit));
    for (const o of seen) {
      if (twins.includes(o.shard)) {
        if (o.cid !== m.cid) out.push(deny(ref, 'DUP_COMMIT', BUS_RULES.dedupe, `${at}: its dual-write twin on shard ${o.shard} (${o.commit}) carries other bytes (${o.cid}, here ${m.cid})`, m.commit));
      } else {
        out.push(deny(ref, 'DUP_COMMIT', BUS_RULES.dedupe, `${at}: (${f.topic}, ${m.ulid}) is already on shard ${o.shard} (${o.commit})`, m.commit));
      }
    }
    for (const t of twins) {
      if (!seen.some((o) => o.shard === t)) {
        out.push(deny(ref, 'POLICY_DENY', BUS_RULES.placement, `${at}: during the dual-write window from version ${state.old?.version} to ${state.config.version} it must also be on shard ${t} (same bytes, in this push or before)`, m.commit));
      }
    }
  }
  const window = state.config.ack_window_s;
  const published = f.messages.some((m) => byCommit.get(m.commit)?.type !== SEGMENT_TYPE);
  if (window !== undefined && published) {
    for (const l of f.lag) {
      if (l.oldestTs !== undefined && now - l.oldestTs > window) {
        out.push(deny(ref, 'ACK_TIMEOUT', BUS_RULES.backpressure, `shard ${f.shard} of ${f.topic}: its oldest message unacked by ${l.subscriber} is ${now - l.oldestTs} s old, more than the ack window of ${window} s`, undefined, lagHint(l, f.topic)));
      }
    }
  }
  return out;
}

/** A summary: checked against the window it closes, rebuilt (never by its own fields), and against the topic's segment policy. */
function segmentDenials(ref: string, f: Extract<BusFacts, { kind: 'message' }>, state: TopicState, m: MessageFact, fact: SegmentFact | undefined, at: string, out: Out[]): void {
  const bad = (reason: string) => out.push(deny(ref, 'SEGMENT_INVALID', BUS_RULES.segment, `${at}: ${reason}`, m.commit));
  if (state.old) return void bad(`${f.topic} is inside the dual-write window from version ${state.old.version} to ${state.config.version}: flip it before rotating`);
  const p = readSegmentPayload(m.payload);
  if (!p.ok) return void bad(p.problem);
  if (!fact?.rebuilt) return void bad(fact?.problem ?? 'the window it closes could not be read');
  const wrong = summaryMismatches(p.value, fact.rebuilt);
  for (const w of wrong) bad(w);
  if (wrong.length) return;
  const early = rotationDue(state.config, fact.rebuilt);
  if (early) bad(`rotated too early: ${early}`);
}

function ackDenials(ref: string, f: Extract<BusFacts, { kind: 'ack' }>, events: readonly EventFact[]): Out[] {
  const out: Out[] = [];
  const byCommit = new Map<string, PushedEvent>();
  for (const e of events) if (e.ok) byCommit.set(e.event.commit, e.event);
  for (const a of f.acks) {
    const ev = byCommit.get(a.commit);
    if (!ev) continue;
    const at = `ack ${a.commit}`;
    if (ev.actor !== f.subscriber) out.push(deny(ref, 'POLICY_DENY', BUS_RULES.ack, `${at}: signed by ${ev.actor}, but ${ref} is ${f.subscriber}'s`, a.commit));
    if (ev.ns !== f.topic) out.push(deny(ref, 'POLICY_DENY', BUS_RULES.ack, `${at}: its ns is ${ev.ns}, not the topic ${f.topic}`, a.commit));
    if (ev.type !== ACK_TYPE) out.push(deny(ref, 'POLICY_DENY', BUS_RULES.ack, `${at}: its type is ${ev.type}, not ${ACK_TYPE}`, a.commit));
    if (!ev.caps.includes(subscribeCap(f.topic))) out.push(deny(ref, 'POLICY_DENY', BUS_RULES.ack, `${at}: it does not claim '${subscribeCap(f.topic)}'`, a.commit));
    const p = readAckPayload(a.payload);
    if (!p.ok) {
      out.push(deny(ref, 'POLICY_DENY', BUS_RULES.ack, `${at}: ${p.problem}`, a.commit));
      continue;
    }
    for (const [shard, commit] of p.value) {
      if (a.exists.get(shard) !== true) out.push(deny(ref, 'POLICY_DENY', BUS_RULES.ack, `${at}: shard ${shard}: ${commit} is not a message on ${messageRef(f.topic, shard)}`, a.commit));
      else if (a.monotone.get(shard) !== true) out.push(deny(ref, 'POLICY_DENY', BUS_RULES.ack, `${at}: shard ${shard}: ${commit} is behind ${f.subscriber}'s previous ack on that shard (acks only move forward)`, a.commit));
    }
    for (const s of a.dropped) out.push(deny(ref, 'POLICY_DENY', BUS_RULES.ack, `${at}: it leaves out shard ${s}, which ${f.subscriber}'s previous ack named (acks only move forward)`, a.commit));
  }
  return out;
}

/** Every bus rule broken by one update. `events`: the update's events, after the active trust weighed their signers. */
export function busDenials(ref: string, f: BusFacts | undefined, events: readonly EventFact[], parents: readonly { readonly id: string; readonly parents: number }[], now: number): Out[] {
  if (!f) return [];
  const out: Out[] = [];
  for (const c of parents) if (c.parents > 1) out.push(deny(ref, 'PROOF_INVALID', BUS_RULES.message, `commit ${c.id} is a merge (${c.parents} parents); bus refs are linear`, c.id));
  if (f.kind === 'config') return [...out, ...configDenials(ref, f)];
  if (f.kind === 'message') return [...out, ...messageDenials(ref, f, events, now)];
  if (f.kind === 'prune') return [...out, ...pruneDenials(ref, f, events)];
  if (f.kind === 'archive') return [...out, ...archiveDenials(ref, f)];
  return [...out, ...ackDenials(ref, f, events)];
}

/**
 * Exactly-once, order-free: the messages of `deliveries` (any order, any
 * shard, either map) kept once per (topic, ULID), in (topic, ULID) order;
 * of dual-write twins the one with the least commit id, so the answer never
 * depends on the order shards were read in. What `gatos bus subscribe`
 * delivers during a window.
 */
export function dedupeMessages<T extends { readonly topic: string; readonly ulid: string; readonly commit: string }>(deliveries: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const d of deliveries) {
    const k = `${d.topic}\u0000${d.ulid}`;
    const had = seen.get(k);
    if (!had || d.commit < had.commit) seen.set(k, d);
  }
  return [...seen.values()].sort((a, b) => (a.topic === b.topic ? (a.ulid < b.ulid ? -1 : a.ulid > b.ulid ? 1 : 0) : a.topic < b.topic ? -1 : 1));
}
