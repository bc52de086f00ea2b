/**
 * Bus segments through a gated repository (regulated template), real pushes
 * and the built `gatos bus` CLI: topic `logs`, 5 shards, a segment policy of
 * 3 messages. Summaries with a wrong count, Merkle root or last ULID, and
 * one below the policy's threshold, are refused in one push (SEGMENT_INVALID
 * each, with their audit entry); `gatos bus rotate` closes the one full
 * shard and is accepted; a replay of a sealed message, on its own shard and
 * on an empty one, is DUP_COMMIT (the scan stops at the summary); a
 * subscriber whose ack sits in the sealed segment reads across the boundary
 * once. The world is built once; 9 pushes.
 */
import { encodeEnvelope, type EncodedEnvelope } from '../../src/events/envelope';
import { readEnvelopeAt } from '../../src/events/read';
import { buildEventCommit } from '../../src/events/commit';
import type { GitRepo } from '../../src/git';
import { loadKey } from '../../src/keys';
import { formatTime } from '../../src/trust';
import { ObjectBatch } from '../../src/workspace/object-batch';
import { shardOf } from '../../src/gate/bus';
import { SEGMENT_TYPE, summarize, type SegmentSummary } from '../../src/gate/bus-segment';
import { readWindow } from '../../src/push/bus';
import { busActors } from '../helpers/bus';
import { GateWorld, ulidAt } from '../helpers/gate-world';

jest.setTimeout(240_000);

const TOPIC = 'logs';
const SHARDS = 5;
const shardRef = (s: number) => `refs/gatos/mbus/${TOPIC}/${s}`;

interface Delivered {
  ulid: string;
  key: string;
  shard: number;
  type: string;
}

describe('bus segments through a gated repository (5 shards, rotate at 3 messages)', () => {
  let w: GateWorld;
  const dir: Record<string, string> = {};
  const keys = Array.from({ length: 300 }, (_, i) => `line-${i}`);
  const onShard = (s: number, n: number, skip = 0) => keys.filter((k) => shardOf(k, SHARDS) === s).slice(skip, skip + n);
  let sealed: { commit: string; ulid: string } | undefined;

  const { ok, cli, accepted, sync, lastRefusal, withRepo } = busActors(() => w, dir);
  const publish = (actor: string, ks: string[]) => JSON.parse(cli(actor, ['bus', 'publish', TOPIC, ...ks.flatMap((k) => ['--key', k]), '--json']).stdout) as { published: { ulid: string; refs: Record<string, string> }[] };

  /** Appends a signed event to a shard's local ref: a summary (edited as a forger likes) or a replayed envelope. */
  async function append(actor: string, shard: number, make: (repo: GitRepo) => Promise<EncodedEnvelope>): Promise<string> {
    const key = loadKey(w.keyDir, actor);
    if (!key.ok) throw new Error(key.error.message);
    return withRepo(actor, async (repo) => {
      const tip = await repo.readRef(shardRef(shard));
      if (!tip.ok) throw new Error(tip.error.message);
      const built = buildEventCommit(repo.format, await make(repo), key.value, tip.value);
      if (!built.ok) throw new Error(built.error.message);
      const batch = new ObjectBatch(repo.format);
      batch.addAll(built.value.objects);
      const wr = await batch.write(repo);
      if (!wr.ok) throw new Error(wr.error.message);
      ok(w.git(dir[actor] as string, ['update-ref', shardRef(shard), built.value.commit]), 'update-ref');
      return built.value.commit;
    });
  }

  /** The summary the shard's open window gives, edited, signed by `actor`. */
  const forgeSummary = (actor: string, shard: number, edit: (s: SegmentSummary) => SegmentSummary) =>
    append(actor, shard, async (repo) => {
      const tip = await repo.readRef(shardRef(shard));
      const win = await readWindow(repo, tip.ok ? tip.value : undefined);
      if (!win.ok) throw new Error(win.error);
      const s = summarize(win.value);
      if (!s) throw new Error(`shard ${shard} has an empty window`);
      const b = w.activeBundle(dir[actor] as string);
      const ts = Math.floor(Date.now() / 1000);
      const e = encodeEnvelope({ type: SEGMENT_TYPE, ulid: ulidAt(ts + 1), actor, ns: TOPIC, caps: [`bus:publish:${TOPIC}`], payload: edit(s), policy_root: b.commit, fold_root: b.foldRoot, sig_alg: 'ed25519', ts });
      if (!e.ok) throw new Error(e.error.message);
      return e.value;
    });

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1', template: 'regulated' }).setup();
    const at = { GATOS_NOW: formatTime(w.adminNow) };
    for (const a of ['user:alice', 'user:bob']) {
      ok(w.gatos(w.admin, ['trust', 'grant', '--to', a, '--caps', `bus:publish:${TOPIC},bus:subscribe:${TOPIC}`, '--exp', formatTime(w.now + 365 * 86400), '--as', 'user:root'], at), `grant ${a}`);
    }
    dir['user:root'] = w.publishRegulated('root', {});
    for (const a of ['user:alice', 'user:bob']) dir[a] = w.client(a);
  });

  test('the segment policy is config; alice publishes; bob consumes and acks three messages of shard 0', () => {
    const r = JSON.parse(cli('user:root', ['bus', 'reshard', TOPIC, '--shards', String(SHARDS), '--subscribers', 'user:bob', '--segment-messages', '3', '--json']).stdout) as { config: Record<string, unknown> };
    expect(r.config).toMatchObject({ version: 1, shards: SHARDS, segment_messages: 3 });
    accepted('user:root', ['refs/gatos/mbus-config/*']);
    sync('user:alice');
    publish('user:alice', onShard(0, 3));
    accepted('user:alice');
    sync('user:bob');
    const got = JSON.parse(cli('user:bob', ['bus', 'subscribe', TOPIC, '--ack', '--json']).stdout) as { messages: Delivered[] };
    expect(got.messages).toHaveLength(3);
    accepted('user:bob');
    sync('user:alice');
    // Shard 0 now holds 4 (a full segment and one); shards 1 to 3 one each; shard 4 none.
    publish('user:alice', [...onShard(0, 1, 3), ...onShard(1, 1), ...onShard(2, 1), ...onShard(3, 1)]);
    accepted('user:alice');
  });

  test('one push, four refusals: a wrong count, a wrong Merkle root, a wrong last ULID, a rotation below the policy (SEGMENT_INVALID each)', async () => {
    sync('user:alice');
    const before = w.serverRefs();
    await forgeSummary('user:alice', 0, (s) => ({ ...s, count: s.count - 1 }));
    await forgeSummary('user:alice', 1, (s) => ({ ...s, merkle_root: `blake3:${'0'.repeat(64)}` }));
    await forgeSummary('user:alice', 2, (s) => ({ ...s, last_ulid: ulidAt(1_700_000_000) }));
    await forgeSummary('user:alice', 3, (s) => s);
    const r = w.push(dir['user:alice'] as string, 'user:alice', ['refs/gatos/mbus/*']);
    expect(r.status).not.toBe(0);
    expect(w.serverRefs()).toBe(before);
    const e = lastRefusal();
    const on = (s: number) => e.denials.filter((d) => d.ref === shardRef(s));
    for (const s of [0, 1, 2, 3]) expect(on(s).map((d) => `${d.code} ${d.rule}`)).toEqual(['SEGMENT_INVALID gate/bus-segment']);
    expect(on(0)[0]?.reason).toMatch(/'count' is 3, the window gives 4/);
    expect(on(1)[0]?.reason).toMatch(/'merkle_root' is "blake3:0{64}", the window gives "blake3:[0-9a-f]{64}"/);
    expect(on(2)[0]?.reason).toMatch(/'last_ulid' is .*, the window gives/);
    expect(on(3)[0]?.reason).toMatch(/rotated too early: the window holds 1 message .* below the config's threshold of 3 messages/);
  });

  test('gatos bus rotate closes the full shard only, and the gate accepts its summary', async () => {
    sync('user:alice');
    const before = JSON.parse(ok(w.gatos(dir['user:alice'] as string, ['bus', 'status', TOPIC, '--json']), 'status').stdout) as { segments: Record<string, { open: number; can_rotate: boolean }> };
    expect(Object.values(before.segments).map((g) => [g.open, g.can_rotate])).toEqual([[4, true], [1, false], [1, false], [1, false], [0, false]]);
    const r = JSON.parse(cli('user:alice', ['bus', 'rotate', TOPIC, '--json']).stdout) as { rotated: { shard: number; commit: string; summary: SegmentSummary }[]; skipped: { shard: number }[] };
    expect(r.rotated.map((x) => x.shard)).toEqual([0]);
    expect(r.skipped.map((x) => x.shard)).toEqual([1, 2, 3, 4]);
    const s = r.rotated[0]?.summary as SegmentSummary;
    expect(s).toMatchObject({ count: 4 });
    expect(s.prev).toBeUndefined();
    accepted('user:alice', ['refs/gatos/mbus/*']);
    // The summary names the last message of the window: the commit under it.
    const under = ok(w.git(dir['user:alice'] as string, ['rev-parse', `${shardRef(0)}^`]), 'rev-parse').stdout.trim();
    expect(s.last_commit).toBe(under);
    sealed = await withRepo('user:alice', async (repo) => {
      const first = ok(w.git(dir['user:alice'] as string, ['rev-list', '--max-parents=0', shardRef(0)]), 'rev-list').stdout.trim();
      const e = await readEnvelopeAt(repo, first);
      if (!e.ok) throw new Error(e.error.message);
      return { commit: first, ulid: e.value.envelope.ulid };
    });
  });

  test('a sealed message replayed after the rotation, on its shard and on an empty one, is DUP_COMMIT', async () => {
    sync('user:alice');
    const replay = (repo: GitRepo) => readEnvelopeAt(repo, sealed?.commit as string).then((e) => {
      if (!e.ok) throw new Error(e.error.message);
      return e.value;
    });
    await append('user:alice', 0, replay);
    await append('user:alice', 4, replay);
    const before = w.serverRefs();
    const r = w.push(dir['user:alice'] as string, 'user:alice', ['refs/gatos/mbus/*']);
    expect(r.status).not.toBe(0);
    expect(w.serverRefs()).toBe(before);
    const e = lastRefusal();
    const on = (s: number) => e.denials.filter((d) => d.ref === shardRef(s));
    expect(on(0).map((d) => d.code)).toContain('DUP_COMMIT');
    // On shard 4 (where its key does not belong either): found by shard 0's summary, whose last ULID it is not above,
    // without reading the sealed segment; and as the copy pushed alongside on shard 0.
    const dups = on(4).filter((d) => d.code === 'DUP_COMMIT' && d.rule === 'gate/bus-exactly-once').map((d) => d.reason);
    expect(dups.join('\n')).toContain(`shard 0 of ${TOPIC} closed a segment at ULID`);
  });

  test('publishing goes on after the summary, and bob reads across the boundary once (the summary is no message)', () => {
    sync('user:alice');
    const after = publish('user:alice', onShard(0, 1, 4)).published.map((p) => p.ulid);
    accepted('user:alice', ['refs/gatos/mbus/*']);
    sync('user:bob');
    const got = JSON.parse(cli('user:bob', ['bus', 'subscribe', TOPIC, '--ack', '--json']).stdout) as { messages: Delivered[] };
    // The fourth of shard 0 (sealed, after bob's ack), one each on shards 1 to 3, and the one after the summary.
    expect(got.messages.map((m) => m.shard).sort()).toEqual([0, 0, 1, 2, 3]);
    expect(got.messages.every((m) => m.type === 'bus.message')).toBe(true);
    expect(got.messages.map((m) => m.ulid)).toContain(after[0]);
    accepted('user:bob');
    const status = JSON.parse(ok(w.gatos(dir['user:bob'] as string, ['bus', 'status', TOPIC, '--json']), 'status').stdout) as { lag: { unacked: number }[]; segments: Record<string, { open: number; last_summary: string | null; can_rotate: boolean }> };
    expect(status.lag.every((l) => l.unacked === 0)).toBe(true);
    // Shard 0: one message after its summary; shards 1 to 3: one message each, none sealed; none due.
    expect(status.segments['0']).toMatchObject({ open: 1, last_summary: expect.stringMatching(/^[0-9a-f]{40}$/), can_rotate: false });
    expect(status.segments['1']).toMatchObject({ open: 1, last_summary: null, can_rotate: false });
  });
});
