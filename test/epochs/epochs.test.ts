/**
 * Epochs end to end (docs/epochs.md), regulated template, real pushes: a
 * chain of two anchors accepted, checkpoints resuming across each boundary,
 * every kind of broken chain refused with EPOCH_BROKEN in one push (each ref
 * its own refusal, one audit entry), a shallow clone that holds only the
 * current epoch verifying the latest checkpoint, and compaction (dry run,
 * then for real) that removes only an off-chain anchor.
 */
import path from 'node:path';
import { anchorPayload, ANCHOR_TYPE, type AnchorPayload } from '../../src/epoch/anchor';
import { encodeEnvelope } from '../../src/events/envelope';
import { buildEventCommit } from '../../src/events/commit';
import { readResumePoint } from '../../src/checkpoint/make';
import { readEpochSanity } from '../../src/epoch/read';
import type { EpochSanityProblem } from '../../src/gate/epoch';
import { openRepo } from '../../src/git';
import { loadKey } from '../../src/keys';
import { publicKeyFromSeed } from '../../src/canon/ed25519';
import { formatTime } from '../../src/trust';
import { ObjectBatch } from '../../src/workspace/object-batch';
import { GateWorld, ulidAt, type Run } from '../helpers/gate-world';

const NS = 'cfg';
const JOURNAL = `refs/gatos/journal/${NS}/user/alice`;
const STATE = `refs/gatos/state/${NS}`;

function must(r: Run, what: string): Run {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

interface Made {
  ref: string;
  commit: string;
  epoch: string;
  seq?: number;
  prev?: string | null;
  heads?: Record<string, string>;
  state?: { checkpoint: string; state_root: string } | null;
}

describe('epochs over real pushes (regulated, sha1)', () => {
  let w: GateWorld;
  let alice: string;
  let root: string;
  const at = (dt: number): Record<string, string> => ({ GATOS_NOW: formatTime(w.now + dt) });
  const rev = (dir: string, what: string): string => must(w.git(dir, ['rev-parse', what]), `rev-parse ${what}`).stdout.trim();
  const srv = (args: readonly string[]): Run => w.git(w.root, ['--git-dir', w.gitDir, ...args]);
  const anchors: Made[] = [];
  let e1 = '';
  let e2 = '';

  /** Alice appends one event dated `dt` seconds from now, folds a checkpoint and pushes both at once. */
  function eventAndCheckpoint(dt: number): void {
    w.fetch(alice, 'user:alice');
    w.addEvent(alice, 'user:alice', NS, [], at(dt));
    must(w.gatos(alice, ['fold', 'checkpoint', '--ns', NS, '--as', 'user:alice'], at(dt)), 'fold checkpoint');
    must(w.push(alice, 'user:alice', [JOURNAL, STATE]), 'journal and checkpoint push');
  }

  function epochNew(dt: number): Made {
    w.fetch(root, 'user:root');
    const r = must(w.gatos(root, ['epoch', 'new', NS, '--as', 'user:root', '--json'], at(dt)), 'epoch new');
    return JSON.parse(r.stdout) as Made;
  }

  /** An anchor built with the producer's library and changed as a forger would; the local ref is created in root's clone. */
  async function forge(actor: string, payload: AnchorPayload, parent: string | undefined, dt: number, opts: { policyRoot?: string } = {}): Promise<Made> {
    // user:mallory has a key nobody's trust graph lists: made here, never written to the key dir.
    const seed = new Uint8Array(32).fill(7);
    const key = actor === 'user:mallory' ? { ok: true as const, value: { actor, seed, publicKey: publicKeyFromSeed(seed) } } : loadKey(w.keyDir, actor);
    if (!key.ok) throw new Error(key.error.message);
    const b = w.activeBundle(root);
    const ts = w.now + dt;
    const epoch = ulidAt(ts);
    const enc = encodeEnvelope({ type: ANCHOR_TYPE, ulid: epoch, actor, ns: NS, caps: [], payload: anchorPayload(payload), policy_root: opts.policyRoot ?? b.commit, fold_root: b.foldRoot, sig_alg: 'ed25519', ts });
    if (!enc.ok) throw new Error(enc.error.message);
    const opened = await openRepo(path.join(root, '.git'), { env: w.env() });
    if (!opened.ok) throw new Error(opened.error.message);
    try {
      const built = buildEventCommit(opened.value.format, enc.value, key.value, parent);
      if (!built.ok) throw new Error(built.error.message);
      const batch = new ObjectBatch(opened.value.format);
      batch.addAll(built.value.objects);
      const wr = await batch.write(opened.value);
      if (!wr.ok) throw new Error(wr.error.message);
      const ref = `refs/gatos/epoch/${NS}/${epoch}`;
      must(w.git(root, ['update-ref', ref, built.value.commit]), 'update-ref');
      return { ref, commit: built.value.commit, epoch };
    } finally {
      await opened.value.close();
    }
  }

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1' }).setup();
    alice = w.client('user:alice');
    root = w.client('user:root');
  });

  async function proofAt(dir: string, ref: string): Promise<{ base: string; window: readonly { start: string | null; end: string }[] }> {
    const opened = await openRepo(path.join(dir, '.git'), { env: w.env() });
    if (!opened.ok) throw new Error(opened.error.message);
    try {
      const p = await readResumePoint(opened.value, rev(dir, ref));
      if (!p.ok) throw new Error(p.error.message);
      return p.value.proof;
    } finally {
      await opened.value.close();
    }
  }

  test('a chain of two anchors is accepted, each recording the heads, the checkpoint and its State-Root', async () => {
    eventAndCheckpoint(-7200);
    e1 = rev(alice, JOURNAL);
    const a1 = epochNew(-7000);
    must(w.push(root, 'user:root', [a1.ref]), 'push anchor 1');
    anchors.push(a1);
    // Across the boundary: the next checkpoint resumes from the one the anchor records.
    eventAndCheckpoint(-3600);
    e2 = rev(alice, JOURNAL);
    const proof = await proofAt(alice, STATE);
    expect(proof.base).toBe('resume');
    expect(proof.window).toEqual([expect.objectContaining({ start: e1, end: e2 })]);
    const a2 = epochNew(-3500);
    must(w.push(root, 'user:root', [a2.ref]), 'push anchor 2');
    anchors.push(a2);
    const stateRoot = /State-Root: (\S+)/.exec(must(w.git(alice, ['log', '-1', '--format=%B', STATE]), 'log').stdout)?.[1];
    expect(a1).toMatchObject({ seq: 1, prev: null, heads: { [JOURNAL]: e1 } });
    expect(a2).toMatchObject({ seq: 2, prev: a1.commit, heads: { [JOURNAL]: e2 }, state: { checkpoint: rev(alice, STATE), state_root: stateRoot } });
    expect(rev(root, `${a2.commit}^`)).toBe(a1.commit);
  });

  test('broken, forked, stale, unsigned, untrusted and moved anchors and a journal rewritten across the boundary: each refused with EPOCH_BROKEN in one push', async () => {
    const [a1, a2] = anchors as [Made, Made];
    w.fetch(root, 'user:root');
    const heads = new Map([[JOURNAL, e2]]);
    const state = { checkpoint: rev(root, STATE), stateRoot: '' };
    state.stateRoot = /State-Root: (\S+)/.exec(must(w.git(root, ['log', '-1', '--format=%B', STATE]), 'log').stdout)?.[1] ?? '';
    const good = (over: Partial<AnchorPayload> = {}): AnchorPayload => ({ seq: 3, prev: a2.commit, heads, state, ...over });
    const missing = await forge('user:root', good({ prev: e1 }), undefined, -3000);
    const fork = await forge('user:root', good({ seq: 2, prev: a1.commit }), a1.commit, -2990);
    const stale = await forge('user:root', good({ heads: new Map([[JOURNAL, e1]]) }), a2.commit, -2980);
    const untrusted = await forge('user:mallory', good(), a2.commit, -2970);
    // The same tree as a good anchor, a message without any trailer: an anchor nobody signed.
    const signed = await forge('user:root', good(), a2.commit, -2960);
    const tree = rev(root, `${signed.commit}^{tree}`);
    const unsignedCommit = must(w.git(root, ['commit-tree', tree, '-p', a2.commit], {}, `${ANCHOR_TYPE} ${signed.epoch}\n`), 'commit-tree').stdout.trim();
    must(w.git(root, ['update-ref', signed.ref, unsignedCommit]), 'update-ref unsigned');
    // a2's ref moved to another anchor (non-fast-forward of an epoch ref).
    must(w.git(root, ['update-ref', a2.ref, fork.commit]), 'move a2');
    // Alice's journal (in root's clone) rewound before the anchor's head, then a new event of hers appended: not starting from the anchor.
    must(w.git(root, ['update-ref', JOURNAL, e1]), 'rewind journal');
    w.addEvent(root, 'user:alice', NS, [], at(-60));
    const before = w.serverRefs();
    const entries = w.auditEntries().length;
    const r = w.push(root, 'user:root', [missing.ref, fork.ref, stale.ref, untrusted.ref, signed.ref, `+${a2.ref}`, `+${JOURNAL}`]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('code:   EPOCH_BROKEN');
    expect(w.serverRefs()).toBe(before);
    const audit = w.auditEntries();
    expect(audit.length).toBe(entries + 1);
    const broken = (audit[audit.length - 1]?.denials ?? []).filter((d) => d.code === 'EPOCH_BROKEN' && d.enforced && d.rule === 'gate/epoch');
    const reasons = (ref: string): string => broken.filter((d) => d.ref === ref).map((d) => d.reason).join('\n');
    expect(reasons(missing.ref)).toMatch(/names previous anchor .* which is no anchor of namespace cfg on the server \(a missing link\)/);
    expect(reasons(fork.ref)).toMatch(/which .* already follows: a fork/);
    expect(reasons(stale.ref)).toMatch(/does not record the journal heads on the server/);
    expect(reasons(untrusted.ref)).toMatch(/not a verifiable anchor: .*user:mallory/);
    expect(reasons(signed.ref)).toMatch(/not a verifiable anchor: .*trailers/);
    expect(reasons(a2.ref)).toMatch(/anchors never move \(a non-fast-forward of an epoch ref\)/);
    expect(reasons(JOURNAL)).toMatch(/does not start from refs\/gatos\/epoch\/cfg\/.*: its new tip does not descend from/);
    expect(r.stderr).toContain('hint:');
    // Put the clients back where the server is.
    for (const x of [missing, fork, stale, untrusted, signed]) must(w.git(root, ['update-ref', '-d', x.ref]), 'drop forged ref');
    w.fetch(root, 'user:root');
  });

  test('a checkpoint after the last boundary is accepted, and a shallow clone of the current epoch plus the anchors verifies it', () => {
    eventAndCheckpoint(-60);
    const shallow = path.join(w.root, 'clients', 'shallow');
    must(w.git(w.root, ['init', '-q', '--object-format=sha1', shallow]), 'init');
    must(w.git(shallow, ['remote', 'add', 'origin', w.url()]), 'remote');
    const env = w.transport.env('user:bob');
    must(w.git(shallow, ['fetch', '-q', 'origin', '+refs/gatos/policies/*:refs/gatos/policies/*', '+refs/gatos/epoch/*:refs/gatos/epoch/*'], env), 'fetch anchors and bundles');
    // The current epoch: from the earliest head the latest anchor records (its commit time is its event's ts).
    const since = Number(must(w.git(alice, ['log', '-1', '--format=%ct', e2]), 'ct').stdout.trim());
    must(w.git(shallow, ['fetch', '-q', `--shallow-since=${since}`, 'origin', '+refs/gatos/journal/*:refs/gatos/journal/*', '+refs/gatos/state/*:refs/gatos/state/*'], env), 'shallow fetch');
    expect(w.git(shallow, ['cat-file', '-e', `${e1}^{commit}`]).status).not.toBe(0);
    expect(rev(shallow, JOURNAL)).toBe(rev(alice, JOURNAL));
    must(w.gatos(shallow, ['init']), 'gatos init');
    const v = w.gatos(shallow, ['fold', 'verify', STATE]);
    expect({ status: v.status, stderr: v.stderr }).toEqual({ status: 0, stderr: '' });
    expect(v.stdout).toContain('identical');
  });

  /** What gatos doctor would report for the namespace on the server (readEpochSanity). */
  async function sanity(): Promise<EpochSanityProblem[]> {
    const opened = await openRepo(w.gitDir, { env: w.env() });
    if (!opened.ok) throw new Error(opened.error.message);
    try {
      const r = await readEpochSanity(opened.value, NS);
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    } finally {
      await opened.value.close();
    }
  }

  test('compaction: the dry run plans, the run removes only an off-chain anchor, and every referenced object stays; epoch sanity sees the second chain, then none', async () => {
    // An anchor that reached the server around the gate (before it was installed): off the chain.
    const orphan = `refs/gatos/epoch/${NS}/${ulidAt(w.now - 10)}`;
    const a1 = anchors[0] as Made;
    must(w.git(root, ['update-ref', orphan, a1.commit]), 'orphan local');
    const stray = must(w.git(root, ['commit-tree', rev(root, `${a1.commit}^{tree}`), '-p', a1.commit], {}, 'stray\n'), 'stray').stdout.trim();
    must(w.git(root, ['update-ref', orphan, stray]), 'orphan stray');
    must(srv(['fetch', '-q', root, `${orphan}:${orphan}`]), 'place the orphan on the server');
    // The stray commit carries the first anchor's tree, so it reads as a second first anchor.
    expect(await sanity()).toEqual([{ ns: NS, problem: '2 anchors start a chain; exactly one must' }]);
    const refsBefore = w.serverRefs();
    const dry = must(w.gatos(w.root, ['epoch', 'compact', NS, '--repo', w.gitDir, '--dry-run', '--json']), 'compact --dry-run');
    const plan = JSON.parse(dry.stdout) as { chain: { ref: string }[]; delete_refs: { ref: string }[]; unreferenced_objects: string[] };
    expect(plan.chain.map((l) => l.ref)).toEqual(anchors.map((a) => a.ref));
    expect(plan.delete_refs.map((d) => d.ref)).toEqual([orphan]);
    expect(plan.unreferenced_objects).toEqual([stray]);
    expect(w.serverRefs()).toBe(refsBefore);
    const run = must(w.gatos(w.root, ['epoch', 'compact', NS, '--repo', w.gitDir, '--expire', 'now']), 'compact');
    expect(run.stdout).toContain(`delete ${orphan}`);
    expect(w.serverRefs()).toBe(refsBefore.split('\n').filter((l) => !l.endsWith(` ${orphan}`)).join('\n'));
    expect(srv(['cat-file', '-e', stray]).status).not.toBe(0);
    expect(must(srv(['fsck', '--connectivity-only', '--no-dangling']), 'fsck').status).toBe(0);
    for (const a of anchors) expect(srv(['cat-file', '-e', a.commit]).status).toBe(0);
    expect(srv(['cat-file', '-e', e1]).status).toBe(0);
    expect(await sanity()).toEqual([]);
  });
});
