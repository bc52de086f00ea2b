/**
 * Bus segments without git (src/gate/bus-segment.ts and the summary rules
 * of src/gate/bus.ts): the summary a window gives, its payload, the
 * segment policy in the topic config, and every denial the gate raises
 * from gathered facts (a wrong field, too early, inside a reshard window,
 * an unreadable window, a ULID at or below another shard's sealed one).
 */
import { busDenials, configTransition, readTopicConfig, topicConfigJson, type BusFacts, type TopicConfig, type TopicState } from '../../src/gate/bus';
import { SEGMENT_TYPE, readSegmentPayload, rotationDue, summarize, summaryMismatches, type WindowMessage } from '../../src/gate/bus-segment';
import { merkleRoot } from '../../src/canon/merkle';
import type { EventFact } from '../../src/gate/facts';
import { enforcedIn } from '../../src/gate/verdict';

const C = (over: Partial<TopicConfig> = {}): TopicConfig => ({ version: 1, shards: 2, hash: 'blake3', strategy: 'consistent', from_version: 0, migrate: 'done', subscribers: [], ...over });
const U = (n: number) => `01J0000000000000000000000${n}`;
const M = (n: number, bytes: number[]): WindowMessage => ({ commit: String(n).repeat(40), ulid: U(n), bytes: Uint8Array.from(bytes) });
const hex = (b: Uint8Array | undefined) => Buffer.from(b as Uint8Array).toString('hex');

describe('summarize', () => {
  test('counts, sizes and roots a window in ULID order, whatever order it was read in, naming the last message and the previous summary', () => {
    const w = [M(3, [3, 3]), M(1, [1]), M(2, [2, 2, 2])];
    const s = summarize({ messages: w, prev: 'f'.repeat(40) });
    expect(s).toEqual({ count: 3, bytes: 6, merkle_root: `blake3:${hex(merkleRoot([Uint8Array.of(1), Uint8Array.of(2, 2, 2), Uint8Array.of(3, 3)]))}`, last_ulid: U(3), last_commit: '3'.repeat(40), prev: 'f'.repeat(40) });
    expect(summarize({ messages: [...w].reverse(), prev: 'f'.repeat(40) })).toEqual(s);
    expect(summarize({ messages: [M(1, [1])] })?.prev).toBeUndefined();
    expect(summarize({ messages: [] })).toBeUndefined();
  });

  test('a mismatch names each wrong field; the same summary has none', () => {
    const s = summarize({ messages: [M(1, [1]), M(2, [2])] });
    if (!s) throw new Error('no summary');
    expect(summaryMismatches(s, s)).toEqual([]);
    const wrong = summaryMismatches({ ...s, count: 3, last_ulid: U(1), prev: 'a'.repeat(40) }, s);
    expect(wrong).toHaveLength(3);
    expect(wrong.join('\n')).toMatch(/'count' is 3, the window gives 2[\s\S]*'last_ulid'[\s\S]*'prev' is "a{40}", the window gives none/);
  });

  test('the payload reads strictly', () => {
    const s = summarize({ messages: [M(1, [1])] });
    expect(readSegmentPayload(s)).toEqual({ ok: true, value: s });
    expect(readSegmentPayload({ ...s, count: BigInt(1) })).toEqual({ ok: true, value: s });
    expect(readSegmentPayload({ ...s, extra: 1 })).toMatchObject({ ok: false, problem: expect.stringContaining('extra') });
    expect(readSegmentPayload({ ...s, count: 0 })).toMatchObject({ ok: false });
    expect(readSegmentPayload({ ...s, merkle_root: 'sha256:00' })).toMatchObject({ ok: false });
    expect(readSegmentPayload({ ...s, prev: 'nope' })).toMatchObject({ ok: false });
    expect(readSegmentPayload([1])).toMatchObject({ ok: false });
  });
});

describe('the segment policy', () => {
  test('rotation is due at either threshold; without a policy, never', () => {
    expect(rotationDue(C(), { count: 100, bytes: 1e9 })).toMatch(/no segment policy/);
    expect(rotationDue(C({ segment_messages: 3 }), { count: 3, bytes: 1 })).toBeUndefined();
    expect(rotationDue(C({ segment_messages: 3 }), { count: 2, bytes: 1 })).toMatch(/2 messages of 1 bytes, below the config's threshold of 3 messages/);
    expect(rotationDue(C({ segment_messages: 3, segment_bytes: 100 }), { count: 1, bytes: 100 })).toBeUndefined();
    expect(rotationDue(C({ segment_messages: 3, segment_bytes: 100 }), { count: 1, bytes: 99 })).toMatch(/3 messages or 100 bytes/);
  });

  test('is part of topic.json, checked, and changed as a settings transition', () => {
    const c = C({ segment_messages: 1000, segment_bytes: 1 << 20 });
    expect(readTopicConfig(topicConfigJson(c))).toEqual({ ok: true, value: c });
    expect(readTopicConfig({ ...topicConfigJson(C()), segment_messages: 0 })).toMatchObject({ ok: false, problem: expect.stringContaining('segment_messages') });
    expect(readTopicConfig({ ...topicConfigJson(C()), segment_bytes: 1.5 })).toMatchObject({ ok: false, problem: expect.stringContaining('segment_bytes') });
    expect(configTransition(C(), c)).toEqual({ ok: true, value: 'settings' });
  });
});

describe('busDenials for summaries', () => {
  const REF = 'refs/gatos/mbus/jobs/0';
  const ev = (commit: string, ulid: string, type = SEGMENT_TYPE): EventFact => ({ ok: true, event: { commit, type, ulid, actor: 'agent:a', ns: 'jobs', signer: 'ed25519:00', ts: 1000, caps: ['bus:publish:jobs'] } });
  const rebuilt = summarize({ messages: [M(1, [1]), M(2, [2]), M(3, [3])] });
  if (!rebuilt) throw new Error('no summary');
  const S = 'e'.repeat(40);
  const state: TopicState = { topic: 'jobs', config: C({ segment_messages: 3 }) };
  const facts = (payload: unknown, over: Partial<Extract<BusFacts, { kind: 'message' }>> = {}): BusFacts => ({ kind: 'message', topic: 'jobs', shard: 0, state, messages: [{ commit: S, ulid: U(4), cid: 'bcid', payload }], others: [], lag: [], segments: [{ commit: S, rebuilt }], ...over });
  const codes = (out: ReturnType<typeof busDenials>) => out.map((d) => `${d.code} ${d.ruleId}`);

  test('the summary the window gives passes', () => {
    expect(busDenials(REF, facts(rebuilt), [ev(S, U(4))], [], 2000)).toEqual([]);
  });

  test('a summary refused is refused in evaluate mode too (it would stay accepted)', () => {
    const [d] = busDenials(REF, facts({ ...rebuilt, count: 2 }), [ev(S, U(4))], [], 2000);
    expect(d && enforcedIn('evaluate', d)).toBe(true);
  });

  test('each wrong field is SEGMENT_INVALID, one denial per field', () => {
    const out = busDenials(REF, facts({ ...rebuilt, count: 2, merkle_root: `blake3:${'0'.repeat(64)}`, last_ulid: U(2) }), [ev(S, U(4))], [], 2000);
    expect(codes(out)).toEqual(['SEGMENT_INVALID gate/bus-segment', 'SEGMENT_INVALID gate/bus-segment', 'SEGMENT_INVALID gate/bus-segment']);
  });

  test('too early, no policy, inside a reshard window, an unreadable or empty window, a bad payload: SEGMENT_INVALID', () => {
    const one = (f: BusFacts) => busDenials(REF, f, [ev(S, U(4))], [], 2000).map((d) => `${d.code} ${d.reason}`);
    expect(one(facts(rebuilt, { state: { topic: 'jobs', config: C({ segment_messages: 4 }) } }))).toEqual([expect.stringMatching(/^SEGMENT_INVALID .*rotated too early/)]);
    expect(one(facts(rebuilt, { state: { topic: 'jobs', config: C() } }))).toEqual([expect.stringMatching(/no segment policy/)]);
    expect(one(facts(rebuilt, { state: { topic: 'jobs', config: C({ version: 2, from_version: 1, shards: 3, migrate: 'dual-write', segment_messages: 3 }), old: C() } }))).toEqual([expect.stringMatching(/dual-write window .* flip it before rotating/)]);
    expect(one(facts(rebuilt, { segments: [{ commit: S, problem: 'commit x of the window is not a message' }] }))).toEqual([expect.stringMatching(/is not a message/)]);
    expect(one(facts(rebuilt, { segments: [] }))).toEqual([expect.stringMatching(/could not be read/)]);
    expect(one(facts({ count: 'three' }))).toEqual([expect.stringMatching(/^SEGMENT_INVALID .*'count'/)]);
  });

  test('a message at or below another shard\'s sealed last ULID is DUP_COMMIT; above it passes', () => {
    const msgFacts = (ulid: string): BusFacts => ({ kind: 'message', topic: 'jobs', shard: 0, state: { topic: 'jobs', config: C({ shards: 1 }) }, messages: [{ commit: 'c1', ulid, cid: 'b', payload: { key: 'k', map: 1, body: null } }], others: [], lag: [], floors: [{ shard: 1, commit: S, lastUlid: U(5) }] });
    expect(codes(busDenials(REF, msgFacts(U(5)), [ev('c1', U(5), 'bus.message')], [], 2000))).toEqual(['DUP_COMMIT gate/bus-exactly-once']);
    expect(codes(busDenials(REF, msgFacts(U(4)), [ev('c1', U(4), 'bus.message')], [], 2000))).toEqual(['DUP_COMMIT gate/bus-exactly-once']);
    expect(busDenials(REF, msgFacts(U(6)), [ev('c1', U(6), 'bus.message')], [], 2000)).toEqual([]);
  });
});
