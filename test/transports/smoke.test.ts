/**
 * The transports alone, before any gate: real sshd and lighttpd servers on
 * loopback, the stock git client, and a trivial pre-receive hook that reports
 * the pusher it was told about and refuses one branch. Proves that a push is
 * accepted and refused over each transport, that the hook learns the actor
 * from GL_USER (forced command) or REMOTE_USER (HTTP authentication), that two
 * keys or two logins are two actors, and that nothing else gets through: no
 * other ssh command, no path outside the root, no unknown host key, no
 * anonymous HTTP push.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { git, gitText, installHook, initRepo, writeCommit } from '../helpers/git';
import { httpAvailable, startHttpGitServer, type HttpGitServer } from '../helpers/http-server';
import { sshdAvailable, startSshGitServer, type GitRemote, type SshGitServer } from '../helpers/sshd';
import { tmpDir } from '../helpers/tmp';

jest.setTimeout(60_000);

const USERS = ['alice', 'bob'];

interface Fixture {
  server: SshGitServer | HttpGitServer;
  bare: string;
  pushers: string;
}

function prepareRepository(root: string): { bare: string; pushers: string } {
  const bare = path.join(root, 'smoke.git');
  git(root, ['init', '-q', '--bare', '--initial-branch=main', bare]);
  const pushers = path.join(root, 'pushers.log');
  writeFileSync(pushers, '');
  installHook(
    bare,
    'pre-receive',
    [
      '#!/bin/sh',
      'actor="${GL_USER:-${REMOTE_USER:-nobody}}"',
      'echo "hook: actor=$actor" >&2',
      'while read old new ref; do',
      '  case "$ref" in refs/heads/refused*) echo "hook: refused $ref" >&2; exit 1 ;; esac',
      'done',
      `echo "$actor" >> ${pushers}`,
      '',
    ].join('\n'),
  );
  return { bare, pushers };
}

function clientWithCommit(message: string): { repo: string; id: string } {
  const repo = initRepo();
  const id = writeCommit(repo, { message: `${message}\n`, files: { 'a.txt': message }, ref: 'refs/heads/main' });
  return { repo, id };
}

function push(client: string, remote: GitRemote, refspec: string) {
  return git(client, ['push', '--porcelain', remote.url, refspec], { env: remote.env, allowFailure: true });
}

function refs(bare: string): string {
  return gitText(bare, ['for-each-ref', '--format=%(refname) %(objectname)']);
}

const transports: [string, () => boolean, (root: string) => Promise<SshGitServer | HttpGitServer>][] = [
  ['ssh', sshdAvailable, (root) => startSshGitServer({ repoRoot: root, users: USERS })],
  ['http', httpAvailable, (root) => startHttpGitServer({ repoRoot: root, users: USERS })],
];

describe.each(transports)('%s transport', (name, available, start) => {
  const run = available() ? describe : describe.skip;
  run(`pushes over ${name}`, () => {
    let f: Fixture;
    beforeAll(async () => {
      const root = tmpDir(`gatos-${name}-root-`);
      const repo = prepareRepository(root);
      f = { server: await start(root), ...repo };
    });
    afterAll(async () => {
      await f?.server.stop();
    });

    test('a plain push is accepted and the hook sees the actor', () => {
      const { repo, id } = clientWithCommit('first');
      const r = push(repo, f.server.remote('alice', 'smoke.git'), 'main:refs/heads/main');
      expect({ status: r.status, stderr: r.stderr }).toMatchObject({ status: 0 });
      expect(r.stderr).toContain('remote: hook: actor=alice');
      expect(gitText(f.bare, ['rev-parse', 'refs/heads/main'])).toBe(id);
      expect(readFileSync(f.pushers, 'utf8').trim().split('\n').pop()).toBe('alice');
    });

    test('a second key or login is a second actor', () => {
      const { repo } = clientWithCommit('bob was here');
      const r = push(repo, f.server.remote('bob', 'smoke.git'), 'main:refs/heads/bob');
      expect(r.status).toBe(0);
      expect(r.stderr).toContain('remote: hook: actor=bob');
      expect(readFileSync(f.pushers, 'utf8').trim().split('\n').pop()).toBe('bob');
    });

    test('a push the hook refuses fails on the client and leaves the repository unchanged', () => {
      const before = refs(f.bare);
      const { repo } = clientWithCommit('not wanted');
      const r = push(repo, f.server.remote('alice', 'smoke.git'), 'main:refs/heads/refused');
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('remote: hook: refused refs/heads/refused');
      expect(r.stdout).toMatch(/^!\trefs\/heads\/main:refs\/heads\/refused\t\[remote rejected\] \(pre-receive hook declined\)$/m);
      expect(refs(f.bare)).toBe(before);
    });

    test('a clone over the same transport reads what was pushed', () => {
      const dest = path.join(tmpDir(), 'clone');
      const remote = f.server.remote('bob', 'smoke.git');
      git(tmpDir(), ['clone', '-q', '--bare', remote.url, dest], { env: remote.env });
      expect(gitText(dest, ['rev-parse', 'refs/heads/main'])).toBe(gitText(f.bare, ['rev-parse', 'refs/heads/main']));
    });

    test('a repository outside the root or not there is refused', () => {
      const { repo } = clientWithCommit('escape');
      for (const target of ['../smoke.git', 'missing.git']) {
        const r = push(repo, f.server.remote('alice', target), 'main:refs/heads/x');
        expect(r.status).not.toBe(0);
      }
    });
  });
});

describe('ssh specifics', () => {
  const run = sshdAvailable() ? describe : describe.skip;
  run('the forced command and the pinned host key', () => {
    let server: SshGitServer;
    let root: string;
    beforeAll(async () => {
      root = tmpDir('gatos-ssh-only-');
      prepareRepository(root);
      server = await startSshGitServer({ repoRoot: root, users: ['alice'] });
    });
    afterAll(async () => {
      await server?.stop();
    });

    test('a key can run nothing but git push and fetch', () => {
      const url = new URL(server.remote('alice', 'smoke.git').url);
      const [ssh, ...args] = server.sshCommand('alice').split(' ');
      const out = spawnSync(ssh!, [...args, '-p', url.port, `${url.username}@${url.hostname}`, 'cat /etc/passwd'], { encoding: 'utf8', timeout: 30_000 });
      expect(out.status).not.toBe(0);
      expect(out.stdout).toBe('');
      expect(out.stderr).toContain('gatos-serve: only git push and fetch are served here');
    });

    test('a server whose host key is not the pinned one is refused by the client', () => {
      const remote = server.remote('alice', 'smoke.git');
      const wrong = path.join(tmpDir(), 'known_hosts');
      // Same host and port, another key: the client must not talk to it.
      const otherKey = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
      writeFileSync(wrong, readFileSync(server.knownHosts, 'utf8').replace(/ssh-ed25519 \S+/, otherKey));
      const env = { ...remote.env, GIT_SSH_COMMAND: server.sshCommand('alice', wrong) };
      const r = git(root, ['ls-remote', remote.url], { env, allowFailure: true });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
    });
  });
});

describe('http specifics', () => {
  const run = httpAvailable() ? describe : describe.skip;
  run('authentication', () => {
    let server: HttpGitServer;
    let root: string;
    let bare: string;
    beforeAll(async () => {
      root = tmpDir('gatos-http-only-');
      bare = prepareRepository(root).bare;
      server = await startHttpGitServer({ repoRoot: root, users: ['alice'] });
    });
    afterAll(async () => {
      await server?.stop();
    });

    test('an anonymous push or a wrong password is refused before any hook runs', () => {
      const before = refs(bare);
      const { repo } = clientWithCommit('anonymous');
      const anonymous = git(repo, ['push', server.anonymousUrl('smoke.git'), 'main:refs/heads/anon'], { allowFailure: true });
      expect(anonymous.status).not.toBe(0);
      expect(anonymous.stderr).not.toContain('hook:');
      const wrong = server.remote('alice', 'smoke.git').url.replace(/:pw-[^@]*@/, ':wrong@');
      const bad = git(repo, ['push', wrong, 'main:refs/heads/anon'], { allowFailure: true });
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toContain('Authentication failed');
      expect(refs(bare)).toBe(before);
    });
  });
});
