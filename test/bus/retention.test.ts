/**
 * Bus retention through a gated repository (regulated template, decision
 * 0039), real pushes and the built `gatos bus` CLI: topic `logs`, 6 shards,
 * rotate at 1 message, prune at 1 sealed segment, bob the named subscriber
 * (shard 5 stays empty).
 * Attacks first, in multi-ref pushes (the audit entry keeps each ref's
 * denials): a prune of unacked windows (ACK_TIMEOUT naming bob), a prune
 * root that does not carry the summaries byte for byte, a prune without its
 * archive ref, an archive ref at another commit, a prune of an open segment;
 * then a prune root with an extra commit header, one signed by an actor
 * without bus:prune, a plain rewind, a merge. Then `gatos bus prune` is
 * accepted, and after it: a replay of a pruned message (on its shard and on
 * another) is DUP_COMMIT, an archive ref cannot move or go, a second prune
 * of an unsealed shard is refused, new messages stack on the prune root,
 * bob reads and acks across the prune, and carol's ack naming a pruned
 * message verifies (it is under the archive ref); a second prune chains to the
 * first. The world is built once; 13 pushes.
 */
import { nextUlid } from '../../src/canon/ulid';
import { buildEventCommit } from '../../src/events/commit';
import { encodeEnvelope } from '../../src/events/envelope';
import { readEnvelopeAt } from '../../src/events/read';
import { shardOf } from '../../src/gate/bus';
import { PRUNE_TYPE, archiveRef, prunePayload, type PrunePayload } from '../../src/gate/bus-prune';
import type { GitRepo } from '../../src/git';
import { loadKey } from '../../src/keys';
import { summaryChain } from '../../src/push/bus-prune';
import { formatTime } from '../../src/trust';
import { makeObject, type GitObjectBytes } from '../../src/workspace/git-objects';
import { ObjectBatch } from '../../src/workspace/object-batch';
import { busActors } from '../helpers/bus';
import { GateWorld } from '../helpers/gate-world';

jest.setTimeout(240_000);

const TOPIC = 'logs';
/** Shard 5 stays empty: a replay can land there with no ULID order in the way, so only the other shards' floors refuse it. */
const SHARDS = 6;
const shardRef = (s: number) => `refs/gatos/mbus/${TOPIC}/${s}`;
const ALL = ['+refs/gatos/mbus/*', 'refs/gatos/mbus-archive/*', 'refs/gatos/mbus-ack/*'];

describe('bus retention through a gated repository (6 shards, prune at 1 sealed segment)', () => {
  let w: GateWorld;
  const dir: Record<string, string> = {};
  const keys = Array.from({ length: 300 }, (_, i) => `line-${i}`);
  const onShard = (s: number, n: number, skip = 0) => keys.filter((k) => shardOf(k, SHARDS) === s).slice(skip, skip + n);
  const { ok, cli, accepted, lastRefusal, withRepo } = busActors(() => w, dir);
  const git = (actor: string, args: string[]) => ok(w.git(dir[actor] as string, args), `git ${args.join(' ')}`).stdout.trim();
  /** The server's bus refs over the local ones, archive refs included (a refused push leaves local ones behind): three git runs. */
  const sync = (actor: string) => {
    const local = git(actor, ['for-each-ref', '--format=delete %(refname)', 'refs/gatos/mbus', 'refs/gatos/mbus-ack', 'refs/gatos/mbus-config', 'refs/gatos/mbus-archive']);
    if (local) ok(w.git(dir[actor] as string, ['update-ref', '--stdin'], {}, `${local}\n`), 'update-ref --stdin');
    w.fetch(dir[actor] as string, actor);
  };
  const publish = (actor: string, ks: string[]) => JSON.parse(cli(actor, ['bus', 'publish', TOPIC, ...ks.flatMap((k) => ['--key', k]), '--json']).stdout) as { published: { ulid: string; refs: Record<string, string> }[] };
  const refused = (actor: string, refs = ALL) => {
    const before = w.serverRefs();
    const r = w.push(dir[actor] as string, actor, refs);
    expect(r.status).not.toBe(0);
    expect(w.serverRefs()).toBe(before);
    const e = lastRefusal();
    return (ref: string) => e.denials.filter((d) => d.ref === ref);
  };
  const codes = (ds: { code: string; rule: string }[]) => [...new Set(ds.map((d) => `${d.code} ${d.rule}`))].sort();

  /**
   * A prune root for `shard`'s local tip, signed by `signer`: the payload the
   * summaries give (edited as a forger likes), a root commit (extra header
   * or parents as asked), the shard ref moved to it and, unless `archive` is
   * false, the archive ref at the old tip (or at `archive`).
   */
  async function forgePrune(signer: string, shard: number, opts: { edit?: (p: PrunePayload) => unknown; header?: boolean; parents?: string[]; archive?: false | string } = {}): Promise<{ root: string; oldTip: string; archive: string }> {
    const actor = 'user:alice';
    const key = loadKey(w.keyDir, signer);
    if (!key.ok) throw new Error(key.error.message);
    return withRepo(actor, async (repo: GitRepo) => {
      const tip = git(actor, ['rev-parse', shardRef(shard)]);
      const c = await summaryChain(repo, tip);
      if (!c.ok) throw new Error(c.error.reason);
      const last = await readEnvelopeAt(repo, tip);
      if (!last.ok) throw new Error(last.error.message);
      const want = c.value.chain ? prunePayload(c.value.chain, c.value.prev) : undefined;
      const base: PrunePayload = want ?? { old_tip: tip, last_ulid: last.value.envelope.ulid, segments: [] };
      const b = w.activeBundle(dir[actor] as string);
      const ts = Math.floor(Date.now() / 1000);
      const ulid = nextUlid(ts * 1000, new Uint8Array(10).fill(7), last.value.envelope.ulid);
      if (!ulid.ok) throw new Error(ulid.error.message);
      const e = encodeEnvelope({ type: PRUNE_TYPE, ulid: ulid.value, actor: signer, ns: TOPIC, caps: [`bus:prune:${TOPIC}`], payload: opts.edit ? opts.edit(base) : base, policy_root: b.commit, fold_root: b.foldRoot, sig_alg: 'ed25519', ts });
      if (!e.ok) throw new Error(e.error.message);
      const built = buildEventCommit(repo.format, e.value, key.value, undefined);
      if (!built.ok) throw new Error(built.error.message);
      const objects: GitObjectBytes[] = [...built.value.objects];
      let root = built.value.commit;
      if (opts.header || opts.parents) {
        const commit = objects.pop() as GitObjectBytes;
        let text = Buffer.from(commit.data).toString('utf8');
        if (opts.header) text = text.replace('\n\n', '\nx-note riding along\n\n');
        if (opts.parents) text = text.replace(/^(tree [0-9a-f]+\n)/, `$1${opts.parents.map((p) => `parent ${p}\n`).join('')}`);
        const changed = makeObject(repo.format, 'commit', Buffer.from(text, 'utf8'));
        objects.push(changed);
        root = changed.id;
      }
      const batch = new ObjectBatch(repo.format);
      batch.addAll(objects);
      const wr = await batch.write(repo);
      if (!wr.ok) throw new Error(wr.error.message);
      git(actor, ['update-ref', shardRef(shard), root]);
      const archive = archiveRef(TOPIC, shard, base.last_ulid);
      if (opts.archive !== false) git(actor, ['update-ref', archive, opts.archive ?? tip]);
      return { root, oldTip: tip, archive };
    });
  }

  const pruned: Record<number, { message: string; oldTip: string }> = {};
  /** Shard 0's prune root, once accepted. */
  let root0 = '';

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1', template: 'regulated' }).setup();
    const at = { GATOS_NOW: formatTime(w.adminNow) };
    const grants: [string, string][] = [
      ['user:alice', `bus:publish:${TOPIC},bus:subscribe:${TOPIC},bus:prune:${TOPIC}`],
      ['user:bob', `bus:publish:${TOPIC},bus:subscribe:${TOPIC}`],
      ['user:carol', `bus:subscribe:${TOPIC}`],
    ];
    for (const [a, caps] of grants) ok(w.gatos(w.admin, ['trust', 'grant', '--to', a, '--caps', caps, '--exp', formatTime(w.now + 365 * 86400), '--as', 'user:root'], at), `grant ${a}`);
    dir['user:root'] = w.publishRegulated('root', {});
    for (const a of ['user:alice', 'user:bob', 'user:carol']) dir[a] = w.client(a);
  });

  test('retention is config; alice publishes and rotates every shard (shard 0 twice), shard 4 ends open', () => {
    const r = JSON.parse(cli('user:root', ['bus', 'reshard', TOPIC, '--shards', String(SHARDS), '--subscribers', 'user:bob', '--segment-messages', '1', '--prune-segments', '1', '--json']).stdout) as { config: Record<string, unknown> };
    expect(r.config).toMatchObject({ version: 1, shards: SHARDS, segment_messages: 1, prune_segments: 1 });
    accepted('user:root', ['refs/gatos/mbus-config/*']);
    sync('user:alice');
    publish('user:alice', [...onShard(0, 1), ...onShard(1, 1), ...onShard(2, 1), ...onShard(3, 1), ...onShard(4, 1)]);
    // Messages and other shards' summaries go in two pushes (a summary pushed alongside is a floor for them: decision 0036).
    accepted('user:alice', ['refs/gatos/mbus/*']);
    cli('user:alice', ['bus', 'rotate', TOPIC]);
    publish('user:alice', [...onShard(0, 1, 1), ...onShard(4, 1, 1)]);
    cli('user:alice', ['bus', 'rotate', TOPIC, '--shard', '0']);
    accepted('user:alice', ['refs/gatos/mbus/*']);
    for (let s = 0; s < SHARDS - 1; s++) pruned[s] = { message: git('user:alice', ['rev-parse', `${shardRef(s)}^`]), oldTip: git('user:alice', ['rev-parse', shardRef(s)]) };
    // The client refuses to prune while bob lags: every shard is skipped, saying so.
    const p = JSON.parse(cli('user:alice', ['bus', 'prune', TOPIC, '--json']).stdout) as { pruned: unknown[]; skipped: { shard: number; reason: string }[] };
    expect(p.pruned).toEqual([]);
    expect(p.skipped.map((x) => x.reason)).toEqual([...Array(4).fill(expect.stringContaining('user:bob')), expect.stringContaining('not a segment summary'), 'it is empty']);
  });

  test('one push, five refusals: unacked windows, a payload off by a byte, no archive, an archive elsewhere, an open segment', async () => {
    sync('user:alice');
    await forgePrune('user:alice', 0);
    await forgePrune('user:alice', 1, { edit: (p) => ({ ...p, segments: p.segments.map((s) => ({ ...s, event: Uint8Array.from(s.event, (b, i) => (i === s.event.length - 1 ? b ^ 1 : b)) })) }) });
    await forgePrune('user:alice', 2, { archive: false });
    await forgePrune('user:alice', 3, { archive: pruned[3]?.message });
    await forgePrune('user:alice', 4);
    const on = refused('user:alice');
    // Shard 0: the prune the summaries give, archived, but bob has not acked what it drops.
    expect(codes(on(shardRef(0)))).toEqual(['ACK_TIMEOUT gate/bus-prune']);
    expect(on(shardRef(0))[0]?.reason).toMatch(/subscriber user:bob has not acked 2 messages of the segments it drops/);
    expect(codes(on(shardRef(1)))).toEqual(['ACK_TIMEOUT gate/bus-prune', 'SEGMENT_INVALID gate/bus-prune']);
    expect(on(shardRef(1)).map((d) => d.reason).join('\n')).toMatch(/segment 0: its event bytes are not the accepted envelope of summary/);
    expect(on(shardRef(2)).map((d) => d.reason).join('\n')).toMatch(/its archive ref .* is not created, not at the old tip/);
    expect(on(shardRef(3)).map((d) => d.reason).join('\n')).toMatch(/its archive ref .* is at [0-9a-f]{40}, not at the old tip/);
    const archive3 = lastRefusal().denials.filter((d) => d.ref.startsWith(`refs/gatos/mbus-archive/${TOPIC}/3/`));
    expect(codes(archive3)).toEqual(['SEGMENT_INVALID gate/bus-prune']);
    expect(archive3[0]?.reason).toMatch(/points at [0-9a-f]{40}, but shard 3 of logs is at/);
    expect(on(shardRef(4)).map((d) => d.reason).join('\n')).toMatch(/the shard's tip [0-9a-f]{40} is not a segment summary: its open segment would be dropped unsealed/);
    const archive4 = lastRefusal().denials.filter((d) => d.ref.startsWith(`refs/gatos/mbus-archive/${TOPIC}/4/`));
    expect(archive4.map((d) => d.reason).join('\n')).toMatch(/ends in an open segment/);
  });

  test('bob consumes and acks; then one push, four refusals: an extra header, a signer without bus:prune, a rewind, a merge', async () => {
    sync('user:bob');
    const got = JSON.parse(cli('user:bob', ['bus', 'subscribe', TOPIC, '--ack', '--json']).stdout) as { messages: unknown[] };
    expect(got.messages).toHaveLength(7);
    accepted('user:bob');
    sync('user:alice');
    await forgePrune('user:alice', 0, { header: true });
    await forgePrune('user:bob', 1);
    git('user:alice', ['update-ref', shardRef(2), pruned[2]?.message as string]);
    await forgePrune('user:alice', 3, { parents: [pruned[3]?.oldTip as string, pruned[2]?.oldTip as string], archive: false });
    const on = refused('user:alice', ['+refs/gatos/mbus/*', 'refs/gatos/mbus-archive/*']);
    // The extra header: the root is no event the machinery rebuilds, so no prune lands.
    expect(codes(on(shardRef(0))).join('\n')).toMatch(/gate\/event/);
    expect(on(shardRef(0)).map((d) => d.reason).join('\n')).toMatch(/its author, committer or message is not the one its envelope and signature determine/);
    // Bob may not prune: the root's signer lacks the grant its caps claim.
    expect(on(shardRef(1)).some((d) => d.rule === 'gate/event' && /bus:prune:logs/.test(d.reason))).toBe(true);
    expect(codes(on(shardRef(2)))).toContain('FF_VIOLATION gate/fast-forward-only');
    // A merge is no prune root (it has parents): a merge on a bus ref.
    expect(codes(on(shardRef(3)))).toContain('PROOF_INVALID gate/bus-message');
    // The archive refs of this push are fine on their own (each at its shard's sealed tip).
    expect(lastRefusal().denials.filter((d) => d.ref.startsWith('refs/gatos/mbus-archive/'))).toEqual([]);
  });

  test('gatos bus prune writes the prune roots and archive refs, and the gate accepts them', async () => {
    sync('user:alice');
    const p = JSON.parse(cli('user:alice', ['bus', 'prune', TOPIC, '--json']).stdout) as { pruned: { shard: number; commit: string; old_tip: string; archive: string; segments: number }[]; skipped: { shard: number }[]; push: string[] };
    expect(p.pruned.map((x) => [x.shard, x.segments])).toEqual([[0, 2], [1, 1], [2, 1], [3, 1]]);
    expect(p.skipped.map((x) => x.shard)).toEqual([4, 5]);
    expect(p.push).toContain(`+${shardRef(0)}`);
    accepted('user:alice', p.push);
    root0 = p.pruned[0]?.commit as string;
    const server = (args: string[]) => ok(w.git(w.root, ['--git-dir', w.gitDir, ...args]), 'server git').stdout.trim();
    for (const x of p.pruned) {
      // The live ref holds one root commit; the archive ref holds exactly the old tip and every message.
      expect(server(['rev-parse', shardRef(x.shard)])).toBe(x.commit);
      expect(server(['rev-list', '--count', shardRef(x.shard)])).toBe('1');
      expect(server(['rev-parse', x.archive])).toBe(x.old_tip);
      expect(server(['merge-base', '--is-ancestor', pruned[x.shard]?.message as string, x.archive])).toBe('');
    }
    const e = w.auditEntries().at(-1);
    expect(e?.outcome).toBe('accepted');
    expect(e?.updates.filter((u) => u.intent === 'force').map((u) => u.ref).sort()).toEqual([0, 1, 2, 3].map(shardRef));
    await withRepo('user:alice', async (repo) => {
      const env = await readEnvelopeAt(repo, p.pruned[0]?.commit as string);
      if (!env.ok) throw new Error(env.error.message);
      expect(env.value.envelope.type).toBe(PRUNE_TYPE);
      expect((env.value.envelope.payload as PrunePayload).segments).toHaveLength(2);
    });
  });

  test('after the prune: replays are DUP_COMMIT, archive refs neither move nor go nor hold a tree, an unsealed shard is not pruned again', async () => {
    sync('user:alice');
    const replay = async (from: string, shard: number) => {
      const key = loadKey(w.keyDir, 'user:alice');
      if (!key.ok) throw new Error(key.error.message);
      await withRepo('user:alice', async (repo) => {
        const e = await readEnvelopeAt(repo, from);
        if (!e.ok) throw new Error(e.error.message);
        const tip = w.git(dir['user:alice'] as string, ['rev-parse', '-q', '--verify', shardRef(shard)]).stdout.trim();
        const built = buildEventCommit(repo.format, e.value, key.value, tip || undefined);
        if (!built.ok) throw new Error(built.error.message);
        const batch = new ObjectBatch(repo.format);
        batch.addAll(built.value.objects);
        const wr = await batch.write(repo);
        if (!wr.ok) throw new Error(wr.error.message);
        git('user:alice', ['update-ref', shardRef(shard), built.value.commit]);
      });
    };
    // Shard 0's pruned message again on shard 0 (on its prune root), shard 1's on the empty shard 5 (found by shard 1's prune root, a floor).
    await replay(pruned[0]?.message as string, 0);
    await replay(pruned[1]?.message as string, 5);
    const a1 = git('user:alice', ['for-each-ref', '--format=%(refname)', `refs/gatos/mbus-archive/${TOPIC}/1/`]);
    const a2 = git('user:alice', ['for-each-ref', '--format=%(refname)', `refs/gatos/mbus-archive/${TOPIC}/2/`]);
    // The archive of shard 2 moved onto its prune root; the one of shard 1 deleted; shard 2 pruned again though its tip is a prune root.
    git('user:alice', ['update-ref', a2, git('user:alice', ['rev-parse', shardRef(2)])]);
    await forgePrune('user:alice', 2, { archive: false });
    // Another object type at an archive ref: shard 3's old tip's tree.
    const a3 = archiveRef(TOPIC, 3, '01KDX5Z5Z5Z5Z5Z5Z5Z5Z5Z5Z5');
    const on = refused('user:alice', ['+refs/gatos/mbus/*', `+${a2}`, `:${a1}`, `${pruned[3]?.oldTip as string}^{tree}:${a3}`]);
    expect(codes(on(a3))).toContain('POLICY_DENY gate/object-type');
    expect(codes(on(shardRef(0)))).toContain('DUP_COMMIT gate/event');
    expect(on(shardRef(5)).filter((d) => d.code === 'DUP_COMMIT').map((d) => d.reason).join('\n')).toMatch(new RegExp(`shard 1 of ${TOPIC} closed a segment at ULID`));
    // Moved: a rewrite (the gate's own rule, and the policy's default), and no create.
    expect(codes(on(a2))).toEqual(['FF_VIOLATION gate/fast-forward-only', 'POLICY_DENY default-deny', 'SEGMENT_INVALID gate/bus-prune']);
    expect(codes(on(a1))).toContain('FF_VIOLATION gate/fast-forward-only');
    expect(on(shardRef(2)).map((d) => d.reason).join('\n')).toMatch(/is not a segment summary/);
  });

  test('new messages stack on the prune root and the next summary names it; bob reads and acks across it; carol\'s ack naming a pruned message verifies', () => {
    sync('user:alice');
    const fresh = publish('user:alice', onShard(0, 1, 2)).published[0];
    const rot = JSON.parse(cli('user:alice', ['bus', 'rotate', TOPIC, '--shard', '0', '--json']).stdout) as { rotated: { summary: { prev?: string } }[] };
    expect(rot.rotated[0]?.summary.prev).toBe(root0);
    accepted('user:alice', ['refs/gatos/mbus/*']);
    expect(git('user:alice', [`rev-parse`, `${shardRef(0)}~2`])).toBe(root0);
    sync('user:bob');
    const got = JSON.parse(cli('user:bob', ['bus', 'subscribe', TOPIC, '--ack', '--json']).stdout) as { messages: { ulid: string; shard: number }[] };
    expect(got.messages.map((m) => [m.shard, m.ulid])).toEqual([[0, fresh?.ulid]]);
    accepted('user:bob');
    const status = JSON.parse(ok(w.gatos(dir['user:bob'] as string, ['bus', 'status', TOPIC, '--json']), 'status').stdout) as { lag: { unacked: number }[]; config: { prune_segments: number } };
    expect(status.config.prune_segments).toBe(1);
    expect(status.lag.every((l) => l.unacked === 0)).toBe(true);
    sync('user:carol');
    cli('user:carol', ['bus', 'ack', TOPIC, '--shard', `1=${pruned[1]?.message as string}`]);
    accepted('user:carol', ['refs/gatos/mbus-ack/*']);
  });

  test('a second prune of shard 0 chains to the first: its payload names the first prune root, both archives hold their history', () => {
    sync('user:alice');
    const p = JSON.parse(cli('user:alice', ['bus', 'prune', TOPIC, '--shard', '0', '--json']).stdout) as { pruned: { commit: string; old_tip: string; archive: string; segments: number }[]; push: string[] };
    expect(p.pruned.map((x) => x.segments)).toEqual([1]);
    accepted('user:alice', p.push);
    const server = (args: string[]) => ok(w.git(w.root, ['--git-dir', w.gitDir, ...args]), 'server git').stdout.trim();
    expect(server(['rev-list', '--max-parents=0', p.pruned[0]?.archive as string])).toBe(root0);
    expect(server(['for-each-ref', '--format=%(refname)', `refs/gatos/mbus-archive/${TOPIC}/0/`]).split('\n')).toHaveLength(2);
    sync('user:bob');
    const status = JSON.parse(ok(w.gatos(dir['user:bob'] as string, ['bus', 'status', TOPIC, '--json']), 'status').stdout) as { lag: { unacked: number }[] };
    expect(status.lag.every((l) => l.unacked === 0)).toBe(true);
    return withRepo('user:alice', async (repo) => {
      const env = await readEnvelopeAt(repo, p.pruned[0]?.commit as string);
      if (!env.ok) throw new Error(env.error.message);
      expect((env.value.envelope.payload as PrunePayload).prev).toBe(root0);
    });
  });
});
