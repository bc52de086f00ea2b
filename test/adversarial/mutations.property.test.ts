/**
 * Pushed-object mutations (issue 10, Proof): take an honest event commit,
 * an honest checkpoint commit and an honest bundle commit, built by the real
 * CLI, change bytes at random (the commit object itself, or any blob of its
 * tree: event.cbor, the proof, the saved fold state, emitted files, every
 * bundle file), write the results with `git hash-object --literally`, and
 * ask the gate. Property: every mutation is refused, or yields the very
 * same object id (nothing changed).
 *
 * The decision runs in-process through decidePush (what `gatos gate check`
 * and both hooks run) against the real server repository, the mutated
 * objects reached through GIT_ALTERNATE_OBJECT_DIRECTORIES exactly as a
 * hook sees a push's quarantine. A sample of each kind is then pushed for
 * real. Fixed seeds; fast-check prints the seed and the failing mutation.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { openRepo, type GitRepo } from '../../src/git';
import { decidePush } from '../../src/push/decide-push';
import { readSettings } from '../../src/push/settings';
import type { GateConfig, RefUpdate } from '../../src/gate';
import { GateWorld, type Run } from '../helpers/gate-world';
import { fsckStrict, rawPush, writeLiteral, zeroId } from './harness';

jest.setTimeout(300_000);

const NS = 'finance';
const JOURNAL = `refs/gatos/journal/${NS}/user/alice`;
const STATE = `refs/gatos/state/${NS}`;
const ACTIVE = 'refs/gatos/policies/active';
const RUNS = 80;
/** Bundle trees hold many files: each mutation rewrites more trees, so fewer runs keep the file fast. */
const BUNDLE_RUNS = 60;
const SEED = 0x6a7e05;

function must(r: Run, what: string): Run {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** One byte-level change; positions are taken modulo the length. */
type Mutation = { op: 'xor'; at: number; x: number } | { op: 'insert'; at: number; bytes: Uint8Array } | { op: 'delete'; at: number; len: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('xor' as const), at: fc.nat(), x: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
);

function apply(bytes: Buffer, ms: readonly Mutation[]): Buffer {
  let b = Buffer.from(bytes);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % (b.length + (m.op === 'insert' ? 1 : 0));
    if (m.op === 'xor') {
      if (b.length === 0) continue;
      b[at] = (b[at] as number) ^ m.x;
    } else if (m.op === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
    else b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
  }
  return b;
}

/** What a case mutates: the commit object, or the blob at `path` in its tree. */
interface Target {
  readonly path: string | null;
}

interface Tree {
  readonly entries: { mode: string; name: string; id: Buffer }[];
}

function parseTree(raw: Buffer, idLen: number): Tree {
  const entries: Tree['entries'] = [];
  let i = 0;
  while (i < raw.length) {
    const sp = raw.indexOf(0x20, i);
    const nul = raw.indexOf(0, sp);
    entries.push({ mode: raw.toString('latin1', i, sp), name: raw.toString('utf8', sp + 1, nul), id: raw.subarray(nul + 1, nul + 1 + idLen) });
    i = nul + 1 + idLen;
  }
  return { entries };
}

function treeBytes(t: Tree): Buffer {
  return Buffer.concat(t.entries.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`, 'utf8'), e.id]));
}

/** An honest commit in a client clone, and how to rebuild it with one part changed. */
class Subject {
  readonly commitBytes: Buffer;
  readonly blobs: string[] = [];
  private readonly idLen: number;

  constructor(
    readonly w: GateWorld,
    readonly dir: string,
    readonly commit: string,
  ) {
    this.idLen = w.opts.format === 'sha256' ? 32 : 20;
    this.commitBytes = this.cat('commit', commit);
    const ls = must(w.git(dir, ['ls-tree', '-r', '--name-only', '-z', commit]), 'ls-tree').stdout;
    this.blobs.push(...ls.split('\0').filter((p) => p !== ''));
  }

  cat(type: string, id: string): Buffer {
    const r = spawnSync('git', ['cat-file', type, id], { cwd: this.dir, env: this.w.env() });
    if (r.status !== 0) throw new Error(`cat-file ${type} ${id}: ${r.stderr.toString()}`);
    return r.stdout;
  }

  targets(): Target[] {
    return [{ path: null }, ...this.blobs.map((p) => ({ path: p }))];
  }

  /** The tree `treeId` with the blob at `parts` replaced by `blob`; returns the new tree id. */
  private rewrite(treeId: string, parts: readonly string[], blob: string): string {
    const t = parseTree(this.cat('tree', treeId), this.idLen);
    const [head, ...rest] = parts;
    const entries = t.entries.map((e) => {
      if (e.name !== head) return e;
      const id = rest.length === 0 ? blob : this.rewrite(e.id.toString('hex'), rest, blob);
      return { ...e, id: Buffer.from(id, 'hex') };
    });
    return writeLiteral(this.w, this.dir, 'tree', treeBytes({ entries }));
  }

  /** Writes the mutated objects; returns the new commit id and every object written. */
  mutate(target: Target, ms: readonly Mutation[]): { commit: string; objects: string[] } {
    if (target.path === null) {
      const commit = writeLiteral(this.w, this.dir, 'commit', apply(this.commitBytes, ms));
      return { commit, objects: [commit] };
    }
    const tree = must(this.w.git(this.dir, ['rev-parse', `${this.commit}^{tree}`]), 'tree').stdout.trim();
    const old = must(this.w.git(this.dir, ['rev-parse', `${this.commit}:${target.path}`]), 'blob').stdout.trim();
    const blob = writeLiteral(this.w, this.dir, 'blob', apply(this.cat('blob', old), ms));
    const newTree = this.rewrite(tree, target.path.split('/'), blob);
    const text = this.commitBytes.toString('latin1').replace(`tree ${tree}\n`, `tree ${newTree}\n`);
    const commit = writeLiteral(this.w, this.dir, 'commit', Buffer.from(text, 'latin1'));
    const trees = must(this.w.git(this.dir, ['ls-tree', '-r', '-t', '--object-only', newTree]), 'ls-tree').stdout.split('\n').filter((l) => l !== '');
    return { commit, objects: [commit, newTree, ...trees] };
  }
}

/** The kinds of honest objects, each with the updates a push of it makes. */
interface Kind {
  readonly name: string;
  readonly actor: string;
  subject: Subject;
  updates(commit: string): RefUpdate[];
}

const serverRef = (w: GateWorld, ref: string): string => {
  const r = w.git(w.root, ['--git-dir', w.gitDir, 'rev-parse', '--verify', '-q', ref]);
  return r.status === 0 ? r.stdout.trim() : zeroId(w);
};

/**
 * sha1 runs the full property; sha256 (ids of 32 bytes in trees, 64 hex digits in commits) a shorter one, so
 * the file stays fast on a shared machine.
 */
const PLANS = [
  { format: 'sha1', runs: RUNS, bundleRuns: BUNDLE_RUNS, pushed: 5 },
  { format: 'sha256', runs: 25, bundleRuns: 15, pushed: 2 },
] as const;

for (const plan of PLANS) describe(`pushed-object mutations are refused or change nothing (regulated, ${plan.format})`, () => {
  let w: GateWorld;
  let alice: string;
  let root: string;
  let repos: GitRepo[] = [];
  let config: GateConfig;
  const kinds: Kind[] = [];
  let bundleId = '';
  const stats = { decided: 0, identical: 0, threw: 0 };

  beforeAll(async () => {
    w = new GateWorld({ format: plan.format }).setup();
    root = w.client('user:root');
    // The active policy asks no quorum for bundles (published once, with the quorum the template's asks for): a
    // grant names one bundle commit, so under a quorum every mutated bundle would be refused for want of a grant,
    // and the property would never reach the bundle's own verification.
    must(w.gatos(root, ['policy', 'init', '--template', 'regulated', '--force']), 'policy init');
    cpSync(path.join(w.admin, 'gatos/trust'), path.join(root, 'gatos/trust'), { recursive: true });
    const policies = path.join(root, 'gatos/policies/policies.rgs');
    writeFileSync(policies, readFileSync(policies, 'utf8').replace(/^ {4}quorum: .*\n/m, ''));
    must(w.gatos(root, ['policy', 'publish', '--as', 'user:root']), 'policy publish (no quorum)');
    must(w.push(root, 'user:root', ['refs/gatos/policies/*']), 'policy push (no quorum)');
    alice = w.client('user:alice');
    // A checkpoint over the journal the server holds (not pushed), then an event on top (not pushed).
    w.addEvent(alice, 'user:alice', NS);
    w.addEvent(alice, 'user:alice', NS);
    must(w.push(alice, 'user:alice', [JOURNAL]), 'journal push');
    must(w.gatos(alice, ['fold', 'checkpoint', '--ns', NS, '--as', 'user:alice']), 'fold checkpoint');
    w.addEvent(alice, 'user:alice', NS);
    // A new bundle published in root's clone (not pushed).
    must(w.gatos(root, ['policy', 'init', '--template', 'regulated', '--force']), 'policy init');
    cpSync(path.join(w.admin, 'gatos/trust'), path.join(root, 'gatos/trust'), { recursive: true });
    writeFileSync(path.join(root, 'gatos/policies/zz-marker.rgs'), 'rules:\n  - id: marker/mutations\n    when: { ref: "refs/tags/marker" }\n    deny_if: true\n');
    must(w.gatos(root, ['policy', 'publish', '--as', 'user:root']), 'policy publish');
    const refs = must(w.git(root, ['for-each-ref', '--format=%(refname)', 'refs/gatos/policies/']), 'for-each-ref').stdout.split('\n');
    const active = must(w.git(root, ['rev-parse', ACTIVE]), 'rev-parse').stdout.trim();
    bundleId = refs.find((r) => r !== ACTIVE && r !== '' && must(w.git(root, ['rev-parse', r]), 'rev-parse').stdout.trim() === active && serverRef(w, r) === zeroId(w)) ?? '';
    expect(bundleId).toMatch(/^refs\/gatos\/policies\/[0-9a-f]{64}$/);

    const tip = (dir: string, ref: string) => must(w.git(dir, ['rev-parse', ref]), 'rev-parse').stdout.trim();
    kinds.push(
      { name: 'event', actor: 'user:alice', subject: new Subject(w, alice, tip(alice, JOURNAL)), updates: (c) => [{ ref: JOURNAL, oldId: serverRef(w, JOURNAL), newId: c }] },
      { name: 'checkpoint', actor: 'user:alice', subject: new Subject(w, alice, tip(alice, STATE)), updates: (c) => [{ ref: STATE, oldId: serverRef(w, STATE), newId: c }] },
      {
        name: 'bundle',
        actor: 'user:root',
        subject: new Subject(w, root, active),
        updates: (c) => [
          { ref: bundleId, oldId: zeroId(w), newId: c },
          { ref: ACTIVE, oldId: serverRef(w, ACTIVE), newId: c },
        ],
      },
    );
    // The hooks' view of a push: the server repository, the pushed objects in an alternate object directory (as in quarantine).
    for (const dir of [alice, root]) {
      const opened = await openRepo(w.gitDir, { env: { ...w.env(), GIT_DIR: w.gitDir, GIT_ALTERNATE_OBJECT_DIRECTORIES: path.join(dir, '.git', 'objects') } });
      if (!opened.ok) throw new Error(opened.error.message);
      repos.push(opened.value);
    }
    const s = await readSettings(repos[0] as GitRepo);
    if (!s.ok) throw new Error(s.error.message);
    config = s.value;
  });

  afterAll(async () => {
    await Promise.all(repos.map((r) => r.close()));
    repos = [];
    console.log(`mutations: ${stats.decided} decided, ${stats.identical} left the object unchanged, ${stats.threw} threw (refused by the hook's fail-closed wrapper)`);
  });

  const kind = (name: string): Kind => {
    const k = kinds.find((x) => x.name === name);
    if (!k) throw new Error(name);
    return k;
  };
  const repoOf = (k: Kind) => (k.subject.dir === alice ? repos[0] : repos[1]) as GitRepo;

  /** The gate's decision for pushing `commit` as kind `k`: accepted or not. */
  async function accepted(k: Kind, commit: string): Promise<{ accepted: boolean; why: string }> {
    try {
      const out = await decidePush({ hook: 'check', repo: repoOf(k), updates: k.updates(commit), env: { GATOS_ACTOR: k.actor }, now: Math.floor(Date.now() / 1000), config });
      stats.decided++;
      return { accepted: out.verdict.accepted, why: out.verdict.denials.map((d) => `${d.code} ${d.ruleId}: ${d.reason}`).join('\n') };
    } catch (e) {
      stats.threw++;
      return { accepted: false, why: `threw: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  test.each(['event', 'checkpoint', 'bundle'])('the honest %s is accepted (the property is not vacuous)', async (name) => {
    const k = kind(name);
    const r = await accepted(k, k.subject.commit);
    expect(r.why).toBe('');
    expect(r.accepted).toBe(true);
  });

  test.each(['event', 'checkpoint', 'bundle'])('every byte mutation of the %s commit or of a file in its tree is refused or changes nothing', async (name) => {
    const k = kind(name);
    const targets = k.subject.targets();
    expect(targets.length).toBeGreaterThan(1);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: targets.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (t, ms) => {
        const m = k.subject.mutate(targets[t] as Target, ms);
        if (m.commit === k.subject.commit) {
          stats.identical++;
          return true;
        }
        const r = await accepted(k, m.commit);
        if (r.accepted) throw new Error(`accepted a mutated ${name} (${JSON.stringify(targets[t])}, commit ${m.commit}):\n${JSON.stringify(k.subject.cat('commit', m.commit).toString('latin1'))}\nhonest:\n${JSON.stringify(k.subject.commitBytes.toString('latin1'))}`);
        return true;
      }),
      { seed: SEED + name.length, numRuns: name === 'bundle' ? plan.bundleRuns : plan.runs, verbose: true },
    );
  });

  // What an attacker pushes for real: a sample of each kind, through receive-pack and both hooks.
  test.each(['event', 'checkpoint', 'bundle'])('a sample of mutated %s objects pushed for real is refused', async (name) => {
    const k = kind(name);
    const targets = k.subject.targets();
    const sample = fc.sample(fc.tuple(fc.nat({ max: targets.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 })), { seed: SEED + 1, numRuns: plan.pushed });
    const honest = must(w.git(k.subject.dir, ['rev-list', '--objects', k.subject.commit, '--not', ...k.updates(k.subject.commit).map((u) => u.oldId).filter((o) => o !== zeroId(w))]), 'rev-list').stdout
      .split('\n')
      .map((l) => l.split(' ')[0] ?? '')
      .filter((l) => l !== '');
    for (const [t, ms] of sample) {
      const m = k.subject.mutate(targets[t] as Target, ms);
      if (m.commit === k.subject.commit) continue;
      const decided = await accepted(k, m.commit);
      expect(decided.accepted).toBe(false);
      const code = /^(\S+) /.exec(decided.why)?.[1] ?? 'GATE_ERROR';
      const push = () => rawPush(w, { from: k.subject.dir, format: plan.format, env: { GATOS_ACTOR: k.actor }, commands: k.updates(m.commit).map((u) => ({ old: u.oldId, new: u.newId, ref: u.ref })), objects: [...new Set([...m.objects, ...honest])] });
      // git's own object checks (receive.fsckObjects, pinned by install) may refuse a malformed object before any hook runs:
      // git then reports the unpack as failed, no hook runs and no audit entry is written.
      const before = w.serverRefs();
      const entries = w.auditEntries().length;
      const r = push();
      expect(r.status).not.toBe(0);
      expect(w.serverRefs()).toBe(before);
      expect(fsckStrict(w).status).toBe(0);
      const shown = `${r.stdout}\n${r.stderr}`;
      if (/unpack (?!ok)/.test(r.stdout)) {
        expect(shown).not.toContain('code:');
        expect(w.auditEntries().length).toBe(entries);
      } else {
        expect(shown).toContain(`code:   ${code}`);
        expect(w.auditEntries().length).toBe(entries + 1);
      }
    }
  });
});
