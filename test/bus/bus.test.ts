/**
 * The message bus through a gated repository (regulated template), with
 * real pushes and the built `gatos bus` CLI: three agents (alice, bob,
 * carol) publish and consume topic `jobs` through a reshard from 2 to 3
 * shards. Every refusal is checked with its code and its audit entry:
 * misplaced shard, backpressure (ACK_TIMEOUT, hit then cleared), an ack for
 * a missing message and a non-monotone one, a dual-write twin of other
 * bytes, a wrong map version, a replay across shards and maps, and a flip
 * while subscribers lag. At the end every message has been delivered
 * exactly once to every subscriber. The world is built once; 13 pushes.
 */
import { randomBytes } from 'node:crypto';
import { nextUlid } from '../../src/events';
import { readEnvelopeAt } from '../../src/events/read';
import { encodeEnvelope } from '../../src/events/envelope';
import { buildEventCommit } from '../../src/events/commit';
import { loadKey } from '../../src/keys';
import { formatTime } from '../../src/trust';
import { ObjectBatch } from '../../src/workspace/object-batch';
import { placement, shardOf, type TopicState } from '../../src/gate/bus';
import { BUS_REFS, busActors } from '../helpers/bus';
import { GateWorld, ulidAt } from '../helpers/gate-world';

jest.setTimeout(240_000);

const TOPIC = 'jobs';
const shardRef = (s: number) => `refs/gatos/mbus/${TOPIC}/${s}`;

interface Delivered {
  ulid: string;
  key: string;
  shard: number;
}

describe('the message bus through a gated repository (reshard from 2 to 3 shards)', () => {
  let w: GateWorld;
  const dir: Record<string, string> = {};
  const delivered: Record<string, Delivered[]> = { 'user:alice': [], 'user:bob': [], 'user:carol': [] };
  const published: string[] = [];
  /** Keys placed on a known shard by map v1 (2 shards) and v2 (3 shards). */
  const v1: TopicState = { topic: TOPIC, config: { version: 1, shards: 2, hash: 'blake3', strategy: 'consistent', from_version: 0, migrate: 'done', subscribers: [] } };
  const window: TopicState = { topic: TOPIC, config: { ...v1.config, version: 2, shards: 3, from_version: 1, migrate: 'dual-write' }, old: v1.config };
  const keys = Array.from({ length: 200 }, (_, i) => `job-${i}`);
  const onShard = (s: number, n: number) => keys.filter((k) => shardOf(k, 2) === s).slice(0, n);
  const OLD_KEY = onShard(0, 1)[0] as string;

  const { ok, cli, accepted, sync, lastRefusal, withRepo } = busActors(() => w, dir);
  const subscribeAck = (actor: string) => {
    sync(actor);
    const r = JSON.parse(cli(actor, ['bus', 'subscribe', TOPIC, '--ack', '--json']).stdout) as { messages: Delivered[] };
    delivered[actor]?.push(...r.messages);
  };
  /** One `gatos bus publish` of a message per key (one CLI start for all). */
  const publish = (actor: string, ks: string[], env: Record<string, string> = {}) => {
    const r = JSON.parse(cli(actor, ['bus', 'publish', TOPIC, ...ks.flatMap((k) => ['--key', k]), '--body', JSON.stringify({ from: actor }), '--json'], env).stdout) as { published: { ulid: string; refs: Record<string, string> }[] };
    published.push(...r.published.map((p) => p.ulid));
    return r.published;
  };
  /** A message built with the producer's library but placed, versioned or replayed as a forger chooses; moves the local ref. */
  async function forge(actor: string, shard: number, m: { key: string; map: number; body?: unknown; ulid?: string; replay?: string }): Promise<{ commit: string; ulid: string }> {
    const key = loadKey(w.keyDir, actor);
    if (!key.ok) throw new Error(key.error.message);
    return withRepo(actor, async (repo) => {
      const tip = await repo.readRef(shardRef(shard));
      if (!tip.ok) throw new Error(tip.error.message);
      let enc;
      if (m.replay) {
        const e = await readEnvelopeAt(repo, m.replay);
        if (!e.ok) throw new Error(e.error.message);
        enc = e.value;
      } else {
        const b = w.activeBundle(dir[actor] as string);
        const nowMs = Date.now();
        const ts = Math.floor(nowMs / 1000);
        // After the shard tip's ULID: one of this second with a random tail (ulidAt) sorted below a message the CLI
        // published earlier in the same second (its ULIDs carry milliseconds), and the gate refused it as not after the
        // tip (DUP_COMMIT gate/event) instead of for what the test forged.
        const last = tip.value ? await readEnvelopeAt(repo, tip.value) : undefined;
        const next = nextUlid(nowMs, randomBytes(10), last?.ok ? last.value.envelope.ulid : undefined);
        if (!next.ok) throw new Error(next.error.message);
        const e = encodeEnvelope({ type: 'bus.message', ulid: m.ulid ?? next.value, actor, ns: TOPIC, caps: [`bus:publish:${TOPIC}`], payload: { key: m.key, map: m.map, body: m.body ?? null }, policy_root: b.commit, fold_root: b.foldRoot, sig_alg: 'ed25519', ts });
        if (!e.ok) throw new Error(e.error.message);
        enc = e.value;
      }
      const built = buildEventCommit(repo.format, enc, key.value, tip.value);
      if (!built.ok) throw new Error(built.error.message);
      const batch = new ObjectBatch(repo.format);
      batch.addAll(built.value.objects);
      const wr = await batch.write(repo);
      if (!wr.ok) throw new Error(wr.error.message);
      ok(w.git(dir[actor] as string, ['update-ref', shardRef(shard), built.value.commit]), 'update-ref');
      return { commit: built.value.commit, ulid: enc.envelope.ulid };
    });
  }

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1', template: 'regulated' }).setup();
    const at = { GATOS_NOW: formatTime(w.adminNow) };
    for (const a of ['user:alice', 'user:bob', 'user:carol']) {
      ok(w.gatos(w.admin, ['trust', 'grant', '--to', a, '--caps', `bus:publish:${TOPIC},bus:subscribe:${TOPIC}`, '--exp', formatTime(w.now + 365 * 86400), '--as', 'user:root'], at), `grant ${a}`);
    }
    dir['user:root'] = w.publishRegulated('root', {});
    for (const a of ['user:alice', 'user:bob', 'user:carol']) dir[a] = w.client(a);
  });

  test('a topic is created; alice publishes, one message two hours old; bob consumes and acks', () => {
    cli('user:root', ['bus', 'reshard', TOPIC, '--shards', '2', '--subscribers', 'user:bob,user:carol', '--ack-window', '3600']);
    accepted('user:root', ['refs/gatos/mbus-config/*']);
    sync('user:alice');
    publish('user:alice', [OLD_KEY], { GATOS_NOW: formatTime(w.now - 7200) });
    publish('user:alice', [onShard(0, 2)[1], ...onShard(1, 2)] as string[]);
    accepted('user:alice');
    subscribeAck('user:bob');
    accepted('user:bob');
    expect(delivered['user:bob']).toHaveLength(4);
    const status = JSON.parse(ok(w.gatos(dir['user:bob'] as string, ['bus', 'status', TOPIC, '--json']), 'status').stdout) as { lag: { subscriber: string; unacked: number }[] };
    expect(status.lag.filter((l) => l.subscriber === 'user:bob').every((l) => l.unacked === 0)).toBe(true);
  });

  test('one push, three refusals: backpressure names carol (ACK_TIMEOUT), a misplaced message, an ack of a missing message that also moves back', async () => {
    sync('user:bob');
    const before = w.serverRefs();
    // Shard 0 holds the message carol has not acked for two hours.
    const [refused] = publish('user:bob', [onShard(0, 3)[2] as string]);
    published.splice(published.indexOf(refused?.ulid as string), 1);
    const misplaced = onShard(0, 4)[3] as string;
    await forge('user:bob', 1, { key: misplaced, map: 1 });
    // An ack naming, on shard 0, the first message (behind bob's ack) and on shard 1 a commit that is no message (the config).
    const cfg = ok(w.git(dir['user:bob'] as string, ['rev-parse', 'refs/gatos/mbus-config/jobs']), 'rev-parse').stdout.trim();
    const first = ok(w.git(dir['user:bob'] as string, ['rev-list', '--max-parents=0', 'refs/gatos/mbus/jobs/0']), 'rev-list').stdout.trim();
    cli('user:bob', ['bus', 'ack', TOPIC, '--shard', `0=${first}`, '--shard', `1=${cfg}`]);
    const r = w.push(dir['user:bob'] as string, 'user:bob', BUS_REFS);
    expect(r.status).not.toBe(0);
    expect(w.serverRefs()).toBe(before);
    const e = lastRefusal();
    const on = (ref: string) => e.denials.filter((d) => d.ref === ref).map((d) => `${d.code} ${d.rule}`);
    expect(on(shardRef(0))).toContain('ACK_TIMEOUT gate/bus-backpressure');
    expect(r.stderr).toContain('user:carol');
    expect(on(shardRef(1))).toEqual(['POLICY_DENY gate/bus-placement']);
    const acks = e.denials.filter((d) => d.ref === 'refs/gatos/mbus-ack/jobs/user/bob');
    expect(acks.map((d) => d.rule)).toEqual(['gate/bus-ack', 'gate/bus-ack']);
    expect(acks.map((d) => d.reason).join('\n')).toMatch(/shard 0: .* is behind user:bob's previous ack[\s\S]*shard 1: .* is not a message on refs\/gatos\/mbus\/jobs\/1/);
  });

  test('carol acks, and the same publish is accepted: backpressure cleared', () => {
    subscribeAck('user:carol');
    accepted('user:carol');
    expect(delivered['user:carol']).toHaveLength(4);
    sync('user:bob');
    publish('user:bob', [onShard(0, 3)[2], onShard(1, 3)[2]] as string[]);
    accepted('user:bob');
  });

  test('root opens a dual-write window to 3 shards; a twin of other bytes, a wrong map version and a replay across maps are refused in one push', async () => {
    sync('user:root');
    cli('user:root', ['bus', 'reshard', TOPIC, '--shards', '3']);
    accepted('user:root', ['refs/gatos/mbus-config/*']);
    sync('user:alice');
    // Jump hashing moves keys only onto the new shard: a split key sits on its old shard and on shard 2.
    const split = keys.find((k) => shardOf(k, 2) === 0 && shardOf(k, 3) === 2) as string;
    const stale = keys.find((k) => shardOf(k, 2) === 1 && shardOf(k, 3) === 1) as string;
    const ulid = ulidAt(Math.floor(Date.now() / 1000) + 1);
    await forge('user:alice', 0, { key: split, map: 2, ulid, body: 'one' });
    // Shard 2 is new and empty: a message accepted under map 1 on shard 0 replayed there passes the shard's ULID order,
    // so only the (topic, ULID) lookup across shards catches it; then the twin of shard 0's message, other bytes.
    const accepted0 = ok(w.git(dir['user:alice'] as string, ['rev-list', '--max-parents=0', shardRef(0)]), 'rev-list').stdout.trim();
    const replayed = await forge('user:alice', 2, { key: OLD_KEY, map: 1, replay: accepted0 });
    await forge('user:alice', 2, { key: split, map: 2, ulid, body: 'two' });
    await forge('user:alice', 1, { key: stale, map: 1, ulid: ulidAt(Math.floor(Date.now() / 1000) + 1) });
    const before = w.serverRefs();
    const r = w.push(dir['user:alice'] as string, 'user:alice', ['refs/gatos/mbus/*']);
    expect(r.status).not.toBe(0);
    expect(w.serverRefs()).toBe(before);
    const e = lastRefusal();
    const on = (s: number) => e.denials.filter((d) => d.ref === shardRef(s)).map((d) => `${d.code} ${d.rule}`).sort();
    expect(on(0)).toEqual(['DUP_COMMIT gate/bus-exactly-once']);
    expect(e.denials.find((d) => d.ref === shardRef(0))?.reason).toContain('dual-write twin on shard 2');
    expect(on(2)).toEqual(['DUP_COMMIT gate/bus-exactly-once', 'DUP_COMMIT gate/bus-exactly-once', 'EPOCH_BROKEN gate/bus-placement']);
    expect(e.denials.find((d) => d.ref === shardRef(2) && d.commit === replayed.commit && d.code === 'DUP_COMMIT')?.reason).toContain('is already on shard 0');
    expect(on(1)).toEqual(['EPOCH_BROKEN gate/bus-placement']);
  });

  test('alice publishes through the window (each split key on both maps\' shards, the same bytes); a premature flip is refused with ACK_TIMEOUT', () => {
    sync('user:alice');
    const split = keys.filter((k) => placement(window, k).length === 2).slice(1, 3);
    const same = keys.filter((k) => placement(window, k).length === 1).slice(0, 2);
    const ks = [...split, ...same];
    const out = publish('user:alice', ks);
    expect(out.map((p) => Object.keys(p.refs).length)).toEqual(ks.map((k) => placement(window, k).length));
    expect(out.map((p) => Object.keys(p.refs).length).sort()).toEqual([1, 1, 2, 2]);
    accepted('user:alice', ['refs/gatos/mbus/*']);
    sync('user:root');
    cli('user:root', ['bus', 'reshard', TOPIC, '--flip']);
    const r = w.push(dir['user:root'] as string, 'user:root', ['refs/gatos/mbus-config/*']);
    expect(r.status).not.toBe(0);
    const e = lastRefusal();
    expect(e.denials.map((d) => `${d.code} ${d.rule}`)).toContain('ACK_TIMEOUT gate/bus-flip');
    expect(r.stderr).toMatch(/user:(bob|carol)/);
  });

  test('bob and carol consume both maps (twins once) and ack; the flip is accepted; every message reached every subscriber exactly once', () => {
    subscribeAck('user:bob');
    accepted('user:bob');
    subscribeAck('user:carol');
    accepted('user:carol');
    sync('user:root');
    cli('user:root', ['bus', 'reshard', TOPIC, '--flip']);
    accepted('user:root', ['refs/gatos/mbus-config/*']);
    // alice, a subscriber too (not named for backpressure), reads everything once.
    sync('user:alice');
    const r = JSON.parse(cli('user:alice', ['bus', 'subscribe', TOPIC, '--json']).stdout) as { messages: Delivered[] };
    delivered['user:alice']?.push(...r.messages);
    const all = [...new Set(published)].sort();
    expect(all).toHaveLength(published.length);
    for (const a of ['user:alice', 'user:bob', 'user:carol']) {
      const got = (delivered[a] as Delivered[]).map((d) => d.ulid);
      expect({ a, n: got.length }).toEqual({ a, n: new Set(got).size });
      expect({ a, got: [...got].sort() }).toEqual({ a, got: all });
    }
    const status = JSON.parse(ok(w.gatos(dir['user:root'] as string, ['bus', 'status', TOPIC, '--json']), 'status').stdout) as { config: { version: number; migrate: string } };
    expect(status.config).toMatchObject({ version: 2, migrate: 'done' });
  });
});
