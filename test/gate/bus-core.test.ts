/**
 * The bus rules without git (src/gate/bus.ts): ref names, topic configs and
 * their transitions, jump consistent hashing (property: adding a shard moves
 * about 1/n of the keys, all to the new shard), placement in a dual-write
 * window, dedupe by (topic, ULID) (property: order-independent), and every
 * denial the gate raises from gathered facts.
 */
import fc from 'fast-check';
import {
  busDenials, configTransition, dedupeMessages, jumpHash, keyHash, parseBusRef, placement, readAckPayload, readMessagePayload, readTopicConfig, shardOf,
  type BusFacts, type TopicConfig, type TopicState,
} from '../../src/gate/bus';
import type { EventFact } from '../../src/gate/facts';
import { enforcedIn } from '../../src/gate/verdict';

const C = (over: Partial<TopicConfig> = {}): TopicConfig => ({ version: 1, shards: 4, hash: 'blake3', strategy: 'consistent', from_version: 0, migrate: 'done', subscribers: [], ...over });

describe('bus ref names', () => {
  test('messages, acks and configs parse; anything else under a bus prefix is named', () => {
    expect(parseBusRef('refs/gatos/mbus/jobs/3')).toEqual({ ok: true, value: { kind: 'message', topic: 'jobs', shard: 3 } });
    expect(parseBusRef('refs/gatos/mbus-ack/jobs/agent/worker')).toEqual({ ok: true, value: { kind: 'ack', topic: 'jobs', subscriber: 'agent:worker' } });
    expect(parseBusRef('refs/gatos/mbus-config/jobs')).toEqual({ ok: true, value: { kind: 'config', topic: 'jobs' } });
    expect(parseBusRef('refs/gatos/mbus/jobs/03')).toMatchObject({ ok: false, problem: expect.stringContaining('no leading zeros') });
    expect(parseBusRef('refs/gatos/mbus/jobs/4096')).toMatchObject({ ok: false });
    expect(parseBusRef('refs/gatos/mbus/Jobs/1')).toMatchObject({ ok: false, problem: expect.stringContaining('upper-case') });
    expect(parseBusRef('refs/gatos/mbus-ack/jobs/robot/x')).toMatchObject({ ok: false });
    expect(parseBusRef('refs/gatos/journal/app/user/alice')).toBeUndefined();
  });
});

describe('topic configs', () => {
  test('the seed\'s fields are read strictly', () => {
    expect(readTopicConfig({ version: 3, shards: 64, hash: 'blake3', strategy: 'consistent', from_version: 2, migrate: 'dual-write' })).toEqual({ ok: true, value: C({ version: 3, shards: 64, from_version: 2, migrate: 'dual-write' }) });
    expect(readTopicConfig({ ...C(), hash: 'sha1' })).toMatchObject({ ok: false, problem: expect.stringContaining("'hash'") });
    expect(readTopicConfig({ ...C({ version: 3 }), from_version: 1 })).toMatchObject({ ok: false, problem: expect.stringContaining('predecessor, 2') });
    expect(readTopicConfig({ ...C(), migrate: 'dual-write' })).toMatchObject({ ok: false, problem: expect.stringContaining('no predecessor') });
    expect(readTopicConfig({ ...C(), subscribers: ['user:b', 'user:a'] })).toMatchObject({ ok: false, problem: expect.stringContaining('sorted') });
    expect(readTopicConfig({ ...C(), extra: 1 })).toMatchObject({ ok: false, problem: expect.stringContaining('extra') });
    expect(readTopicConfig({ ...C(), ack_window_s: 0 })).toMatchObject({ ok: false });
  });

  test('transitions: create closed, reshard only from a closed map to version+1, flip, settings; nothing else', () => {
    const v1 = C();
    const v2 = C({ version: 2, from_version: 1, shards: 6, migrate: 'dual-write' });
    expect(configTransition(undefined, v1)).toEqual({ ok: true, value: 'create' });
    expect(configTransition(undefined, v2)).toMatchObject({ ok: false });
    expect(configTransition(v1, v2)).toEqual({ ok: true, value: 'reshard' });
    expect(configTransition(v1, { ...v2, migrate: 'done' })).toMatchObject({ ok: false, problem: expect.stringContaining('dual-write') });
    expect(configTransition(v1, C({ version: 3, from_version: 2, migrate: 'dual-write' }))).toMatchObject({ ok: false, problem: expect.stringContaining('predecessor plus one') });
    expect(configTransition(v2, { ...v2, migrate: 'done' })).toEqual({ ok: true, value: 'flip' });
    expect(configTransition(v2, C({ version: 3, from_version: 2, migrate: 'dual-write' }))).toMatchObject({ ok: false, problem: expect.stringContaining('still open') });
    expect(configTransition({ ...v2, migrate: 'done' }, v2)).toMatchObject({ ok: false, problem: expect.stringContaining('cannot reopen') });
    expect(configTransition(v1, { ...v1, subscribers: ['user:bob'], ack_window_s: 60 })).toEqual({ ok: true, value: 'settings' });
    expect(configTransition(v1, { ...v1, shards: 5 })).toMatchObject({ ok: false, problem: expect.stringContaining('new version') });
    expect(configTransition(v2, v1)).toMatchObject({ ok: false });
  });
});

/** The published algorithm in 64-bit BigInt arithmetic: the reference the 32-bit version must equal. */
function jumpReference(key: bigint, shards: number): number {
  let k = key;
  let b = -1n;
  let j = 0n;
  while (j < BigInt(shards)) {
    b = j;
    k = BigInt.asUintN(64, k * 2862933555777941757n + 1n);
    j = BigInt(Math.floor(Number(b + 1n) * (2 ** 31 / Number((k >> 33n) + 1n))));
  }
  return Number(b);
}

describe('consistent hashing (jump hash over BLAKE3)', () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `order-${i}`);
  const hashes = keys.map(keyHash);

  test('the 32-bit arithmetic equals the 64-bit reference', () => {
    const u32 = fc.integer({ min: 0, max: 0xffffffff });
    fc.assert(fc.property(u32, u32, fc.integer({ min: 1, max: 5000 }), (hi, lo, n) => jumpHash({ hi, lo }, n) === jumpReference((BigInt(hi) << 32n) | BigInt(lo), n)), { numRuns: 300 });
    expect(jumpHash({ hi: 0xffffffff, lo: 0xffffffff }, 1000)).toBe(jumpReference((1n << 64n) - 1n, 1000));
  });

  test('a shard is in range and the same key always lands on the same shard', () => {
    for (const n of [1, 2, 7, 64, 4096]) {
      for (const h of hashes.slice(0, 200)) {
        const s = jumpHash(h, n);
        expect(s >= 0 && s < n).toBe(true);
      }
    }
    expect(shardOf('order-17', 64)).toBe(shardOf('order-17', 64));
    expect(jumpHash({ hi: 0, lo: 0 }, 1)).toBe(0);
  });

  test('property: from n to n+1 shards about 1/(n+1) of the keys move, every one of them to the new shard', () => {
    for (let n = 1; n <= 16; n++) {
      let moved = 0;
      let elsewhere = 0;
      for (const h of hashes) {
        const a = jumpHash(h, n);
        const b = jumpHash(h, n + 1);
        if (a !== b) {
          moved++;
          if (b !== n) elsewhere++;
        }
      }
      expect(elsewhere).toBe(0);
      const expected = keys.length / (n + 1);
      // Binomial spread: within 5 standard deviations of the mean.
      const sd = Math.sqrt(keys.length * (1 / (n + 1)) * (n / (n + 1)));
      expect(Math.abs(moved - expected)).toBeLessThan(5 * sd);
    }
  });

  test('keys spread evenly over the shards', () => {
    const counts = new Array<number>(8).fill(0);
    for (const h of hashes) counts[jumpHash(h, 8)] = (counts[jumpHash(h, 8)] as number) + 1;
    for (const c of counts) expect(Math.abs(c - 250)).toBeLessThan(5 * Math.sqrt(2000 * (1 / 8) * (7 / 8)));
  });

  test('placement: one shard outside a window, the shard of each map inside one', () => {
    const closed: TopicState = { topic: 't', config: C({ shards: 4 }) };
    const open: TopicState = { topic: 't', config: C({ version: 2, from_version: 1, shards: 5, migrate: 'dual-write' }), old: C({ shards: 4 }) };
    let twoShards = 0;
    for (const k of keys.slice(0, 500)) {
      expect(placement(closed, k)).toEqual([shardOf(k, 4)]);
      const p = placement(open, k);
      expect(p).toEqual([...new Set([shardOf(k, 4), shardOf(k, 5)])].sort((a, b) => a - b));
      if (p.length === 2) twoShards++;
    }
    expect(twoShards).toBeGreaterThan(50);
    expect(twoShards).toBeLessThan(150);
  });
});

describe('dedupe by (topic, ULID)', () => {
  const delivery = fc.record({
    topic: fc.constantFrom('a', 'b'),
    ulid: fc.integer({ min: 0, max: 11 }).map((n) => `01J${String(n).padStart(23, '0')}`),
    shard: fc.integer({ min: 0, max: 3 }),
  }).map((d) => ({ ...d, commit: `${d.shard}${d.topic}${d.ulid}`.toLowerCase() }));

  test('property: the result does not depend on the order (or repetition) deliveries arrive in', () => {
    fc.assert(
      fc.property(fc.array(delivery, { maxLength: 40 }).chain((ds) => fc.tuple(fc.constant(ds), fc.shuffledSubarray(ds, { minLength: ds.length, maxLength: ds.length }))), ([ds, shuffled]) => {
        const once = dedupeMessages(ds);
        const keys = once.map((d) => `${d.topic}/${d.ulid}`);
        expect(new Set(keys).size).toBe(keys.length);
        expect(new Set(keys)).toEqual(new Set(ds.map((d) => `${d.topic}/${d.ulid}`)));
        expect(dedupeMessages(shuffled)).toEqual(once);
        expect(dedupeMessages([...shuffled, ...ds])).toEqual(once);
      }),
      { numRuns: 300 },
    );
  });
});

describe('payloads', () => {
  test('a message is { key, map, body }; an ack names a commit per shard', () => {
    expect(readMessagePayload({ key: 'k', map: 2, body: { a: 1 } })).toEqual({ ok: true, value: { key: 'k', map: 2, body: { a: 1 } } });
    expect(readMessagePayload({ key: 'k', map: 2n, body: null })).toMatchObject({ ok: true, value: { map: 2 } });
    expect(readMessagePayload({ key: '', map: 1 })).toMatchObject({ ok: false });
    expect(readMessagePayload({ key: 'k', map: 1, extra: 1 })).toMatchObject({ ok: false });
    expect(readAckPayload({ shards: { '0': 'a'.repeat(40) } })).toMatchObject({ ok: true });
    expect(readAckPayload({ shards: {} })).toMatchObject({ ok: false });
    expect(readAckPayload({ shards: { x: 'a'.repeat(40) } })).toMatchObject({ ok: false });
  });
});

describe('busDenials', () => {
  const REF = 'refs/gatos/mbus/jobs';
  const ev = (commit: string, ulid: string, over: Partial<{ ns: string; caps: string[]; actor: string; type: string }> = {}): EventFact => ({
    ok: true,
    event: { commit, type: over.type ?? 'bus.message', ulid, actor: over.actor ?? 'agent:a', ns: over.ns ?? 'jobs', signer: 'ed25519:00', ts: 1000, caps: over.caps ?? ['bus:publish:jobs'] },
  });
  const U1 = '01J00000000000000000000001';
  const closed: TopicState = { topic: 'jobs', config: C({ shards: 4 }) };
  const open: TopicState = { topic: 'jobs', config: C({ version: 2, from_version: 1, shards: 5, migrate: 'dual-write' }), old: C({ shards: 4 }) };
  // A key the two maps place apart, and one they agree on.
  const split = Array.from({ length: 200 }, (_, i) => `k${i}`).find((k) => shardOf(k, 4) !== shardOf(k, 5)) as string;
  const msg = (key: string, map = 1) => ({ commit: 'c1', ulid: U1, cid: 'bcid1', payload: { key, map, body: null } });
  const codes = (out: ReturnType<typeof busDenials>) => out.map((d) => `${d.code} ${d.ruleId}`);

  test('a message on its shard passes; elsewhere it is misplaced; another map version is EPOCH_BROKEN', () => {
    const s = shardOf('alpha', 4);
    const f = (shard: number, map = 1): BusFacts => ({ kind: 'message', topic: 'jobs', shard, state: closed, messages: [msg('alpha', map)], others: [], lag: [] });
    expect(busDenials(`${REF}/${s}`, f(s), [ev('c1', U1)], [], 2000)).toEqual([]);
    expect(codes(busDenials(`${REF}/${(s + 1) % 4}`, f((s + 1) % 4), [ev('c1', U1)], [], 2000))).toEqual(['POLICY_DENY gate/bus-placement']);
    expect(codes(busDenials(`${REF}/${s}`, f(s, 2), [ev('c1', U1)], [], 2000))).toEqual(['EPOCH_BROKEN gate/bus-placement']);
    expect(codes(busDenials(`${REF}/9`, f(9), [ev('c1', U1)], [], 2000))).toContain('POLICY_DENY gate/bus-placement');
  });

  test('the topic, the claimed capability and the payload are the gate\'s to check', () => {
    const s = shardOf('alpha', 4);
    const f: BusFacts = { kind: 'message', topic: 'jobs', shard: s, state: closed, messages: [msg('alpha')], others: [], lag: [] };
    expect(codes(busDenials(REF, f, [ev('c1', U1, { ns: 'other' })], [], 2000))).toEqual(['POLICY_DENY gate/bus-message']);
    expect(codes(busDenials(REF, f, [ev('c1', U1, { caps: [] })], [], 2000))).toEqual(['POLICY_DENY gate/bus-message']);
    expect(codes(busDenials(REF, { ...f, state: undefined }, [ev('c1', U1)], [], 2000))).toEqual(['POLICY_DENY gate/bus-placement']);
  });

  test('exactly once: a replay on another shard is DUP_COMMIT; a twin of the same bytes passes, of other bytes is DUP_COMMIT; a missing twin is refused', () => {
    const [a, b] = placement(open, split) as [number, number];
    const base = { kind: 'message' as const, topic: 'jobs', shard: a, state: open, messages: [msg(split, 2)], lag: [] };
    expect(codes(busDenials(REF, { ...base, others: [] }, [ev('c1', U1)], [], 2000))).toEqual(['POLICY_DENY gate/bus-placement']);
    expect(busDenials(REF, { ...base, others: [{ ulid: U1, shard: b, commit: 'c2', cid: 'bcid1' }] }, [ev('c1', U1)], [], 2000)).toEqual([]);
    expect(codes(busDenials(REF, { ...base, others: [{ ulid: U1, shard: b, commit: 'c2', cid: 'bother' }] }, [ev('c1', U1)], [], 2000))).toEqual(['DUP_COMMIT gate/bus-exactly-once']);
    const elsewhere = [0, 1, 2, 3, 4].find((x) => x !== a && x !== b) as number;
    expect(codes(busDenials(REF, { ...base, others: [{ ulid: U1, shard: b, commit: 'c2', cid: 'bcid1' }, { ulid: U1, shard: elsewhere, commit: 'c3', cid: 'bcid1' }] }, [ev('c1', U1)], [], 2000))).toEqual(['DUP_COMMIT gate/bus-exactly-once']);
    const s = shardOf('alpha', 4);
    expect(codes(busDenials(REF, { kind: 'message', topic: 'jobs', shard: s, state: closed, messages: [msg('alpha')], others: [{ ulid: U1, shard: (s + 1) % 4, commit: 'c9', cid: 'bcid1' }], lag: [] }, [ev('c1', U1)], [], 2000))).toEqual(['DUP_COMMIT gate/bus-exactly-once']);
  });

  test('backpressure: an unacked message older than the window refuses the publish with ACK_TIMEOUT, naming the subscriber; within it, or acked, passes', () => {
    const s = shardOf('alpha', 4);
    const state: TopicState = { topic: 'jobs', config: C({ shards: 4, subscribers: ['agent:w'], ack_window_s: 60 }) };
    const f = (oldestTs?: number): BusFacts => ({ kind: 'message', topic: 'jobs', shard: s, state, messages: [msg('alpha')], others: [], lag: [{ subscriber: 'agent:w', shard: s, unacked: oldestTs === undefined ? 0 : 3, ...(oldestTs !== undefined ? { oldestTs, oldestCommit: 'c0' } : {}) }] });
    const hit = busDenials(REF, f(1000), [ev('c1', U1)], [], 1061);
    expect(codes(hit)).toEqual(['ACK_TIMEOUT gate/bus-backpressure']);
    expect(hit[0]?.hint).toContain('agent:w');
    expect(busDenials(REF, f(1000), [ev('c1', U1)], [], 1060)).toEqual([]);
    expect(busDenials(REF, f(undefined), [ev('c1', U1)], [], 99999)).toEqual([]);
  });

  test('a flip is refused with ACK_TIMEOUT while any subscriber lags on the old map', () => {
    const v2 = C({ version: 2, from_version: 1, shards: 5, migrate: 'dual-write', subscribers: ['agent:w'] });
    const f = (unacked: number): BusFacts => ({ kind: 'config', topic: 'jobs', prev: v2, steps: [{ commit: 'f1', config: { ok: true, value: { ...v2, migrate: 'done' } } }], oldLag: [{ subscriber: 'agent:w', shard: 2, unacked }] });
    expect(codes(busDenials('refs/gatos/mbus-config/jobs', f(1), [], [], 0))).toEqual(['ACK_TIMEOUT gate/bus-flip']);
    expect(busDenials('refs/gatos/mbus-config/jobs', f(0), [], [], 0)).toEqual([]);
    expect(codes(busDenials('refs/gatos/mbus-config/jobs', { kind: 'config', topic: 'jobs', steps: [{ commit: 'x', config: { ok: false, problem: 'bad' } }], oldLag: [] }, [], [], 0))).toEqual(['ENCODING_INVALID gate/bus-config']);
  });

  test('acks: the subscriber signs its own, names messages that exist, never moves back', () => {
    const A = 'refs/gatos/mbus-ack/jobs/agent/w';
    const commit = 'a'.repeat(40);
    const f = (exists: boolean, monotone: boolean, dropped: number[] = []): BusFacts => ({ kind: 'ack', topic: 'jobs', subscriber: 'agent:w', acks: [{ commit: 'k1', payload: { shards: { '1': commit } }, exists: new Map([[1, exists]]), monotone: new Map([[1, monotone]]), dropped }] });
    const good = ev('k1', U1, { actor: 'agent:w', type: 'bus.ack', caps: ['bus:subscribe:jobs'] });
    expect(busDenials(A, f(true, true), [good], [], 0)).toEqual([]);
    expect(busDenials(A, f(false, true), [good], [], 0)[0]?.reason).toContain('is not a message on refs/gatos/mbus/jobs/1');
    expect(busDenials(A, f(true, false), [good], [], 0)[0]?.reason).toContain('behind');
    expect(busDenials(A, f(true, true, [0]), [good], [], 0)[0]?.reason).toContain('leaves out shard 0');
    expect(codes(busDenials(A, f(true, true), [ev('k1', U1, { actor: 'agent:x', type: 'bus.ack', caps: ['bus:subscribe:jobs'] })], [], 0))).toEqual(['POLICY_DENY gate/bus-ack']);
  });
});

describe('evaluate mode', () => {
  test('relaxes backpressure (a limit) but never the bus\'s invariants', () => {
    const ref = 'refs/gatos/mbus/jobs/0';
    expect(enforcedIn('evaluate', { code: 'ACK_TIMEOUT', ruleId: 'gate/bus-backpressure', ref })).toBe(false);
    for (const ruleId of ['gate/bus-config', 'gate/bus-message', 'gate/bus-placement', 'gate/bus-exactly-once', 'gate/bus-ack', 'gate/bus-flip']) {
      expect({ ruleId, enforced: enforcedIn('evaluate', { code: 'POLICY_DENY', ruleId, ref }) }).toEqual({ ruleId, enforced: true });
    }
  });
});
