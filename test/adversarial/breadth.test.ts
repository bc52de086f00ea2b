/**
 * Breadth of the adversarial suite: attacks the gate already handles, run
 * across transports (file://, ssh:// with forced commands, smart HTTP), the
 * update-hook-only install and both object formats. Identity: what a client
 * sends (ssh SetEnv, push options, HTTP headers) never changes who the host
 * says is pushing; unknown host users get nothing. History: no plane can be
 * deleted or force-pushed. The audit trail is the gate's alone, also beside
 * a legitimate ref in one request. Ref names under refs/gatos/ that are not
 * GATOS names, raw requests the stock client never sends (a wrong old id, a
 * create and a delete together). Every attack through expectAttackRefused
 * (refused, code and rule, one audit entry, refs unchanged, fsck clean);
 * legitimate variants through expectAccepted.
 */
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GateWorld, type GateTransport, type Run } from '../helpers/gate-world';
import { expectAccepted, expectAttackRefused, fsckStrict, rawPush, zeroId } from './harness';
import { servedHttp, servedSsh, type Served } from './served';

jest.setTimeout(300_000);

const NS = 'finance';
const JOURNAL = `refs/gatos/journal/${NS}/user/alice`;
const STATE = `refs/gatos/state/${NS}`;
const ACTIVE = 'refs/gatos/policies/active';
const FF = { code: 'FF_VIOLATION', rule: 'gate/fast-forward-only' } as const;
const AUDIT = { code: 'POLICY_DENY', rule: 'gate/audit-readonly' } as const;
const REF_NAME = { code: 'POLICY_DENY', rule: 'gate/ref-name' } as const;
const UNVOUCHED = { code: 'POLICY_DENY', rule: 'branches/vouched-actors' } as const;
const PUBLISHERS = { code: 'POLICY_DENY', rule: 'policy/trusted-publishers' } as const;
/**
 * A Node option that ends a process with status 0 before any of its own code runs. In the hooks' environment (a
 * host's profile, a client's SetEnv where sshd accepts it, any file:// pusher) it would accept without a decision,
 * had the gate's node read it: the stubs start it without NODE_OPTIONS (decision 0067).
 */
const NODE_EXITS_ZERO = { NODE_OPTIONS: '--import=data:text/javascript,process.exit(0)' };

function must(r: Run, what: string): Run {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** A regulated world: alice's journal and a checkpoint on the server, a bundle published in root's clone but not pushed. */
class Breadth {
  w!: GateWorld;
  alice = '';
  root = '';
  private n = 0;

  constructor(readonly opts: { format: 'sha1' | 'sha256'; hooks?: string; transport?: GateTransport; template?: string; bare?: boolean }) {}

  setup(): void {
    const template = this.opts.template ?? 'regulated';
    this.w = new GateWorld({ format: this.opts.format, template, ...(this.opts.hooks ? { hooks: this.opts.hooks } : {}), ...(this.opts.transport ? { transport: this.opts.transport } : {}) }).setup();
    const w = this.w;
    this.alice = w.client('user:alice');
    // bare: no journal, checkpoint or bundle prepared (airgapped wants writers above alice's trust level).
    if (this.opts.bare) return;
    w.addEvent(this.alice, 'user:alice', NS);
    must(w.push(this.alice, 'user:alice', [JOURNAL]), 'journal push');
    must(w.gatos(this.alice, ['fold', 'checkpoint', '--ns', NS, '--as', 'user:alice']), 'fold checkpoint');
    must(w.push(this.alice, 'user:alice', [STATE]), 'checkpoint push');
    this.root = w.client('user:root');
    must(w.gatos(this.root, ['policy', 'init', '--template', template, '--force']), 'policy init');
    cpSync(path.join(w.admin, 'gatos/trust'), path.join(this.root, 'gatos/trust'), { recursive: true });
    writeFileSync(path.join(this.root, 'gatos/policies/zz-marker.rgs'), 'rules:\n  - id: marker/breadth\n    when: { ref: "refs/tags/marker" }\n    deny_if: true\n');
    must(w.gatos(this.root, ['policy', 'publish', '--as', 'user:root']), 'policy publish');
  }

  /** The pusher's environment over this world's transport, with extra variables for the git client. */
  env(actor: string, extra: Record<string, string> = {}): Record<string, string> {
    return { ...this.w.transport.env(actor), ...extra };
  }

  /** `git push` from `dir` as `actor`. */
  push(dir: string, actor: string, args: readonly string[], extra: Record<string, string> = {}): Run {
    // A bundle publication carries the regulated quorum's governance refs (GateWorld.quorum, the one place).
    const gov = args.includes('refs/gatos/policies/*') ? this.w.quorum(dir) : [];
    return this.w.git(dir, ['push', ...args, ...gov], this.env(actor, extra));
  }

  /** A new commit nobody has seen, in `dir` (an empty tree, a unique message). */
  plain(dir: string, parent?: string): string {
    const tree = must(this.w.git(dir, ['mktree'], {}, ''), 'mktree').stdout.trim();
    return must(this.w.git(dir, ['commit-tree', tree, ...(parent ? ['-p', parent] : [])], {}, `breadth ${++this.n}\n`), 'commit-tree').stdout.trim();
  }

  server(ref: string): string {
    const r = this.w.git(this.w.root, ['--git-dir', this.w.gitDir, 'rev-parse', '--verify', '-q', ref]);
    return r.status === 0 ? r.stdout.trim() : zeroId(this.w);
  }

  /** The root-less rewrite of a ref's tip: same tree, no parent (not a fast-forward). */
  rewrite(dir: string, ref: string): string {
    const tree = must(this.w.git(dir, ['rev-parse', `${ref}^{tree}`]), 'tree').stdout.trim();
    return must(this.w.git(dir, ['commit-tree', tree], {}, `rewritten ${++this.n}\n`), 'commit-tree').stdout.trim();
  }

  /** Any refusal first, so refs/gatos/audit/policy exists on the server. */
  ensureAudit(): string {
    if (this.server('refs/gatos/audit/policy') === zeroId(this.w)) {
      expectAttackRefused(this.w, () => this.push(this.alice, 'user:alice', ['origin', `:${JOURNAL}`]), FF);
    }
    return this.server('refs/gatos/audit/policy');
  }
}

/** A push git itself refuses before any hook of the gate runs: refused, with git's reason, refs unchanged, no audit entry. */
function expectRefusedByGit(w: GateWorld, push: () => Run, reason: string): Run {
  const before = w.serverRefs();
  const entries = w.auditEntries().length;
  const r = push();
  expect(r.status).not.toBe(0);
  expect(`${r.stdout}\n${r.stderr}`).toContain(reason);
  expect(w.serverRefs()).toBe(before);
  expect(w.auditEntries().length).toBe(entries);
  expect(fsckStrict(w).status).toBe(0);
  return r;
}

/** Attacks every transport and install receives the same way (stock client). */
function historyAndNames(b: Breadth): void {
  const A = 'user:alice';
  // Deleting a journal would erase accepted events.
  test('delete a journal', () => void expectAttackRefused(b.w, () => b.push(b.alice, A, ['origin', `:${JOURNAL}`]), FF));
  // Deleting the state ref would make the next checkpoint start from nothing.
  test('delete a state ref', () => void expectAttackRefused(b.w, () => b.push(b.alice, A, ['origin', `:${STATE}`]), FF));
  // The trusted publisher deleting the active policy would leave the gate without a bundle.
  test('delete refs/gatos/policies/active (even as root)', () => void expectAttackRefused(b.w, () => b.push(b.root, 'user:root', ['origin', `:${ACTIVE}`]), FF));
  // Rewriting a journal's history.
  test('force-push a journal', () => void expectAttackRefused(b.w, () => b.push(b.alice, A, ['--force', 'origin', `${b.rewrite(b.alice, JOURNAL)}:${JOURNAL}`]), FF));
  // Rewinding the state to an unrelated checkpoint.
  test('force-push a state ref', () => void expectAttackRefused(b.w, () => b.push(b.alice, A, ['--force', 'origin', `${b.rewrite(b.alice, STATE)}:${STATE}`]), FF));
  // Replacing the policy history (as root, who may publish).
  test('force-push refs/gatos/policies/active', () => void expectAttackRefused(b.w, () => b.push(b.root, 'user:root', ['--force', 'origin', `${b.rewrite(b.root, ACTIVE)}:${ACTIVE}`]), FF));
  // With pre-receive, the gate refuses audit writes itself (and audits them). With the update hook alone, git's
  // receive.hideRefs refuses them before any update hook runs: refused, but no audit entry (git never asks the hook).
  // Only refs/gatos/audit/policy is hidden (decision 0029): any other audit ref reaches the gate, under either hook.
  const auditRefused = (push: () => Run) => void expectAttackRefused(b.w, push, AUDIT);
  // Planting a second audit trail the operator might trust.
  test('create a ref under refs/gatos/audit/', () => auditRefused(() => b.push(b.alice, A, ['origin', `${b.plain(b.alice)}:refs/gatos/audit/forged`])));
  // Smuggling an audit write beside a legitimate journal push, atomically.
  test('an audit ref beside a legitimate journal append (--atomic)', () => {
    b.w.fetch(b.alice, A);
    b.w.addEvent(b.alice, A, NS);
    const push = () => b.push(b.alice, A, ['--atomic', 'origin', JOURNAL, `${b.plain(b.alice)}:refs/gatos/audit/beside`]);
    // Under either hook the gate refuses the audit ref and the atomic push writes nothing (refs/gatos/audit/beside is not hidden: decision 0029).
    expectAttackRefused(b.w, push, AUDIT);
    expect(b.server('refs/gatos/audit/beside')).toBe(zeroId(b.w));
  });
  // A journal name with a segment missing: no actor owns it.
  test('a journal ref without an actor', () => void expectAttackRefused(b.w, () => b.push(b.alice, A, ['origin', `${b.plain(b.alice)}:refs/gatos/journal/${NS}`]), REF_NAME));
  // Upper case: another ref on a case-sensitive disk, the same file on a case-insensitive one.
  test('a state namespace with upper case', () => void expectAttackRefused(b.w, () => b.push(b.alice, A, ['origin', `${b.plain(b.alice)}:refs/gatos/state/Finance`]), REF_NAME));
  // A segment ending in '.', which git accepts inside a ref name.
  test("a journal namespace ending in '.'", () => void expectAttackRefused(b.w, () => b.push(b.alice, A, ['origin', `${b.plain(b.alice)}:refs/gatos/journal/${NS}./user/alice`]), REF_NAME));
  // Percent-escaped dots as the actor's name: '..' after a decode nobody may do.
  test('a journal for the actor %2e%2e', () => void expectAttackRefused(b.w, () => b.push(b.alice, A, ['origin', `${b.plain(b.alice)}:refs/gatos/journal/${NS}/user/%2e%2e`]), REF_NAME));
  // A bundle ref that is no bundle id.
  test('refs/gatos/policies/<not a bundle id>', () => void expectAttackRefused(b.w, () => b.push(b.root, 'user:root', ['origin', `${b.plain(b.root)}:refs/gatos/policies/latest`]), REF_NAME));
  // An unknown plane under refs/gatos/: the templates leave it to the policy, which denies by default.
  test('an unknown plane under refs/gatos/', () => void expectAttackRefused(b.w, () => b.push(b.root, 'user:root', ['origin', `${b.plain(b.root)}:refs/gatos/unknown-plane/orders/0`]), { code: 'POLICY_DENY', rule: 'default-deny' }));
  // A plain commit on a bus shard is no message: verified as an event, it is refused whatever the policy says.
  test('a plain commit on a bus shard', () => void expectAttackRefused(b.w, () => b.push(b.root, 'user:root', ['origin', `${b.plain(b.root)}:refs/gatos/mbus/orders/0`]), { code: 'ENCODING_INVALID', rule: 'gate/event' }));
  // Legitimate: alice appends to her own journal.
  test('legitimate: a journal append', () => {
    b.w.fetch(b.alice, A);
    b.w.addEvent(b.alice, A, NS);
    expectAccepted(b.w, () => b.push(b.alice, A, ['origin', JOURNAL]));
  });
}

describe('breadth over file:// (regulated, sha1, both hooks)', () => {
  const b = new Breadth({ format: 'sha1' });
  beforeAll(() => b.setup());
  historyAndNames(b);

  // No identity from the host at all.
  test('no GATOS_ACTOR (the host named nobody)', () => void expectAttackRefused(b.w, () => b.w.git(b.alice, ['push', 'origin', `${b.plain(b.alice)}:refs/heads/anon`]), UNVOUCHED));
  // A host name that is no actor id and that no gatos.actorMap entry maps.
  test('an unmapped host user name', () => void expectAttackRefused(b.w, () => b.w.git(b.alice, ['push', 'origin', `${b.plain(b.alice)}:refs/heads/unmapped`], { GATOS_ACTOR: 'mallory' }), UNVOUCHED));
  // An actor id the trust graph does not know.
  test('an actor the trust graph does not know', () => void expectAttackRefused(b.w, () => b.w.git(b.alice, ['push', 'origin', `${b.plain(b.alice)}:refs/heads/dave`], { GATOS_ACTOR: 'user:dave' }), UNVOUCHED));
  // Upper case in the actor's name: not alice.
  test('user:Alice is not user:alice', () => void expectAttackRefused(b.w, () => b.w.git(b.alice, ['push', 'origin', `${b.plain(b.alice)}:refs/heads/upper`], { GATOS_ACTOR: 'user:Alice' }), UNVOUCHED));
  // Push options are the client's words: they never name the pusher.
  test('push options claiming to be root', () => void expectAttackRefused(b.w, () => b.push(b.root, 'user:alice', ['-o', 'GATOS_ACTOR=user:root', '-o', 'actor=user:root', 'origin', 'refs/gatos/policies/*']), PUBLISHERS));
  // A wrong old id: the client claims the journal is somewhere it is not (a raw request).
  test('a raw update whose old id is not the server tip', () => {
    b.w.fetch(b.alice, 'user:alice');
    b.w.addEvent(b.alice, 'user:alice', NS);
    const tip = must(b.w.git(b.alice, ['rev-parse', JOURNAL]), 'rev-parse').stdout.trim();
    const wrongOld = b.plain(b.alice);
    expectAttackRefused(b.w, () => rawPush(b.w, { from: b.alice, env: { GATOS_ACTOR: 'user:alice' }, commands: [{ old: wrongOld, new: tip, ref: JOURNAL }], objects: [tip, wrongOld, ...objectsOf(b, b.alice, tip, b.server(JOURNAL))] }), FF);
  });
  // One request that creates a harmless branch and deletes a journal.
  test('a create and a delete in one raw request', () => {
    const c = b.plain(b.alice);
    expectAttackRefused(b.w, () => rawPush(b.w, { from: b.alice, env: { GATOS_ACTOR: 'user:alice' }, commands: [{ old: zeroId(b.w), new: c, ref: 'refs/heads/decoy' }, { old: b.server(JOURNAL), new: zeroId(b.w), ref: JOURNAL }], objects: [c] }), FF);
  });
  // Updating the audit trail itself (the stock client cannot: the server hides it; a raw request can name it).
  test('update refs/gatos/audit/policy', () => {
    const old = b.ensureAudit();
    const c = b.plain(b.alice);
    expectAttackRefused(b.w, () => rawPush(b.w, { from: b.alice, env: { GATOS_ACTOR: 'user:alice' }, commands: [{ old, new: c, ref: 'refs/gatos/audit/policy' }], objects: [c] }), AUDIT);
  });
  // Deleting the audit trail.
  test('delete refs/gatos/audit/policy', () => {
    const old = b.ensureAudit();
    expectAttackRefused(b.w, () => rawPush(b.w, { from: b.alice, env: { GATOS_ACTOR: 'user:alice' }, commands: [{ old, new: zeroId(b.w), ref: 'refs/gatos/audit/policy' }] }), AUDIT);
  });
  // Bytes no GATOS name holds (Latin-1 é) in a state ref name.
  test('a state ref name with a non-ASCII byte', () => {
    const c = b.plain(b.alice);
    expectAttackRefused(b.w, () => rawPush(b.w, { from: b.alice, env: { GATOS_ACTOR: 'user:alice' }, commands: [{ old: zeroId(b.w), new: c, ref: Buffer.concat([Buffer.from('refs/gatos/state/fin'), Buffer.from([0xc3, 0xa9])]) }], objects: [c] }), REF_NAME);
  });
  // A Node option in the hooks' environment that would end the gate with status 0 before it decides.
  test('NODE_OPTIONS ending the gate with status 0: force-push a journal', () => void expectAttackRefused(b.w, () => b.push(b.alice, 'user:alice', ['--force', 'origin', `${b.rewrite(b.alice, JOURNAL)}:${JOURNAL}`], NODE_EXITS_ZERO), FF));
  // Node parses NODE_OPTIONS again for a worker thread started with an environment of its own: code it imports there
  // could answer the main thread's signature checks. The hook's worker threads (forced on for one event) must never
  // run it, though the loader gives the variable back to the processes the hook starts.
  test('NODE_OPTIONS never runs in the hook\'s worker threads', () => {
    const marker = path.join(b.w.root, 'imported-in-a-worker');
    const code = `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'ran');`;
    b.w.fetch(b.alice, 'user:alice');
    b.w.addEvent(b.alice, 'user:alice', NS);
    expectAccepted(b.w, () => b.push(b.alice, 'user:alice', ['origin', JOURNAL], { NODE_OPTIONS: `--import=data:text/javascript;base64,${Buffer.from(code).toString('base64')}`, GATOS_EVENT_WORKERS_MIN: '1', GATOS_TRACE: '1' }));
    expect(existsSync(marker)).toBe(false);
  });
  // Legitimate: root publishes the bundle.
  test('legitimate: root publishes a bundle', () => void expectAccepted(b.w, () => b.push(b.root, 'user:root', ['origin', 'refs/gatos/policies/*'])));
});

/** Objects reachable from `tip` and not from `base` in `dir`. */
function objectsOf(b: Breadth, dir: string, tip: string, base: string): string[] {
  const not = base === zeroId(b.w) ? [] : ['--not', base];
  return must(b.w.git(dir, ['rev-list', '--objects', tip, ...not]), 'rev-list').stdout.split('\n').map((l) => l.split(' ')[0] ?? '').filter((l) => l !== '');
}

describe('breadth with the update hook alone (regulated, sha1, --hooks update)', () => {
  const b = new Breadth({ format: 'sha1', hooks: 'update' });
  beforeAll(() => b.setup());
  historyAndNames(b);
  // The update hook sees no push options: they cannot name the pusher there either.
  test('push options claiming to be root', () => void expectAttackRefused(b.w, () => b.push(b.root, 'user:alice', ['--atomic', '-o', 'GATOS_ACTOR=user:root', 'origin', 'refs/gatos/policies/*']), PUBLISHERS));
  // A create and a delete in one atomic raw request: the delete's update hook refuses, so nothing lands.
  test('a create and a delete in one atomic raw request', () => {
    const c = b.plain(b.alice);
    expectAttackRefused(b.w, () => rawPush(b.w, { from: b.alice, atomic: true, env: { GATOS_ACTOR: 'user:alice' }, commands: [{ old: zeroId(b.w), new: c, ref: 'refs/heads/decoy' }, { old: b.server(JOURNAL), new: zeroId(b.w), ref: JOURNAL }], objects: [c] }), FF);
  });
  test('an unmapped host user name', () => void expectAttackRefused(b.w, () => b.w.git(b.alice, ['push', 'origin', `${b.plain(b.alice)}:refs/heads/unmapped`], { GATOS_ACTOR: 'mallory' }), UNVOUCHED));
  // The update hook's own node is started without NODE_OPTIONS too.
  test('NODE_OPTIONS ending the gate with status 0: delete a journal', () => void expectAttackRefused(b.w, () => b.push(b.alice, 'user:alice', ['origin', `:${JOURNAL}`], NODE_EXITS_ZERO), FF));
  // Updating and deleting the audit trail by raw request: git's receive.hideRefs refuses both before the update hook.
  test('update refs/gatos/audit/policy (refused by git: a hidden ref)', () => {
    const old = b.ensureAudit();
    const c = b.plain(b.alice);
    expectRefusedByGit(b.w, () => rawPush(b.w, { from: b.alice, env: { GATOS_ACTOR: 'user:alice' }, commands: [{ old, new: c, ref: 'refs/gatos/audit/policy' }], objects: [c] }), 'deny updating a hidden ref');
  });
  test('delete refs/gatos/audit/policy (refused by git: a hidden ref)', () => {
    const old = b.ensureAudit();
    expectRefusedByGit(b.w, () => rawPush(b.w, { from: b.alice, env: { GATOS_ACTOR: 'user:alice' }, commands: [{ old, new: zeroId(b.w), ref: 'refs/gatos/audit/policy' }] }), 'deny deleting a hidden ref');
  });
});

describe('breadth in a sha256 repository (regulated, both hooks)', () => {
  const b = new Breadth({ format: 'sha256' });
  beforeAll(() => b.setup());
  // The zero id is 64 digits here: a 40-digit delete must not pass for a delete of something else.
  test('a create and a delete in one raw request', () => {
    const c = b.plain(b.alice);
    expectAttackRefused(b.w, () => rawPush(b.w, { from: b.alice, format: 'sha256', env: { GATOS_ACTOR: 'user:alice' }, commands: [{ old: zeroId(b.w), new: c, ref: 'refs/heads/decoy' }, { old: b.server(JOURNAL), new: zeroId(b.w), ref: JOURNAL }], objects: [c] }), FF);
  });
  test('force-push a journal', () => void expectAttackRefused(b.w, () => b.push(b.alice, 'user:alice', ['--force', 'origin', `${b.rewrite(b.alice, JOURNAL)}:${JOURNAL}`]), FF));
  test('create a ref under refs/gatos/audit/', () => void expectAttackRefused(b.w, () => b.push(b.alice, 'user:alice', ['origin', `${b.plain(b.alice)}:refs/gatos/audit/forged`]), AUDIT));
  test('update refs/gatos/audit/policy', () => {
    const old = b.ensureAudit();
    const c = b.plain(b.alice);
    expectAttackRefused(b.w, () => rawPush(b.w, { from: b.alice, format: 'sha256', env: { GATOS_ACTOR: 'user:alice' }, commands: [{ old, new: c, ref: 'refs/gatos/audit/policy' }], objects: [c] }), AUDIT);
  });
  test('legitimate: a journal append', () => {
    b.w.fetch(b.alice, 'user:alice');
    b.w.addEvent(b.alice, 'user:alice', NS);
    expectAccepted(b.w, () => b.push(b.alice, 'user:alice', ['origin', JOURNAL]));
  });
});

describe('breadth under the minimal template (sha1, both hooks)', () => {
  const b = new Breadth({ format: 'sha1', template: 'minimal' });
  beforeAll(() => b.setup());
  // Appending alice's signed event to bob's journal: the journal names another actor.
  test("alice's event on bob's journal", () => {
    b.w.fetch(b.alice, 'user:alice');
    b.w.addEvent(b.alice, 'user:alice', NS);
    expectAttackRefused(b.w, () => b.push(b.alice, 'user:alice', ['origin', `${JOURNAL}:refs/gatos/journal/${NS}/user/bob`]), { code: 'POLICY_DENY', rule: 'journal/own-ref' });
  });
  // No identity: minimal leaves branches to git, but a journal append needs an actor.
  test('a journal append with no identity from the host', () => {
    b.w.addEvent(b.alice, 'user:alice', NS);
    expectAttackRefused(b.w, () => b.w.git(b.alice, ['push', 'origin', JOURNAL]), { code: 'POLICY_DENY', rule: 'journal/own-ref' });
  });
  test('delete a journal', () => void expectAttackRefused(b.w, () => b.push(b.alice, 'user:alice', ['origin', `:${JOURNAL}`]), FF));
  test('create a ref under refs/gatos/audit/', () => void expectAttackRefused(b.w, () => b.push(b.alice, 'user:alice', ['origin', `${b.plain(b.alice)}:refs/gatos/audit/forged`]), AUDIT));
  test('a journal for the actor %2e%2e', () => void expectAttackRefused(b.w, () => b.push(b.alice, 'user:alice', ['origin', `${b.plain(b.alice)}:refs/gatos/journal/${NS}/user/%2e%2e`]), REF_NAME));
  // Legitimate under minimal: branches are plain git, even for a pusher the host did not name.
  test('legitimate: a branch pushed with no identity', () => void expectAccepted(b.w, () => b.w.git(b.alice, ['push', 'origin', `${b.plain(b.alice)}:refs/heads/anyone`])));
});

describe('breadth under the airgapped template (sha1, both hooks)', () => {
  const b = new Breadth({ format: 'sha1', template: 'airgapped', bare: true });
  beforeAll(() => b.setup());
  // A scratch branch that would leave the site unreviewed.
  test('an undeclared branch', () => void expectAttackRefused(b.w, () => b.push(b.alice, 'user:alice', ['origin', `${b.plain(b.alice)}:refs/heads/scratch`]), { code: 'POLICY_DENY', rule: 'refs/declared-only' }));
  test('create a ref under refs/gatos/audit/', () => void expectAttackRefused(b.w, () => b.push(b.alice, 'user:alice', ['origin', `${b.plain(b.alice)}:refs/gatos/audit/forged`]), AUDIT));
  test('a state namespace with upper case', () => void expectAttackRefused(b.w, () => b.push(b.alice, 'user:alice', ['origin', `${b.plain(b.alice)}:refs/gatos/state/Finance`]), REF_NAME));
  test('no identity from the host, on main', () => void expectAttackRefused(b.w, () => b.w.git(b.alice, ['push', 'origin', `${b.plain(b.alice)}:refs/heads/main`]), { code: 'POLICY_DENY' }));
});

function overServer(served: Served, identity: (b: Breadth) => void): void {
  (served.available() ? describe : describe.skip)(`breadth over ${served.name}:// (regulated, sha1, both hooks)`, () => {
    const b = new Breadth({ format: 'sha1', transport: served.transport });
    beforeAll(async () => {
      await served.start();
      b.setup();
    });
    afterAll(() => served.stop());
    // A host user the trust graph does not know (dave has a key / a login, no trust).
    test('an authenticated host user the trust graph does not know', () => void expectAttackRefused(b.w, () => b.push(b.alice, 'user:dave', ['origin', `${b.plain(b.alice)}:refs/heads/dave`]), UNVOUCHED));
    // Push options never name the pusher.
    test('push options claiming to be root', () => void expectAttackRefused(b.w, () => b.push(b.root, 'user:alice', ['-o', 'GATOS_ACTOR=user:root', '-o', 'GL_USER=root', '-o', 'REMOTE_USER=root', 'origin', 'refs/gatos/policies/*']), PUBLISHERS));
    identity(b);
    // History and names over this transport.
    test('delete a journal', () => void expectAttackRefused(b.w, () => b.push(b.alice, 'user:alice', ['origin', `:${JOURNAL}`]), FF));
    test('force-push a journal', () => void expectAttackRefused(b.w, () => b.push(b.alice, 'user:alice', ['--force', 'origin', `${b.rewrite(b.alice, JOURNAL)}:${JOURNAL}`]), FF));
    test('create a ref under refs/gatos/audit/', () => void expectAttackRefused(b.w, () => b.push(b.alice, 'user:alice', ['origin', `${b.plain(b.alice)}:refs/gatos/audit/forged`]), AUDIT));
    test('a journal ref without an actor', () => void expectAttackRefused(b.w, () => b.push(b.alice, 'user:alice', ['origin', `${b.plain(b.alice)}:refs/gatos/journal/${NS}`]), REF_NAME));
    test('legitimate: a journal append, and root publishing a bundle', () => {
      b.w.fetch(b.alice, 'user:alice');
      b.w.addEvent(b.alice, 'user:alice', NS);
      expectAccepted(b.w, () => b.push(b.alice, 'user:alice', ['origin', JOURNAL]));
      expectAccepted(b.w, () => b.push(b.root, 'user:root', ['origin', 'refs/gatos/policies/*']));
    });
  });
}

overServer(servedSsh(), (b) => {
  // The client asks sshd to set the variables the gate reads first; the forced command's GL_USER must still decide.
  test('ssh SetEnv GATOS_ACTOR / GL_USER / REMOTE_USER', () => {
    const env = b.env('user:alice');
    const ssh = `${env.GIT_SSH_COMMAND ?? 'ssh'} -o SetEnv=GATOS_ACTOR=user:root -o SetEnv=GL_USER=root -o SetEnv=REMOTE_USER=root -o SendEnv=GATOS_ACTOR`;
    expectAttackRefused(b.w, () => b.w.git(b.root, ['push', 'origin', 'refs/gatos/policies/*'], { ...env, GIT_SSH_COMMAND: ssh, GATOS_ACTOR: 'user:root' }), PUBLISHERS);
  });
  // Legitimate: the same SetEnv does not stop alice from appending to her own journal.
  test('legitimate: alice appends with SetEnv noise', () => {
    b.w.fetch(b.alice, 'user:alice');
    b.w.addEvent(b.alice, 'user:alice', NS);
    const env = b.env('user:alice');
    expectAccepted(b.w, () => b.w.git(b.alice, ['push', 'origin', JOURNAL], { ...env, GIT_SSH_COMMAND: `${env.GIT_SSH_COMMAND ?? 'ssh'} -o SetEnv=GATOS_ACTOR=user:root` }));
  });
});

overServer(servedHttp(), (b) => {
  // Headers are the client's words: CGI turns them into HTTP_* variables, never REMOTE_USER or GATOS_ACTOR.
  for (const header of ['GATOS_ACTOR: user:root', 'Remote-User: root', 'X-Remote-User: root', 'GATOS-ACTOR: user:root']) {
    test(`HTTP header "${header}"`, () => void expectAttackRefused(b.w, () => b.w.git(b.root, ['-c', `http.extraHeader=${header}`, 'push', 'origin', 'refs/gatos/policies/*'], b.env('user:alice')), PUBLISHERS));
  }
});
