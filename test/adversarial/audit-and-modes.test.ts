/**
 * Issue 10 classes 2 and 10, end to end, against gates installed by install.sh:
 *  - class 2, "checks that read the previous tip fail open": when the
 *    journal's old tip cannot be read as an event (a tag sits there), the
 *    ULID order check must refuse instead of skipping the comparison;
 *  - class 10, "evaluate mode lets unreadable pushes through": a gate
 *    failure (git failing while the gate reads the pushed objects, the time
 *    budget) and a failed verification (events, checkpoints, bundles) are
 *    enforced whatever the mode, and a gate failure exits 2 as docs/gate.md
 *    says; evaluate mode relaxes policy outcomes only.
 * git failures are injected with a `git` on PATH that fails one subcommand
 * (under file:// receive-pack and the hooks inherit the pusher's PATH).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, runCli } from '../helpers/cli';
import { GateWorld, INSTALL_SH, ulidAt, type Run } from '../helpers/gate-world';
import { cleanGitEnv, git, gitText, initRepo, writeCommit } from '../helpers/git';
import { httpAvailable, startHttpGitServer, type HttpGitServer } from '../helpers/http-server';
import { sshdAvailable, startSshGitServer, type SshGitServer } from '../helpers/sshd';
import { tmpDir } from '../helpers/tmp';
import { expectAccepted, expectAttackRefused, rawPush, zeroId, type RawCommand } from './harness';
import { IN_CI } from '../helpers/requires';

jest.setTimeout(180_000);

const JOURNAL = 'refs/gatos/journal/finance/user/alice';
const EXEC_PATH = spawnSync('git', ['--exec-path'], { encoding: 'utf8' }).stdout.trim();
const REAL_GIT = path.join(EXEC_PATH, 'git');

interface Case {
  readonly format: 'sha1' | 'sha256';
  readonly template: string;
  readonly hooks?: string;
  /** Whether alice may append to her journal under this template. */
  readonly journals: boolean;
}

const CASES: readonly Case[] = [
  { format: 'sha1', template: 'regulated', journals: true },
  { format: 'sha256', template: 'minimal', hooks: 'update', journals: true },
  { format: 'sha256', template: 'airgapped', journals: false },
];

/**
 * An environment whose `git` fails `sub` (as a broken or overloaded host's git would), everything else passed to the
 * real git: git puts its exec path first on a hook's PATH, so the exec path is a copy of git's with `git` replaced.
 */
function failingGit(w: GateWorld, sub: string): Record<string, string> {
  const dir = path.join(w.root, `git-fails-${sub}`);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(EXEC_PATH)) if (f !== 'git') symlinkSync(path.join(EXEC_PATH, f), path.join(dir, f));
    writeFileSync(path.join(dir, 'git'), `#!/bin/sh\nfor a in "$@"; do\n  [ "$a" = ${sub} ] && { echo "fatal: injected failure of git ${sub}" >&2; exit 128; }\ndone\nexec ${REAL_GIT} "$@"\n`);
    chmodSync(path.join(dir, 'git'), 0o755);
  }
  return { GIT_EXEC_PATH: dir, PATH: `${dir}:${process.env.PATH ?? '/usr/bin:/bin'}` };
}

function serverGit(w: GateWorld, args: readonly string[], input?: string): string {
  const r = w.git(w.root, ['--git-dir', w.gitDir, ...args], {}, input);
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function withMode<T>(w: GateWorld, mode: 'enforce' | 'evaluate', f: () => T): T {
  serverGit(w, ['config', 'gatos.mode', mode]);
  try {
    return f();
  } finally {
    serverGit(w, ['config', 'gatos.mode', 'enforce']);
  }
}

for (const c of CASES) {
  const preReceive = c.hooks !== 'update';
  describe(`failures are enforced in every mode (${c.format}, ${c.template}${c.hooks ? `, ${c.hooks} hook only` : ''})`, () => {
    let w: GateWorld;
    let alice: string;
    let emptyTree: string;
    let n = 0;

    beforeAll(() => {
      w = new GateWorld({ format: c.format, template: c.template, ...(c.hooks ? { hooks: c.hooks } : {}) }).setup();
      alice = w.client('user:alice');
      emptyTree = w.git(alice, ['hash-object', '-t', 'tree', '-w', '--stdin'], {}, '').stdout.trim();
      if (c.journals) {
        w.addEvent(alice, 'user:alice', 'finance');
        const r = w.push(alice, 'user:alice', [JOURNAL]);
        if (r.status !== 0) throw new Error(r.stderr);
      }
    });

    /** A new commit in alice's clone, not on the server. */
    const commit = (parent?: string): string => w.git(alice, ['commit-tree', emptyTree, ...(parent ? ['-p', parent] : [])], {}, `commit ${++n}\n`).stdout.trim();
    const push = (commands: RawCommand[], revs: string[], env: Record<string, string> = {}): Run =>
      rawPush(w, { from: alice, format: c.format, env: { GATOS_ACTOR: 'user:alice', ...env }, atomic: true, commands, revs });
    const serverTip = (ref: string): string => serverGit(w, ['rev-parse', ref]);
    const resetJournal = (): void => void w.git(alice, ['update-ref', JOURNAL, serverTip(JOURNAL)]);
    const pushJournal = (tipBefore: string): Run => {
      const tip = w.git(alice, ['rev-parse', JOURNAL]).stdout.trim();
      return push([{ old: tipBefore, new: tip, ref: JOURNAL }], [tip, `^${tipBefore}`]);
    };

    for (const mode of ['enforce', 'evaluate'] as const) {
      // git fails while the gate reads the pushed commits' paths: the attacker hopes evaluate mode waves the unread push through.
      test(`${mode}: git failing while the gate reads a pushed branch refuses (GIT_ERROR, gate/read)`, () => {
        const x = commit();
        withMode(w, mode, () => expectAttackRefused(w, () => push([{ old: zeroId(w), new: x, ref: `refs/heads/unread-${mode}` }], [x], failingGit(w, 'diff-tree')), { code: 'GIT_ERROR', rule: 'gate/read' }));
      });

      // The same failure, the hook run as git runs it: the documented status of a gate failure is 2, in both modes.
      test(`${mode}: a gate failure exits 2 (the hook run directly)`, () => {
        const x = serverGit(w, ['commit-tree', emptyTree], `direct ${mode}\n`);
        const ref = `refs/heads/direct-${mode}`;
        const hook = path.join(w.gitDir, 'hooks', preReceive ? 'pre-receive' : 'update');
        const before = w.auditEntries().length;
        const r = withMode(w, mode, () =>
          spawnSync(hook, preReceive ? [] : [ref, zeroId(w), x], { cwd: w.gitDir, input: preReceive ? `${zeroId(w)} ${x} ${ref}\n` : '', encoding: 'utf8', env: w.env({ GIT_DIR: '.', GATOS_ACTOR: 'user:alice', ...failingGit(w, 'diff-tree') }) }),
        );
        expect({ status: r.status, code: /code:\s+GIT_ERROR/.test(r.stderr), rule: /rule:\s+gate\/read/.test(r.stderr) }).toEqual({ status: 2, code: true, rule: true });
        expect(w.auditEntries()).toHaveLength(before + 1);
      });

      // The time budget runs out: refused whatever the mode (it was already; kept as a variant of the class).
      test(`${mode}: an exceeded time budget refuses (GATE_ERROR, gate/error)`, () => {
        const x = commit();
        serverGit(w, ['config', 'gatos.timeBudgetMs', '1']);
        try {
          withMode(w, mode, () => expectAttackRefused(w, () => push([{ old: zeroId(w), new: x, ref: `refs/heads/slow-${mode}` }], [x]), { code: 'GATE_ERROR', rule: 'gate/error' }));
        } finally {
          serverGit(w, ['config', '--unset', 'gatos.timeBudgetMs']);
        }
      });

      // A plain commit posing as a checkpoint: verification fails, and evaluate mode must not accept it.
      test(`${mode}: a state ref holding no valid checkpoint is refused (gate/proof-of-fold)`, () => {
        const x = commit();
        withMode(w, mode, () => expectAttackRefused(w, () => push([{ old: zeroId(w), new: x, ref: 'refs/gatos/state/finance' }], [x]), { code: 'TRAILER_INVALID', rule: 'gate/proof-of-fold' }));
      });

      // A bundle ref holding no bundle: verification fails, in both modes.
      test(`${mode}: a policy bundle ref holding no bundle is refused (gate/bundle)`, () => {
        const x = commit();
        withMode(w, mode, () => expectAttackRefused(w, () => push([{ old: zeroId(w), new: x, ref: `refs/gatos/policies/${'ab'.repeat(32)}` }], [x]), { code: 'PROOF_INVALID', rule: 'gate/bundle' }));
      });

      if (c.journals) {
        // An event whose signature does not verify, pushed while the repository only evaluates.
        test(`${mode}: an event with a bad signature is refused (SIG_INVALID, gate/event)`, async () => {
          const before = serverTip(JOURNAL);
          await w.forgeEvent(alice, 'user:alice', 'finance', { kind: 'bad-signature' });
          try {
            withMode(w, mode, () => expectAttackRefused(w, () => pushJournal(before), { code: 'SIG_INVALID', rule: 'gate/event' }));
          } finally {
            resetJournal();
          }
        });

        // An event nobody signed (no trailers at all).
        test(`${mode}: an unsigned event is refused (gate/event)`, async () => {
          const before = serverTip(JOURNAL);
          await w.forgeEvent(alice, 'user:alice', 'finance', { kind: 'unsigned' });
          try {
            withMode(w, mode, () => expectAttackRefused(w, () => pushJournal(before), { code: 'TRAILER_INVALID', rule: 'gate/event' }));
          } finally {
            resetJournal();
          }
        });

        // Class 2: the journal's tip is a tag (put there before the type rule existed, or by hand); the old tip's
        // envelope cannot be read, and the attacker replays the ULID of the event under it.
        test(`${mode}: a replayed ULID over a journal tip that cannot be read as an event is refused`, async () => {
          const event = serverTip(JOURNAL);
          const ulid = serverGit(w, ['log', '-1', '--format=%s', event]).split(' ')[1] as string;
          const tag = serverGit(w, ['mktag'], `object ${event}\ntype commit\ntag t-${mode}\ntagger T <t@example.test> 1700000000 +0000\n\nx\n`);
          serverGit(w, ['update-ref', JOURNAL, tag, event]);
          w.git(alice, ['update-ref', JOURNAL, event]);
          try {
            await w.forgeEvent(alice, 'user:alice', 'finance', { kind: 'replayed-ulid', ulid });
            const forged = w.git(alice, ['rev-parse', JOURNAL]).stdout.trim();
            withMode(w, mode, () => expectAttackRefused(w, () => push([{ old: tag, new: forged, ref: JOURNAL }], [forged, `^${event}`]), { code: 'PROOF_INVALID', rule: 'gate/event' }));
            // A fresh ULID is refused the same way: the order cannot be checked against a tip that is not an event.
            w.git(alice, ['update-ref', JOURNAL, event]);
            await w.forgeEvent(alice, 'user:alice', 'finance', { kind: 'replayed-ulid', ulid: ulidAt(Math.floor(Date.now() / 1000)) });
            const fresh = w.git(alice, ['rev-parse', JOURNAL]).stdout.trim();
            withMode(w, mode, () => expectAttackRefused(w, () => push([{ old: tag, new: fresh, ref: JOURNAL }], [fresh, `^${event}`]), { code: 'PROOF_INVALID', rule: 'gate/event' }));
          } finally {
            serverGit(w, ['update-ref', JOURNAL, event]);
            resetJournal();
          }
        });

        // Legitimate: an honest event is accepted in both modes, and leaves no audit entry.
        test(`${mode}: legitimate: an honest event is accepted`, () => {
          const before = serverTip(JOURNAL);
          w.addEvent(alice, 'user:alice', 'finance');
          withMode(w, mode, () => expectAccepted(w, () => pushJournal(before)));
        });
      }
    }

    // `gatos gate check` answers as the hooks do: git failing while it reads is "could not decide" (3), not a plain deny.
    test('gatos gate check exits 3 when git fails while it reads the pushed objects', () => {
      const x = serverGit(w, ['commit-tree', emptyTree], `check ${++n}\n`);
      const r = spawnSync(process.execPath, [CLI, 'gate', 'check', '--repo', w.gitDir, zeroId(w), x, `refs/heads/check-${n}`, '--actor', 'user:alice'], { encoding: 'utf8', env: w.env(failingGit(w, 'diff-tree')) });
      expect({ status: r.status, shown: /GIT_ERROR/.test(r.stdout + r.stderr) }).toEqual({ status: 3, shown: true });
    });

    // Issue 10 "Proof": the hook's bundle is damaged (a disk that filled during an upgrade, a botched copy). The loader
    // runs before the bundle's own fail-closed wrapper, so it must refuse by itself: GATE_ERROR, gate/error, status 2.
    const hookFile = preReceive ? 'pre-receive' : 'update';
    const damages: [string, (b: Buffer) => Buffer | undefined][] = [
      ['truncated to half', (b) => b.subarray(0, Math.floor(b.length / 2))],
      ['deleted', () => undefined],
      ['empty (compiles, never starts the hook)', () => Buffer.alloc(0)],
      ['cut at a line end after its first statements', (b) => b.subarray(0, b.indexOf('\n', 200) + 1)],
    ];
    for (const [what, damage] of damages) {
      test(`hooks/${hookFile}.bundle.cjs ${what}: the push is refused (GATE_ERROR, gate/error), audited, status 2`, () => {
        const file = path.join(w.gitDir, 'hooks', `${hookFile}.bundle.cjs`);
        const saved = readFileSync(file);
        const damaged = damage(saved);
        if (damaged) writeFileSync(file, damaged);
        else rmSync(file);
        try {
          const x = commit();
          const r = expectAttackRefused(w, () => push([{ old: zeroId(w), new: x, ref: `refs/heads/damaged-${n}` }], [x]), { code: 'GATE_ERROR', rule: 'gate/error' });
          expect(r.stderr).toContain('This refusal is recorded in refs/gatos/audit/policy');
          expect(r.stderr).not.toMatch(/SyntaxError.*\n\s+at |node:internal/);
          const y = serverGit(w, ['commit-tree', emptyTree], `direct damaged ${n}\n`);
          const ref = `refs/heads/damaged-direct-${n}`;
          const hook = path.join(w.gitDir, 'hooks', hookFile);
          const d = spawnSync(hook, preReceive ? [] : [ref, zeroId(w), y], { cwd: w.gitDir, input: preReceive ? `${zeroId(w)} ${y} ${ref}\n` : '', encoding: 'utf8', env: w.env({ GIT_DIR: '.', GATOS_ACTOR: 'user:alice' }) });
          expect({ status: d.status, code: d.stderr.includes('code:   GATE_ERROR'), rule: d.stderr.includes('rule:   gate/error') }).toEqual({ status: 2, code: true, rule: true });
        } finally {
          writeFileSync(file, saved);
        }
      });
    }
    // The mark the hook gives its own worker threads, set in the hooks' environment (a host's, any file:// pusher's),
    // must not make the hook process skip the loader's fail-closed checks: an empty bundle then exited 0, undecided.
    test(`hooks/${hookFile}.bundle.cjs empty, GATOS_SIGNATURE_WORKER=1 in the hooks' environment: refused (GATE_ERROR), status 2`, () => {
      const file = path.join(w.gitDir, 'hooks', `${hookFile}.bundle.cjs`);
      const saved = readFileSync(file);
      writeFileSync(file, Buffer.alloc(0));
      try {
        const x = commit();
        expectAttackRefused(w, () => push([{ old: zeroId(w), new: x, ref: `refs/heads/worker-mark-${n}` }], [x], { GATOS_SIGNATURE_WORKER: '1' }), { code: 'GATE_ERROR', rule: 'gate/error' });
      } finally {
        writeFileSync(file, saved);
      }
    });
    if (preReceive) {
      // Legitimate: with both hooks, a damaged update.bundle.cjs does not matter when pre-receive decided (its record is used).
      test('legitimate: a damaged update.bundle.cjs behind a working pre-receive still lets an honest push through', () => {
        const file = path.join(w.gitDir, 'hooks', 'update.bundle.cjs');
        const saved = readFileSync(file);
        writeFileSync(file, saved.subarray(0, 1000));
        try {
          const x = commit();
          const ref = c.template === 'airgapped' ? 'refs/heads/main' : `refs/heads/fine-${n}`;
          expectAccepted(w, () => push([{ old: zeroId(w), new: x, ref }], [x], c.template === 'airgapped' ? { GATOS_ACTOR: 'user:root' } : {}));
        } finally {
          writeFileSync(file, saved);
        }
      });
    }

    // Legitimate: evaluate mode still relaxes what the policy decides (the reason the mode exists).
    // (minimal denies nothing outside refs/gatos/ by policy, and inside it every denial is also a gate check.)
    if (c.template !== 'minimal') test('legitimate: in evaluate mode a push the policy denies goes through, audited as "would deny"', () => {
      const x = commit();
      // An actor the trust graph does not know: regulated lets only vouched actors create tags, airgapped only declared branches.
      const ref = c.template === 'airgapped' ? 'refs/heads/undeclared' : 'refs/tags/v-evaluate';
      const before = w.auditEntries().length;
      const r = withMode(w, 'evaluate', () => push([{ old: zeroId(w), new: x, ref }], [x], { GATOS_ACTOR: 'user:dave' }));
      expect(r.status).toBe(0);
      const e = w.auditEntries();
      expect(e).toHaveLength(before + 1);
      expect(e.at(-1)?.outcome).toBe('accepted');
      expect(e.at(-1)?.denials.every((d) => !d.enforced)).toBe(true);
    });
  });
}

/**
 * Issue 17 class 5, "the audit ref is readable by clients": the audit trail
 * (actors, host users, client addresses, reasons) is for operators. By
 * default install hides refs/gatos/audit from every client
 * (transfer.hideRefs), over file://, ssh:// and smart HTTP: not advertised,
 * not fetchable by name or by id. `install.sh --audit-readable` opts in;
 * install and --uninstall agree through the install record. The gate and
 * `gatos audit log` on the server still read it.
 */
describe('who can read the audit trail', () => {
  const AUDIT = 'refs/gatos/audit/policy';
  let root: string;
  let ssh: SshGitServer | undefined;
  let http: HttpGitServer | undefined;
  const install = (bare: string, extra: string[] = []): Run => {
    const r = spawnSync('sh', [INSTALL_SH, bare, '--template', 'minimal', ...extra], { encoding: 'utf8', env: cleanGitEnv() });
    if (r.status !== 0) throw new Error(`install.sh ${extra.join(' ')}: ${r.stdout}${r.stderr}`);
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const cfg = (bare: string, key: string): string[] => spawnSync('git', ['--git-dir', bare, 'config', '--get-all', key], { encoding: 'utf8', env: cleanGitEnv() }).stdout.split('\n').filter((l) => l !== '');
  /** A refused push (a write to the audit ref itself), so the repository has an audit trail to read. */
  const refuse = (bare: string): string => {
    const client = initRepo();
    writeCommit(client, { message: 'x\n', files: { 'a.txt': 'a\n' }, ref: 'refs/heads/work' });
    const r = git(client, ['push', `file://${bare}`, `refs/heads/work:${AUDIT}`], { env: { GATOS_ACTOR: 'user:alice' }, allowFailure: true });
    if (r.status === 0) throw new Error('the write to the audit ref was accepted');
    return gitText(bare, ['rev-parse', AUDIT]);
  };
  const remotes = (name: string): { transport: string; url: string; env: Record<string, string> }[] => [
    { transport: 'file', url: `file://${path.join(root, name)}`, env: {} },
    ...(ssh ? [{ transport: 'ssh', ...ssh.remote('alice', name) }] : []),
    ...(http ? [{ transport: 'http', ...http.remote('alice', name) }] : []),
  ];

  beforeAll(async () => {
    root = tmpDir('gatos-audit-readers-');
    for (const name of ['hidden.git', 'readable.git', 'cycled.git']) git(root, ['init', '-q', '--bare', '--initial-branch=main', name]);
    install(path.join(root, 'hidden.git'));
    install(path.join(root, 'readable.git'), ['--audit-readable']);
    for (const name of ['hidden.git', 'readable.git']) refuse(path.join(root, name));
    if (sshdAvailable()) ssh = await startSshGitServer({ repoRoot: root, users: ['alice'] });
    if (httpAvailable()) http = await startHttpGitServer({ repoRoot: root, users: ['alice'] });
  });
  afterAll(async () => {
    await ssh?.stop();
    await http?.stop();
  });

  test('by default: no client sees or fetches the audit ref, over file://, ssh:// or http://', () => {
    const bare = path.join(root, 'hidden.git');
    const id = gitText(bare, ['rev-parse', AUDIT]);
    const seen: string[] = [];
    for (const r of remotes('hidden.git')) {
      seen.push(r.transport);
      const client = initRepo();
      // The attacker lists the server's refs, hoping to see the audit trail.
      const ls = git(client, ['ls-remote', r.url], { env: r.env, allowFailure: true });
      expect({ transport: r.transport, status: ls.status, listed: ls.stdout.includes('refs/gatos/audit') }).toEqual({ transport: r.transport, status: 0, listed: false });
      // The attacker fetches it by name.
      const byName = git(client, ['fetch', r.url, `${AUDIT}:refs/stolen`], { env: r.env, allowFailure: true });
      expect({ transport: r.transport, status: byName.status === 0 }).toEqual({ transport: r.transport, status: false });
      // The attacker learned an entry's id (an operator pasted it) and asks for the object itself. Refused where the
      // server speaks protocol v0 (our ssh host). Not asserted over file:// (the client can read the repository's files)
      // nor over http://, which speaks protocol v2 here: v2 serves any object by id, hidden or not (git's own limit,
      // gitnamespaces(7) "SECURITY"; docs/gate.md says so). Audit ids are never shown to clients.
      if (r.transport === 'ssh') {
        const byId = git(client, ['fetch', r.url, id], { env: r.env, allowFailure: true });
        expect({ transport: r.transport, status: byId.status === 0 }).toEqual({ transport: r.transport, status: false });
        expect(git(client, ['cat-file', '-e', id], { allowFailure: true }).status).not.toBe(0);
      }
    }
    if (IN_CI) expect(seen).toEqual(['file', 'ssh', 'http']);
    // The operator on the server still reads it, and the gate still appends to it.
    const log = runCli(['audit', 'log', '--repo', bare]);
    expect(log.status).toBe(0);
    expect(log.stdout).toContain('gate/audit-readonly');
    refuse(bare);
    expect(gitText(bare, ['rev-list', '--count', AUDIT])).toBe('2');
  });

  test('legitimate: with install.sh --audit-readable, clients can list and fetch it', () => {
    const bare = path.join(root, 'readable.git');
    const id = gitText(bare, ['rev-parse', AUDIT]);
    for (const r of remotes('readable.git')) {
      const client = initRepo();
      const ls = git(client, ['ls-remote', r.url], { env: r.env });
      expect({ transport: r.transport, listed: ls.stdout.includes(`${id}\t${AUDIT}`) }).toEqual({ transport: r.transport, listed: true });
      git(client, ['fetch', r.url, `${AUDIT}:refs/audit-copy`], { env: r.env });
      expect(gitText(client, ['rev-parse', 'refs/audit-copy'])).toBe(id);
    }
  });

  test('install and --uninstall agree: the setting is recorded, switched by --audit-readable, and restored', () => {
    const bare = path.join(root, 'cycled.git');
    // An operator's own hidden refs survive every step.
    git(bare, ['config', '--add', 'transfer.hideRefs', 'refs/pull']);
    install(bare);
    expect(cfg(bare, 'transfer.hideRefs')).toEqual(['refs/pull', 'refs/gatos/audit/policy']);
    expect(install(bare).stdout).toContain('nothing changed');
    install(bare, ['--audit-readable']);
    expect(cfg(bare, 'transfer.hideRefs')).toEqual(['refs/pull']);
    install(bare);
    expect(cfg(bare, 'transfer.hideRefs')).toEqual(['refs/pull', 'refs/gatos/audit/policy']);
    const u = spawnSync('sh', [INSTALL_SH, bare, '--uninstall'], { encoding: 'utf8', env: cleanGitEnv() });
    expect(u.status).toBe(0);
    expect(cfg(bare, 'transfer.hideRefs')).toEqual(['refs/pull']);
    expect(cfg(bare, 'receive.hideRefs')).toEqual([]);
  });
});
