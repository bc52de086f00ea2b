/**
 * A world for push-gate tests: a bare repository with the gate installed by
 * ./install.sh, an admin workspace holding the trust graph (root, alice,
 * bob, carol) and their keys, and clients that clone, write events with the
 * real `gatos` CLI and push with the stock `git` client through a transport
 * (file:// here; ssh:// and http:// in the transport tests). Malicious
 * clients are built from the producer's own library, changed where a forger
 * would change them.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeEnvelope, type EncodedEnvelope, type Envelope } from '../../src/events/envelope';
import { encodeCanonical } from '../../src/canon/cbor';
import { eventCid } from '../../src/canon/cid';
import { eventCommitWithSig } from '../../src/events/commit';
import { sign } from '../../src/canon/ed25519';
import { loadKey } from '../../src/keys';
import { formatTime } from '../../src/trust';
import { ObjectBatch } from '../../src/workspace/object-batch';
import { openRepo } from '../../src/git';
import { CLI, CLI_BUNDLE } from './cli';
import { cleanGitEnv, type ObjectFormat } from './git';
import { tmpDir } from './tmp';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const INSTALL_SH = path.join(REPO_ROOT, 'install.sh');

/** How clients reach the server repository, and how the server learns who they are. */
/**
 * Runs `gatos gov propose --as user:root --json`, `approve` as root and as argv[2], and `grant` as root in this
 * one process through the bundle's exported main (argv[1]); prints the proposal id last. Stops at the first
 * command that fails, with its status.
 */
const GOV_QUORUM_SCRIPT = `
const { main } = require(process.argv[1]);
const second = process.argv[2];
(async () => {
  const out = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (c) => (out.push(String(c)), true);
  const step = async (args) => { const code = await main(args); if (code !== 0) { process.stdout.write = write; write(out.join('')); process.exit(code); } };
  await step(['gov', 'propose', '--as', 'user:root', '--json']);
  const id = JSON.parse(out.join('')).proposal_id;
  await step(['gov', 'approve', id, '--as', 'user:root']);
  await step(['gov', 'approve', id, '--as', second]);
  await step(['gov', 'grant', id, '--as', 'user:root']);
  process.stdout.write = write;
  write(id + '\\n');
})();
`;

/** Runs the `gatos` commands of argv[2] (JSON) in order through the bundle's main (argv[1]), as one process. */
const BATCH_SCRIPT = `
const { main } = require(process.argv[1]);
(async () => {
  for (const args of JSON.parse(process.argv[2])) {
    const code = await main(args);
    if (code !== 0) process.exit(code);
  }
})();
`;

export interface GateTransport {
  readonly name: string;
  /** The URL a client pushes to for the bare repository at `gitDir`. */
  url(gitDir: string): string;
  /** Environment for a git command run by `actor` (file://: GATOS_ACTOR reaches the hook; ssh: the actor's key; http: its credentials). */
  env(actor: string): Record<string, string>;
}

/** file://: receive-pack runs locally with the client's environment, so GATOS_ACTOR plays the host's role. */
export const fileTransport: GateTransport = {
  name: 'file',
  url: (gitDir) => `file://${gitDir}`,
  env: (actor) => ({ GATOS_ACTOR: actor }),
};

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export const ACTORS = ['user:root', 'user:alice', 'user:bob', 'user:carol'] as const;
/** The `leads` group of the world's trust graph. */
export const LEADS: readonly string[] = ['user:root', 'user:alice', 'user:bob'];

function run(cmd: string, args: readonly string[], cwd: string, env: Record<string, string>, input?: string): Run {
  const r = spawnSync(cmd, args, { cwd, env, input, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function must(r: Run, what: string): Run {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

export interface WorldOptions {
  readonly format: ObjectFormat;
  readonly template?: string;
  readonly transport?: GateTransport;
  /** install.sh --hooks (default both). */
  readonly hooks?: string;
}

export class GateWorld {
  readonly root: string;
  readonly keyDir: string;
  readonly gitDir: string;
  readonly admin: string;
  readonly transport: GateTransport;
  /** Admin actions are dated ten days back, so grants can expire before now. */
  readonly adminNow: number;
  readonly now: number;

  constructor(readonly opts: WorldOptions) {
    this.root = tmpDir('gatos-gate-world-');
    this.keyDir = path.join(this.root, 'keys');
    this.gitDir = path.join(this.root, 'srv.git');
    this.admin = path.join(this.root, 'admin');
    this.transport = opts.transport ?? fileTransport;
    this.now = Math.floor(Date.now() / 1000);
    this.adminNow = this.now - 10 * 86400;
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return cleanGitEnv({ GATOS_KEY_DIR: this.keyDir, ...extra });
  }

  gatos(cwd: string, args: readonly string[], extra: Record<string, string> = {}): Run {
    return run(process.execPath, [CLI, ...args], cwd, this.env(extra));
  }

  /** `gatos` commands run in order in one Node process (BATCH_SCRIPT); stops at the first that fails, with its status. */
  gatosBatch(cwd: string, commands: readonly (readonly string[])[], extra: Record<string, string> = {}): Run {
    return run(process.execPath, ['-e', BATCH_SCRIPT, CLI_BUNDLE, JSON.stringify(commands)], cwd, this.env(extra));
  }

  git(cwd: string, args: readonly string[], extra: Record<string, string> = {}, input?: string): Run {
    return run('git', args, cwd, this.env(extra), input);
  }

  /** Server repository, trust graph, grants, install. */
  setup(): this {
    must(this.git(this.root, ['init', '-q', '--bare', `--object-format=${this.opts.format}`, this.gitDir]), 'git init --bare');
    must(this.git(this.root, ['init', '-q', `--object-format=${this.opts.format}`, '-b', 'main', this.admin]), 'git init admin');
    // Each batch is one Node process running the commands in order (gatosBatch): the same commands, fewer start-ups.
    must(this.gatosBatch(this.admin, [['init'], ...ACTORS.map((a) => ['key', 'new', '--actor', a])]), 'gatos init, key new');
    const at = { GATOS_NOW: formatTime(this.adminNow) };
    const caps = 'journal:append,state:checkpoint';
    must(
      this.gatosBatch(
        this.admin,
        [
          // root, alice and bob are the three @leads whose 2-of-3 quorum the regulated template wants for policy changes.
          ['trust', 'add', 'user:root', this.publicKey('user:root'), '--level', '9', '--group', 'leads', '--as', 'user:root'],
          ...['user:alice', 'user:bob', 'user:carol'].map((a) => ['trust', 'add', a, this.publicKey(a), '--level', '1', ...(LEADS.includes(a) ? ['--group', 'leads'] : []), '--as', 'user:root']),
          ['trust', 'grant', '--to', 'user:alice', '--caps', caps, '--exp', formatTime(this.now + 365 * 86400), '--as', 'user:root'],
          ['trust', 'grant', '--to', 'user:carol', '--caps', caps, '--exp', formatTime(this.now - 86400), '--as', 'user:root'],
        ],
        at,
      ),
      'trust add, trust grant',
    );
    const args = [this.gitDir, '--template', this.opts.template ?? 'regulated', '--trust', path.join(this.admin, 'gatos/trust')];
    if (this.opts.hooks) args.push('--hooks', this.opts.hooks);
    must(run('sh', [INSTALL_SH, ...args], this.root, this.env()), 'install.sh');
    return this;
  }

  publicKey(actor: string): string {
    return (JSON.parse(readFileSync(path.join(this.keyDir, ...actor.split(':')) + '.key', 'utf8')) as { public: string }).public;
  }

  url(): string {
    return this.transport.url(this.gitDir);
  }

  /** A client clone for `actor`, with the policy refs fetched and a workspace. */
  client(actor: string, name = actor.replace(':', '-')): string {
    const dir = path.join(this.root, 'clients', name);
    mkdirSync(path.dirname(dir), { recursive: true });
    const env = this.transport.env(actor);
    must(this.git(this.root, ['init', '-q', `--object-format=${this.opts.format}`, '-b', 'main', dir]), 'git init client');
    must(this.git(dir, ['remote', 'add', 'origin', this.url()]), 'remote add');
    this.fetch(dir, actor);
    must(this.gatos(dir, ['init'], env), 'gatos init (client)');
    return dir;
  }

  fetch(dir: string, actor: string): void {
    must(this.git(dir, ['fetch', '-q', 'origin', '+refs/gatos/*:refs/gatos/*', '+refs/heads/*:refs/remotes/origin/*'], this.transport.env(actor)), 'fetch');
  }

  /** `gatos event add` as the actor (its own key, its own journal). */
  addEvent(dir: string, actor: string, ns: string, extra: readonly string[] = [], env: Record<string, string> = {}): Run {
    return must(this.gatos(dir, ['event', 'add', '--ns', ns, '--type', 'flag.set', '--payload', JSON.stringify({ flag: `f${Math.floor(Math.random() * 1e9)}`, on: true }), '--caps', 'journal:append', '--as', actor, ...extra], env), 'event add');
  }

  push(dir: string, actor: string, refspecs: readonly string[], opts: { force?: boolean; quorum?: boolean } = {}): Run {
    const gov = opts.quorum !== false && !opts.force && refspecs.some((r) => /^\+?refs\/gatos\/policies\//.test(r)) ? this.quorum(dir) : [];
    return this.git(dir, ['push', ...(opts.force ? ['--force'] : []), 'origin', ...refspecs, ...gov], this.transport.env(actor));
  }

  /**
   * The one place tests obtain a policy change's quorum (docs/governance.md):
   * when the clone's active bundle is new, root proposes it, root and alice
   * (two of the three @leads; bob when a test rotated alice's key) approve, root makes the grant; returns the
   * refspec of the grant, which carries the proposal and approvals (none when
   * nothing is new, or when the clone holds no quorum rule).
   */
  quorum(dir: string): string[] {
    const active = this.git(dir, ['rev-parse', '-q', '--verify', 'refs/gatos/policies/active']);
    if (active.status !== 0) return [];
    const parent = this.git(dir, ['rev-parse', '-q', '--verify', 'refs/gatos/policies/active^']);
    const server = this.git(this.root, ['--git-dir', this.gitDir, 'rev-parse', '-q', '--verify', 'refs/gatos/policies/active']);
    if (parent.status !== 0 || server.stdout.trim() !== parent.stdout.trim()) return [];
    const quorumRule = this.git(dir, ['show', `${parent.stdout.trim()}:compiled/policy.rgc`]);
    if (quorumRule.status !== 0 || !quorumRule.stdout.includes('quorum')) return [];
    // The gate checks approvals against the active trust: a lead whose key a test rotated (a key file
    // `<name>.<16 hex>.key` is the rotated-out one) signs with a key the active bundle does not know yet.
    const rotated = (a: string) => readdirSync(path.join(this.keyDir, 'user')).some((f) => f.startsWith(`${a.slice(5)}.`) && /\.[0-9a-f]{16}\.key$/.test(f));
    const second = ['user:alice', 'user:bob'].find((a) => !rotated(a)) ?? 'user:alice';
    // The four `gatos gov` commands run in one Node process (the CLI bundle's own main, as the man-page build
    // does): the same commands and statements, without three more Node start-ups per policy change in every suite.
    const r = run(process.execPath, ['-e', GOV_QUORUM_SCRIPT, CLI_BUNDLE, second], dir, this.env());
    const id = must(r, 'gov propose, approve, approve, grant').stdout.trim().split('\n').pop() ?? '';
    if (!/^[0-9A-Z]{26}$/.test(id)) throw new Error(`gov quorum: no proposal id in ${r.stdout}`);
    // The grant carries the proposal and the approvals whole: pushing it alone keeps the push small.
    return [`refs/gatos/grants/${id}`];
  }

  /**
   * The trusted root publishes the regulated template plus `files` (workspace
   * paths, e.g. `gatos/folds/x.lua`) and pushes the policy refs; fails the
   * test unless the push is accepted. Returns the root's workspace.
   */
  publishRegulated(name: string, files: Readonly<Record<string, string>>): string {
    const root = this.client('user:root', name);
    must(this.gatos(root, ['policy', 'init', '--template', 'regulated', '--force']), 'policy init');
    cpSync(path.join(this.admin, 'gatos/trust'), path.join(root, 'gatos/trust'), { recursive: true });
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    }
    must(this.gatos(root, ['policy', 'publish', '--as', 'user:root']), 'policy publish');
    const r = this.push(root, 'user:root', ['refs/gatos/policies/*']);
    if (r.status !== 0 || r.stderr.includes('DENIED')) throw new Error(`publishing the policy was refused:\n${r.stderr}`);
    return root;
  }

  /** Server refs, audit refs left out: what a refused push must not change. */
  serverRefs(): string {
    return must(this.git(this.root, ['--git-dir', this.gitDir, 'for-each-ref', '--format=%(objectname) %(refname)']), 'for-each-ref')
      .stdout.split('\n')
      .filter((l) => l !== '' && !l.includes(' refs/gatos/audit/'))
      .join('\n');
  }

  /** The audit entries, oldest first. */
  auditEntries(): AuditEntryView[] {
    const log = this.git(this.root, ['--git-dir', this.gitDir, 'rev-list', '--reverse', 'refs/gatos/audit/policy']);
    if (log.status !== 0) return [];
    return log.stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((c) => JSON.parse(must(this.git(this.root, ['--git-dir', this.gitDir, 'show', `${c}:entry.json`]), 'show entry').stdout) as AuditEntryView);
  }

  activeBundle(dir: string): { commit: string; foldRoot: string } {
    const commit = must(this.git(dir, ['rev-parse', 'refs/gatos/policies/active']), 'rev-parse').stdout.trim();
    const m = JSON.parse(must(this.git(dir, ['show', `${commit}:manifest.json`]), 'manifest').stdout) as { folds: Record<string, { fold_root: string }> };
    const first = Object.values(m.folds)[0];
    if (!first) throw new Error('the active bundle has no fold');
    return { commit, foldRoot: first.fold_root };
  }

  /**
   * A forged or malformed event on `actor`'s journal in `dir`, built with the
   * producer's library and changed as a forger would. Moves the local ref.
   */
  async forgeEvent(dir: string, actor: string, ns: string, how: Forgery): Promise<string> {
    const key = loadKey(this.keyDir, actor);
    if (!key.ok) throw new Error(key.error.message);
    const opened = await openRepo(path.join(dir, '.git'), { env: this.env() });
    if (!opened.ok) throw new Error(opened.error.message);
    const repo = opened.value;
    try {
      const ref = `refs/gatos/journal/${ns}/${actor.replace(':', '/')}`;
      const tip = await repo.readRef(ref);
      if (!tip.ok) throw new Error(tip.error.message);
      const b = this.activeBundle(dir);
      const ts = Math.floor(Date.now() / 1000);
      const envelope: Envelope = {
        type: 'flag.set', ulid: how.ulid ?? ulidAt(ts), actor, ns, caps: ['journal:append'], payload: how.kind === 'payload' ? how.payload : { flag: 'forged', on: true },
        policy_root: b.commit, fold_root: how.foldRoot ?? b.foldRoot, sig_alg: 'ed25519', ts,
      };
      const enc = how.kind === 'payload' ? uncheckedEnvelope(envelope) : encodeEnvelope(envelope);
      if (!enc.ok) throw new Error(enc.error.message);
      const sig = sign(key.value.seed, enc.value.bytes);
      if (how.kind === 'bad-signature') sig[0] = (sig[0] as number) ^ 0xff;
      const built = eventCommitWithSig(repo.format, enc.value, sig, key.value.publicKey, tip.value);
      if (!built.ok) throw new Error(built.error.message);
      const batch = new ObjectBatch(repo.format);
      batch.addAll(built.value.objects);
      const w = await batch.write(repo);
      if (!w.ok) throw new Error(w.error.message);
      let commit = built.value.commit;
      if (how.kind === 'unsigned') {
        // The same tree, a message without any trailer: an event nobody signed.
        const tree = must(this.git(dir, ['rev-parse', `${commit}^{tree}`]), 'tree').stdout.trim();
        commit = must(this.git(dir, ['commit-tree', tree, ...(tip.value ? ['-p', tip.value] : [])], {}, `flag.set ${enc.value.envelope.ulid}\n`), 'commit-tree').stdout.trim();
      }
      must(this.git(dir, ['update-ref', ref, commit]), 'update-ref');
      return commit;
    } finally {
      await repo.close();
    }
  }
}

/** An envelope's canonical bytes without the producer's checks: what a forger signs. */
function uncheckedEnvelope(e: Envelope): { ok: true; value: EncodedEnvelope } {
  const bytes = encodeCanonical({
    actor: e.actor, caps: [...e.caps], fold_root: e.fold_root, ns: e.ns, payload: e.payload,
    policy_root: e.policy_root, sig_alg: e.sig_alg, ts: formatTime(e.ts), type: e.type, ulid: e.ulid,
  });
  return { ok: true, value: { envelope: e, bytes, cid: eventCid(bytes) } };
}

export type Forgery =
  | { kind: 'unsigned'; ulid?: undefined; foldRoot?: undefined }
  /** A correctly signed event whose payload the producer would refuse (e.g. an integer outside the fold range). */
  | { kind: 'payload'; payload: unknown; ulid?: undefined; foldRoot?: undefined }
  | { kind: 'bad-signature'; ulid?: undefined; foldRoot?: undefined }
  | { kind: 'replayed-ulid'; ulid: string; foldRoot?: undefined }
  | { kind: 'wrong-fold-root'; foldRoot: string; ulid?: undefined };

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID for time `ts` (seconds) with a random tail: 10 time characters, 16 random. */
export function ulidAt(ts: number): string {
  let t = ts * 1000;
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rnd = '';
  for (let i = 0; i < 16; i++) rnd += CROCKFORD[Math.floor(Math.random() * 32)];
  return time + rnd;
}

export interface AuditEntryView {
  type: string;
  hook: string;
  mode: string;
  outcome: 'accepted' | 'refused';
  actor: string | null;
  policy_root: string | null;
  time: string;
  gate_error: { code: string; reason: string } | null;
  denials: { ref: string; code: string; rule: string; reason: string; enforced: boolean; commit: string | null }[];
  updates: { ref: string; old: string; new: string; intent: string | null; commits: string[] }[];
}
