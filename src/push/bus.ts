/**
 * Gathering the facts of one bus update (refs/gatos/mbus*) for the pure bus
 * rules (src/gate/bus.ts). Messages and acks were verified as events before
 * this runs (gather.ts: the same verifyEvent, signer and ULID order as
 * journals); here git answers what only the repository knows: the topic's
 * config at the server, the same (topic, ULID) on the topic's other shards,
 * the subscribers' lag, and whether acked messages exist. Adapter.
 *
 * Cost (docs/bus.md, "Costs"): shard refs hold strictly increasing ULIDs,
 * so the same ULID can only sit among another shard's messages whose ULID
 * is at least the smallest ULID pushed; each other shard is read from its
 * tip back to the first smaller ULID: the messages published since the
 * pushed ones were minted (with gate/event-time, at most the events'
 * max age), plus one commit per shard. Lag is read from a shard's tip back
 * to the subscriber's ack: the unacked messages, which backpressure bounds.
 */
import { canonicalJson, parseJsonStrict } from '../canon/jcs';
import { bytesEqual, decodeUtf8 } from '../core/bytes';
import type { GateError, Result } from '../core/result';
import { err, ok } from '../core/result';
import { decodeEnvelope, readEnvelopeAt, readEventFile, type VerifyMemo } from '../events';
import { readRawEvent } from '../events/read';
import type { Failure, RefUpdate } from '../gate';
import { BUS_PREFIX, TOPIC_FILE, ackRef, configRef, messageRef, readAckPayload, readTopicConfig, type AckFact, type BusFacts, type BusRef, type Floor, type Lag, type SegmentFact, type MessageFact, type Occurrence, type TopicConfig, type TopicState } from '../gate/bus';
import { SEGMENT_TYPE, summarize, type WindowMessage } from '../gate/bus-segment';
import type { EventFact } from '../gate/facts';
import type { Commit, GitRepo } from '../git';
import { EVENT_KEYS } from '../trailers';
import { archiveFacts, archiveTips, isPruneRoot, precedes, pruneFacts, sealedUlid } from './bus-prune';

type Got<T> = Result<T, Failure>;

function gitFailure(e: GateError, what: string): Failure {
  return { code: e.code === 'GIT_ERROR' ? 'GATE_ERROR' : e.code, reason: `${what}: ${e.message}`, hint: 'push again, and tell the operator if it persists' };
}

/** topic.json of a config commit: the one file of its tree, canonical JSON, checked (a problem is a fact, not a failure). */
async function configAt(repo: GitRepo, commit: string): Promise<Got<ReturnType<typeof readTopicConfig>>> {
  const c = await repo.readCommit(commit);
  if (!c.ok) return err(gitFailure(c.error, `config commit ${commit}`));
  const tree = await repo.readTree(c.value.tree);
  if (!tree.ok) return err(gitFailure(tree.error, `config commit ${commit}`));
  const only = tree.value[0];
  if (tree.value.length !== 1 || !only || only.name !== TOPIC_FILE || only.mode !== '100644') return ok({ ok: false, problem: `its tree must hold exactly one file, ${TOPIC_FILE}` });
  const blob = await repo.readBlob(only.id);
  if (!blob.ok) return err(gitFailure(blob.error, `config commit ${commit}`));
  const text = decodeUtf8(blob.value);
  if (text === undefined) return ok({ ok: false, problem: `${TOPIC_FILE} is not UTF-8` });
  const parsed = parseJsonStrict(text, TOPIC_FILE);
  if (!parsed.ok) return ok({ ok: false, problem: parsed.error.message });
  const canon = canonicalJson(parsed.value);
  if (!canon.ok || !bytesEqual(canon.value, blob.value)) return ok({ ok: false, problem: `${TOPIC_FILE} is not canonical JSON (RFC 8785: sorted keys, no whitespace, no final newline)` });
  return ok(readTopicConfig(parsed.value));
}

/** The config a config commit holds, or a failure when an accepted one cannot be read. */
async function acceptedConfig(repo: GitRepo, commit: string): Promise<Got<TopicConfig>> {
  const c = await configAt(repo, commit);
  if (!c.ok) return c;
  if (!c.value.ok) return err({ code: 'GATE_ERROR', reason: `the accepted config commit ${commit} does not read: ${c.value.problem}`, hint: 'ask the operator to repair the topic config ref' });
  return ok(c.value.value);
}

/** The topic's state as the server holds it: its config tip and, inside a window, the predecessor's map (read back along the config's history). */
export async function topicState(repo: GitRepo, topic: string, tip?: string): Promise<Got<TopicState | undefined>> {
  let id = tip;
  if (id === undefined) {
    const r = await repo.readRef(configRef(topic));
    if (!r.ok) return err(gitFailure(r.error, configRef(topic)));
    id = r.value;
  }
  if (!id) return ok(undefined);
  const config = await acceptedConfig(repo, id);
  if (!config.ok) return config;
  if (config.value.migrate !== 'dual-write') return ok({ topic, config: config.value });
  let at = id;
  for (;;) {
    const c = await repo.readCommit(at);
    if (!c.ok) return err(gitFailure(c.error, configRef(topic)));
    const parent = c.value.parents[0];
    if (!parent) return err({ code: 'GATE_ERROR', reason: `${configRef(topic)} opens a window from version ${config.value.from_version}, which its history does not hold`, hint: 'ask the operator to repair the topic config ref' });
    const p = await acceptedConfig(repo, parent);
    if (!p.ok) return p;
    if (p.value.version === config.value.from_version) return ok({ topic, config: config.value, old: p.value });
    at = parent;
  }
}

function subjectUlid(c: Commit): string | undefined {
  const first = (c.message ?? '').split('\n', 1)[0] ?? '';
  const m = / ([0-7][0-9A-HJKMNP-TV-Z]{25})$/.exec(first);
  return m?.[1];
}

const CID_LINE = `\n${EVENT_KEYS.eventCid}: `;

function messageCid(c: Commit): string {
  const msg = c.message ?? '';
  const at = msg.indexOf(CID_LINE);
  if (at < 0) return '';
  const end = msg.indexOf('\n', at + CID_LINE.length);
  return msg.slice(at + CID_LINE.length, end < 0 ? undefined : end);
}

/** A segment summary's commit (an event of type bus.segment: its subject says so, and the gate verified it as an event). */
export function isSummary(c: Commit): boolean {
  return (c.message ?? '').startsWith(`${SEGMENT_TYPE} `);
}

/**
 * The window a summary whose parent is `from` closes: the messages from
 * `from` back to the previous summary (or the shard's first message), each
 * with its canonical envelope bytes read from its commit. Cost: one commit
 * and one envelope read per message of the window.
 */
export async function readWindow(repo: GitRepo, from: string | undefined): Promise<Result<{ messages: WindowMessage[]; prev?: string }, string>> {
  const messages: WindowMessage[] = [];
  let id = from;
  while (id) {
    // The event file is asked for with the commit (one round trip each), and the commit is read once.
    const file = readEventFile(repo, id);
    const c = await repo.readCommit(id);
    if (!c.ok) return err(`commit ${id} of the window does not read: ${c.error.message}`);
    // A summary closes the window before; so does a prune root (decision 0039), which the window then starts after.
    if (isSummary(c.value) || isPruneRoot(c.value)) {
      await file;
      return ok({ messages, prev: id });
    }
    const raw = await readRawEvent(repo, id, c.value, file);
    const e = raw.ok ? decodeEnvelope(raw.value.envelopeBytes) : raw;
    if (!e.ok) return err(`commit ${id} of the window is not a message: ${e.error.message}`);
    messages.push({ commit: id, ulid: e.value.envelope.ulid, bytes: e.value.bytes });
    id = c.value.parents[0];
  }
  return ok({ messages });
}

/** Messages of one shard from `tip` back while their ULID is at least `min`; the scan ends at a summary, whose last ULID becomes a floor. */
async function scanShard(repo: GitRepo, shard: number, tip: string, min: string, out: Map<string, Occurrence>, floors: Floor[]): Promise<Got<void>> {
  let id: string | undefined = tip;
  while (id && !out.has(id)) {
    const c = await repo.readCommit(id);
    if (!c.ok) return err(gitFailure(c.error, `reading shard ${shard}`));
    const ulid = subjectUlid(c.value);
    if (ulid === undefined || ulid < min) return ok(undefined);
    if (isSummary(c.value) || isPruneRoot(c.value)) {
      // Everything behind a summary (or a prune root) has a ULID at or below its last_ulid (the ref's order): one floor instead of reading on.
      const e = await readEnvelopeAt(repo, id);
      floors.push({ shard, commit: id, lastUlid: (e.ok ? sealedUlid(e.value.envelope.payload) : undefined) ?? ulid });
      return ok(undefined);
    }
    out.set(id, { ulid, shard, commit: id, cid: messageCid(c.value) });
    id = c.value.parents[0];
  }
  return ok(undefined);
}

/** The last message each shard names in `subscriber`'s ack at the server (empty without one). */
async function ackOffsets(repo: GitRepo, topic: string, subscriber: string, tip?: string): Promise<Got<ReadonlyMap<number, string>>> {
  let id = tip;
  if (id === undefined) {
    const ref = ackRef(topic, subscriber);
    if (!ref) return ok(new Map());
    const r = await repo.readRef(ref);
    if (!r.ok) return err(gitFailure(r.error, ref));
    id = r.value;
  }
  if (!id) return ok(new Map());
  const e = await readEnvelopeAt(repo, id);
  if (!e.ok) return err(gitFailure(e.error, `the ack ${id} of ${subscriber}`));
  const p = readAckPayload(e.value.envelope.payload);
  return ok(p.ok ? p.value : new Map());
}

/** One subscriber's lag on one shard at the server: the messages after its ack, counted back from the tip. */
export async function shardLag(repo: GitRepo, topic: string, shard: number, subscriber: string, acked: string | undefined): Promise<Got<Lag>> {
  const tip = await repo.readRef(messageRef(topic, shard));
  if (!tip.ok) return err(gitFailure(tip.error, messageRef(topic, shard)));
  let id = tip.value;
  let unacked = 0;
  let oldest: Commit | undefined;
  while (id && id !== acked) {
    const c = await repo.readCommit(id);
    if (!c.ok) return err(gitFailure(c.error, messageRef(topic, shard)));
    // A summary, or a prune root, is no message to consume.
    if (!isSummary(c.value) && !isPruneRoot(c.value)) {
      unacked++;
      oldest = c.value;
    }
    id = c.value.parents[0];
  }
  return ok({ subscriber, shard, unacked, ...(oldest ? { oldestTs: oldest.author.seconds, oldestCommit: oldest.id } : {}) });
}

export async function lags(repo: GitRepo, topic: string, shards: readonly number[], subscribers: readonly string[]): Promise<Got<Lag[]>> {
  const out: Lag[] = [];
  for (const s of subscribers) {
    const offsets = await ackOffsets(repo, topic, s);
    if (!offsets.ok) return offsets;
    for (const shard of shards) {
      const l = await shardLag(repo, topic, shard, s, offsets.value.get(shard));
      if (!l.ok) return l;
      out.push(l.value);
    }
  }
  return ok(out);
}

export async function envelopePayload(repo: GitRepo, memo: VerifyMemo, commit: string): Promise<Got<unknown>> {
  const known = memo.recalledEnvelope(commit);
  if (known) return ok(known.payload);
  const e = await readEnvelopeAt(repo, commit);
  return e.ok ? ok(e.value.envelope.payload) : err(gitFailure(e.error, `event ${commit}`));
}

async function messageFacts(repo: GitRepo, u: RefUpdate, b: Extract<BusRef, { kind: 'message' }>, commits: readonly Commit[], events: readonly EventFact[], memo: VerifyMemo, pushed: ReadonlyMap<string, string>): Promise<Got<BusFacts>> {
  const state = await topicState(repo, b.topic);
  if (!state.ok) return state;
  const cids = new Map(commits.map((c) => [c.id, messageCid(c)]));
  const messages: MessageFact[] = [];
  for (const e of events) {
    if (!e.ok) continue;
    const payload = await envelopePayload(repo, memo, e.event.commit);
    if (!payload.ok) return payload;
    messages.push({ commit: e.event.commit, ulid: e.event.ulid, cid: cids.get(e.event.commit) ?? '', payload: payload.value });
  }
  const base = { kind: 'message' as const, topic: b.topic, shard: b.shard, messages, others: [] as Occurrence[], lag: [] as Lag[] };
  if (!state.value) return ok(base);
  const st = state.value;
  // Every shard ref of the topic but this one, at the server and as pushed alongside.
  const prefix = `${BUS_PREFIX}${b.topic}/`;
  const refs = await repo.forEachRef([prefix]);
  if (!refs.ok) return err(gitFailure(refs.error, prefix));
  const tips: { shard: number; tip: string }[] = [];
  const shardOfRef = (ref: string): number | undefined => {
    const s = ref.slice(prefix.length);
    return /^(?:0|[1-9][0-9]{0,3})$/.test(s) ? Number(s) : undefined;
  };
  for (const r of refs.value) {
    const s = shardOfRef(r.ref);
    if (s !== undefined && r.ref !== u.ref) tips.push({ shard: s, tip: r.id });
  }
  for (const [ref, id] of pushed) {
    const s = ref.startsWith(prefix) ? shardOfRef(ref) : undefined;
    if (s !== undefined && ref !== u.ref && id !== repo.zeroId) tips.push({ shard: s, tip: id });
  }
  const min = messages.reduce<string | undefined>((m, x) => (m === undefined || x.ulid < m ? x.ulid : m), undefined);
  const found = new Map<string, Occurrence>();
  const floors: Floor[] = [];
  if (min !== undefined) {
    for (const t of tips) {
      const s = await scanShard(repo, t.shard, t.tip, min, found, floors);
      if (!s.ok) return s;
    }
  }
  // Each summary pushed: the window its parent closes, rebuilt from the objects.
  const segments: SegmentFact[] = [];
  const byId = new Map(commits.map((c) => [c.id, c]));
  for (const e of events) {
    if (!e.ok || e.event.type !== SEGMENT_TYPE) continue;
    const w = await readWindow(repo, byId.get(e.event.commit)?.parents[0]);
    if (!w.ok) segments.push({ commit: e.event.commit, problem: w.error });
    else {
      const rebuilt = summarize(w.value);
      segments.push(rebuilt ? { commit: e.event.commit, rebuilt } : { commit: e.event.commit, problem: 'it closes an empty window: there is no message since the previous summary' });
    }
  }
  const lag = st.config.ack_window_s !== undefined && messages.length > 0 ? await lags(repo, b.topic, [b.shard], st.config.subscribers) : ok([]);
  if (!lag.ok) return lag;
  return ok({ ...base, state: st, others: [...found.values()], lag: lag.value, segments, floors });
}

async function ackFacts(repo: GitRepo, u: RefUpdate, b: Extract<BusRef, { kind: 'ack' }>, events: readonly EventFact[], memo: VerifyMemo, pushed: ReadonlyMap<string, string>): Promise<Got<BusFacts>> {
  let prev: ReadonlyMap<number, string> = new Map();
  if (u.oldId !== repo.zeroId) {
    const o = await ackOffsets(repo, b.topic, b.subscriber, u.oldId);
    if (!o.ok) return o;
    prev = o.value;
  }
  const acks: AckFact[] = [];
  const serverTips = new Map<number, string | undefined>();
  const tipsOf = async (shard: number): Promise<Got<string[]>> => {
    if (!serverTips.has(shard)) {
      const r = await repo.readRef(messageRef(b.topic, shard));
      if (!r.ok) return err(gitFailure(r.error, messageRef(b.topic, shard)));
      serverTips.set(shard, r.value);
    }
    const list = [serverTips.get(shard), pushed.get(messageRef(b.topic, shard))].filter((x): x is string => x !== undefined && x !== repo.zeroId);
    return ok(list);
  };
  // A pruned message is still on its shard: under the archive refs its prunes created (decision 0039). Listed once a
  // named commit is on no live tip, once per shard.
  const archived = new Map<number, string[]>();
  const archivedOf = async (shard: number): Promise<Got<string[]>> => {
    const have = archived.get(shard);
    if (have) return ok(have);
    const a = await archiveTips(repo, b.topic, shard);
    if (a.ok) archived.set(shard, a.value);
    return a;
  };
  const reaches = async (from: string, to: string): Promise<Got<boolean>> => {
    if (from === to) return ok(true);
    const r = await repo.isAncestor(from, to);
    return r.ok ? ok(r.value) : ok(false);
  };
  const reachesAny = async (from: string, tips: readonly string[]): Promise<Got<boolean>> => {
    for (const t of tips) {
      const r = await reaches(from, t);
      if (!r.ok || r.value) return r;
    }
    return ok(false);
  };
  for (const e of events) {
    if (!e.ok) continue;
    const payload = await envelopePayload(repo, memo, e.event.commit);
    if (!payload.ok) return payload;
    const p = readAckPayload(payload.value);
    const exists = new Map<number, boolean>();
    const monotone = new Map<number, boolean>();
    let dropped: number[] = [];
    if (p.ok) {
      for (const [shard, named] of p.value) {
        const tips = await tipsOf(shard);
        if (!tips.ok) return tips;
        let found = await reachesAny(named, tips.value);
        if (found.ok && !found.value) {
          const more = await archivedOf(shard);
          if (!more.ok) return more;
          found = await reachesAny(named, more.value);
        }
        if (!found.ok) return found;
        exists.set(shard, found.value);
        const before = prev.get(shard);
        // Across a prune, the prune root stands for the old tip it archived.
        monotone.set(shard, before === undefined || (await precedes(repo, before, named)));
      }
      dropped = [...prev.keys()].filter((s) => !p.value.has(s)).sort((x, y) => x - y);
      prev = p.value;
    }
    acks.push({ commit: e.event.commit, payload: payload.value, exists, monotone, dropped });
  }
  return ok({ kind: 'ack', topic: b.topic, subscriber: b.subscriber, acks });
}

async function configFacts(repo: GitRepo, u: RefUpdate, b: Extract<BusRef, { kind: 'config' }>, commits: readonly Commit[]): Promise<Got<BusFacts>> {
  let prev: TopicConfig | undefined;
  let state: TopicState | undefined;
  if (u.oldId !== repo.zeroId) {
    const s = await topicState(repo, b.topic, u.oldId);
    if (!s.ok) return s;
    state = s.value;
    prev = state?.config;
  }
  const steps: { commit: string; config: ReturnType<typeof readTopicConfig> }[] = [];
  for (const c of commits) {
    const r = await configAt(repo, c.id);
    if (!r.ok) return r;
    steps.push({ commit: c.id, config: r.value });
  }
  const flips = steps.some((s) => s.config.ok && s.config.value.migrate === 'done' && prev?.migrate === 'dual-write');
  let oldLag: Lag[] = [];
  if (flips && state?.old) {
    const last = steps[steps.length - 1]?.config;
    const subscribers = last?.ok ? last.value.subscribers : state.config.subscribers;
    const shards = Array.from({ length: state.old.shards }, (_, i) => i);
    const l = await lags(repo, b.topic, shards, subscribers);
    if (!l.ok) return l;
    oldLag = l.value;
  }
  return ok({ kind: 'config', topic: b.topic, ...(prev ? { prev } : {}), steps, oldLag });
}

/**
 * The bus facts of one update of `bus` (its commits read, its events
 * verified): a failure when git cannot answer, which refuses the update.
 */
export async function gatherBus(repo: GitRepo, u: RefUpdate, b: BusRef, commits: readonly Commit[], events: readonly EventFact[], memo: VerifyMemo, pushed: ReadonlyMap<string, string>): Promise<{ bus?: BusFacts; failure?: Failure }> {
  if (u.newId === repo.zeroId) return {};
  if (b.kind === 'archive') {
    const a = await archiveFacts(repo, u, b);
    return a.ok ? { bus: a.value } : { failure: a.error };
  }
  // A shard moved to a root commit carrying a bus.prune event: judged as a prune (decision 0039).
  const tip = commits.find((c) => c.id === u.newId);
  const prune = b.kind === 'message' && u.oldId !== repo.zeroId && tip !== undefined && isPruneRoot(tip);
  const r = prune ? await pruneFacts(repo, u, b, events, memo, pushed) : b.kind === 'message' ? await messageFacts(repo, u, b, commits, events, memo, pushed) : b.kind === 'ack' ? await ackFacts(repo, u, b, events, memo, pushed) : await configFacts(repo, u, b, commits);
  return r.ok ? { bus: r.value } : { failure: r.error };
}
