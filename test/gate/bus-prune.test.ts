/**
 * Bus retention without git (src/gate/bus-prune.ts, decision 0039): archive
 * ref names, the retention setting, the prune payload the dropped summaries
 * give and every way a pushed one can differ from it (byte for byte), and
 * each denial a prune or an archive ref raises from gathered facts, through
 * busDenials as the gate calls it; gate/bus-prune is never relaxed by
 * evaluate mode.
 */
import { encodeCanonical } from '../../src/canon/cbor';
import { busDenials, parseBusRef, readTopicConfig, type BusFacts, type TopicConfig } from '../../src/gate/bus';
import { archiveRef, isPruneAttempt, pruneDue, pruneMismatches, prunePayload, type ArchiveFacts, type ChainLink, type PruneFacts } from '../../src/gate/bus-prune';
import type { EventFact } from '../../src/gate/facts';
import { enforcedIn } from '../../src/gate/verdict';

const C = (over: Partial<TopicConfig> = {}): TopicConfig => ({ version: 1, shards: 2, hash: 'blake3', strategy: 'consistent', from_version: 0, migrate: 'done', subscribers: ['user:bob'], segment_messages: 2, prune_segments: 2, ...over });
const id = (c: string) => c.repeat(40);
const ULID_A = '01KDX5Z5Z5Z5Z5Z5Z5Z5Z5Z5Z5';
const ULID_B = '01KDX6Z5Z5Z5Z5Z5Z5Z5Z5Z5Z5';
const REF = 'refs/gatos/mbus/logs/0';
const chain: ChainLink[] = [
  { commit: id('a'), event: new Uint8Array([1, 2, 3]), lastUlid: ULID_A },
  { commit: id('b'), event: new Uint8Array([4, 5]), lastUlid: ULID_B },
];
const ARCHIVE = archiveRef('logs', 0, ULID_B);
const prune = (over: Partial<PruneFacts> = {}): PruneFacts => ({
  kind: 'prune', topic: 'logs', shard: 0, state: { topic: 'logs', config: C() }, oldTip: id('b'), root: id('r'), chain, payload: prunePayload(chain), lag: [{ subscriber: 'user:bob', shard: 0, unacked: 0 }], archive: { ref: ARCHIVE, at: id('b') }, ...over,
});
const rootEvent = (over: Partial<Extract<EventFact, { ok: true }>['event']> = {}): EventFact => ({ ok: true, event: { commit: id('r'), type: 'bus.prune', ulid: '01KDX7Z5Z5Z5Z5Z5Z5Z5Z5Z5Z5', actor: 'user:ops', ns: 'logs', signer: 'ed25519:00', ts: 1, caps: ['bus:prune:logs'], ...over } });
const denials = (f: BusFacts, events: EventFact[] = [rootEvent()]) => busDenials(REF, f, events, [{ id: id('r'), parents: 0 }], 0).map((d) => `${d.code} ${d.ruleId} ${d.reason}`);

describe('archive refs and the retention setting', () => {
  test('an archive ref names its topic, shard and the last ULID it seals; anything else under the prefix is named', () => {
    expect(parseBusRef(ARCHIVE)).toEqual({ ok: true, value: { kind: 'archive', topic: 'logs', shard: 0, ulid: ULID_B } });
    expect(parseBusRef('refs/gatos/mbus-archive/logs/0')).toMatchObject({ ok: false, problem: expect.stringContaining('<last ULID>') });
    expect(parseBusRef('refs/gatos/mbus-archive/logs/00/' + ULID_B)).toMatchObject({ ok: false });
    expect(parseBusRef('refs/gatos/mbus-archive/logs/0/not-a-ulid')).toMatchObject({ ok: false, problem: expect.stringContaining('not a ULID') });
    expect(parseBusRef(`refs/gatos/mbus-archive/Logs/0/${ULID_B}`)).toMatchObject({ ok: false });
  });

  test('prune_segments is a setting of the topic config, read strictly; absent, shards are never pruned', () => {
    const base = { version: 1, shards: 2, hash: 'blake3', strategy: 'consistent', from_version: 0, migrate: 'done', subscribers: [] };
    expect(readTopicConfig({ ...base, prune_segments: 3 })).toMatchObject({ ok: true, value: { prune_segments: 3 } });
    expect(readTopicConfig({ ...base, prune_segments: 0 })).toMatchObject({ ok: false, problem: expect.stringContaining('prune_segments') });
    expect(pruneDue(C({ prune_segments: undefined }), 9)).toMatch(/never pruned/);
    expect(pruneDue(C(), 1)).toMatch(/holds 1 sealed segment .* fewer than the config's prune_segments of 2/);
    expect(pruneDue(C(), 2)).toBeUndefined();
  });
});

describe('the prune payload', () => {
  test('names the old tip, the last ULID it seals, each dropped summary (commit and envelope bytes, oldest first) and the previous prune root', () => {
    expect(prunePayload(chain)).toEqual({ old_tip: id('b'), last_ulid: ULID_B, segments: [{ commit: id('a'), event: chain[0]?.event }, { commit: id('b'), event: chain[1]?.event }] });
    expect(prunePayload(chain, id('p'))).toMatchObject({ prev: id('p') });
    expect(prunePayload([])).toBeUndefined();
  });

  test('every way a pushed payload can differ is named; the same one (as decoded from its canonical bytes) matches', () => {
    const want = prunePayload(chain, id('p'));
    if (!want) throw new Error('no payload');
    // What the gate holds is the decoded envelope payload: a round trip through canonical bytes is the same payload.
    expect(pruneMismatches(structuredClone(want), want)).toEqual([]);
    expect(pruneMismatches({ ...want, note: 'x' }, want)).toEqual([expect.stringContaining('unknown field(s) note')]);
    expect(pruneMismatches({ ...want, old_tip: id('c') }, want)).toEqual([expect.stringContaining("'old_tip' is")]);
    expect(pruneMismatches({ ...want, prev: undefined }, want)).toEqual([expect.stringContaining("'prev' is absent")]);
    expect(pruneMismatches({ ...want, segments: want.segments.slice(1) }, want).join('\n')).toMatch(/lists 1 summary, the shard drops 2/);
    expect(pruneMismatches({ ...want, segments: [want.segments[0], { commit: id('b'), event: new Uint8Array([4, 6]) }] }, want)).toEqual(['segment 1: its event bytes are not the accepted envelope of summary ' + id('b')]);
    expect(pruneMismatches({ ...want, segments: [...want.segments, { commit: id('c'), event: new Uint8Array() }] }, want)).toEqual([expect.stringContaining('lists 3 summaries')]);
    // Extra keys inside a segment entry ride along in no field check: the canonical bytes catch them.
    expect(pruneMismatches({ ...want, segments: [{ ...want.segments[0], x: 1 }, want.segments[1]] }, want)).toEqual([expect.stringContaining('byte for byte')]);
    expect(pruneMismatches([want], want)).toEqual([expect.stringContaining('must be a map')]);
    expect(encodeCanonical(want)).toEqual(encodeCanonical(prunePayload(chain, id('p'))));
  });
});

describe('a prune as the gate decides it', () => {
  test('the prune the summaries give, acked and archived, raises nothing, and is the one exception to fast-forward-only', () => {
    expect(denials(prune())).toEqual([]);
    expect(isPruneAttempt(prune())).toBe(true);
    expect(isPruneAttempt({ kind: 'message' })).toBe(false);
    expect(isPruneAttempt(undefined)).toBe(false);
  });

  test('an unacked window is ACK_TIMEOUT, naming the lagging subscriber', () => {
    const f = prune({ lag: [{ subscriber: 'user:bob', shard: 0, unacked: 3, oldestCommit: id('m') }] });
    const out = busDenials(REF, f, [rootEvent()], [], 0);
    expect(out.map((d) => `${d.code} ${d.ruleId}`)).toEqual(['ACK_TIMEOUT gate/bus-prune']);
    expect(out[0]?.hint).toMatch(/subscriber user:bob lags on shard 0 of logs \(3 unacked, oldest m{40}\)/);
  });

  test('without its archive ref, or with it at another commit, it is refused', () => {
    expect(denials(prune({ archive: { ref: ARCHIVE } }))).toEqual([expect.stringMatching(/^SEGMENT_INVALID gate\/bus-prune .*its archive ref .* is not created, not at the old tip/)]);
    expect(denials(prune({ archive: { ref: ARCHIVE, at: id('a') } }))).toEqual([expect.stringMatching(/is at a{40}, not at the old tip b{40}/)]);
  });

  test('an unsealed tip, a window too young, a dual-write window, no config: each refused', () => {
    expect(denials(prune({ chain: undefined, problem: 'the shard\'s tip is not a segment summary' }))).toEqual([expect.stringMatching(/SEGMENT_INVALID .*not a segment summary/)]);
    expect(denials(prune({ state: { topic: 'logs', config: C({ prune_segments: 3 }) } }))).toEqual([expect.stringMatching(/pruned too early: .* fewer than the config's prune_segments of 3/)]);
    expect(denials(prune({ state: { topic: 'logs', config: C({ prune_segments: undefined }) } }))).toEqual([expect.stringMatching(/never pruned/)]);
    expect(denials(prune({ state: { topic: 'logs', config: C({ version: 2, from_version: 1, migrate: 'dual-write' }), old: C() } }))).toEqual([expect.stringMatching(/inside the dual-write window/)]);
    expect(denials(prune({ state: undefined }))).toEqual([expect.stringMatching(/has no config/)]);
  });

  test('a root that is not a verified bus.prune event of the topic claiming bus:prune is refused', () => {
    expect(denials(prune(), [rootEvent({ type: 'bus.message' })])).toEqual([expect.stringMatching(/its type is bus.message, not bus.prune/)]);
    expect(denials(prune(), [rootEvent({ ns: 'other' })])).toEqual([expect.stringMatching(/its ns is other/)]);
    expect(denials(prune(), [rootEvent({ caps: ['bus:publish:logs'] })])).toEqual([expect.stringMatching(/^POLICY_DENY gate\/bus-prune .*does not claim 'bus:prune:logs'/)]);
    // No event for the root at all (an existing commit moved to, nothing verified): refused, never skipped.
    expect(denials(prune({ payload: undefined }), [])).toEqual([expect.stringMatching(/not a verified event/)]);
    // Refused as an event already (gate/event): no second denial here.
    expect(denials(prune({ payload: undefined }), [{ ok: false, code: 'SIG_INVALID', reason: 'x', commit: id('r') }])).toEqual([]);
  });

  test('a payload that does not carry the dropped summaries is refused, one denial per difference', () => {
    const want = prunePayload(chain);
    expect(denials(prune({ payload: { ...want, last_ulid: ULID_A } }))).toEqual([expect.stringMatching(/SEGMENT_INVALID gate\/bus-prune .*'last_ulid' is/)]);
    // A dropped summary left out: the count and each entry from there on.
    expect(denials(prune({ payload: { ...want, segments: want?.segments.slice(1) } })).map((d) => d.replace(/^.*\(logs, shard 0\): /, ''))).toEqual([
      "'segments' lists 1 summary, the shard drops 2",
      `segment 0: the dropped summary is ${id('a')}, not "${id('b')}"`,
      `segment 1: the dropped summary is ${id('b')}`,
    ]);
  });

  test('a bus.prune event appended like a message is refused (subscribers would skip it unread)', () => {
    const f: BusFacts = { kind: 'message', topic: 'logs', shard: 0, state: { topic: 'logs', config: C() }, messages: [{ commit: id('r'), ulid: '01KDX7Z5Z5Z5Z5Z5Z5Z5Z5Z5Z5', cid: 'x', payload: { key: 'k', map: 1, body: null } }], others: [], lag: [] };
    expect(denials(f, [rootEvent({ caps: ['bus:publish:logs'] })])).toEqual([expect.stringMatching(/^SEGMENT_INVALID gate\/bus-prune .*only ever a prune root/)]);
  });

  test('gate/bus-prune is a verification rule: evaluate mode never relaxes it', () => {
    expect(enforcedIn('evaluate', { code: 'SEGMENT_INVALID', ruleId: 'gate/bus-prune', ref: REF })).toBe(true);
    expect(enforcedIn('evaluate', { code: 'ACK_TIMEOUT', ruleId: 'gate/bus-prune', ref: REF })).toBe(true);
  });
});

describe('an archive ref as the gate decides it', () => {
  const A = (over: Partial<ArchiveFacts> = {}): ArchiveFacts => ({ kind: 'archive', topic: 'logs', shard: 0, ulid: ULID_B, create: true, target: id('b'), shardTip: id('b'), sealedUlid: ULID_B, ...over });
  const archived = (f: ArchiveFacts) => busDenials(ARCHIVE, f, [], [], 0).map((d) => `${d.code} ${d.reason}`);

  test('created at its shard\'s sealed tip and named by the ULID it seals: accepted', () => {
    expect(archived(A())).toEqual([]);
  });

  test('a move, another commit, an open segment, another name, an empty shard: each refused', () => {
    expect(archived(A({ create: false }))).toEqual([expect.stringMatching(/created once and never move/)]);
    expect(archived(A({ target: id('a') }))).toEqual([expect.stringMatching(/points at a{40}, but shard 0 of logs is at b{40}/)]);
    expect(archived(A({ sealedUlid: undefined }))).toEqual([expect.stringMatching(/ends in an open segment/)]);
    expect(archived(A({ ulid: ULID_A }))).toEqual([expect.stringMatching(/names ULID .* but the tip it archives seals/)]);
    expect(archived(A({ shardTip: undefined, sealedUlid: undefined }))).toEqual([expect.stringMatching(/has no tip to archive/)]);
  });
});
