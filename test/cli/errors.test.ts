/**
 * A user's mistake or a hostile environment ends in a clear message and the
 * exit status docs/cli.md gives, never in a stack trace: a reader that stops
 * reading (`gatos audit log | head`), a key dir that cannot be written or
 * does not exist, bad `--limit` values, and `gate check`'s statuses.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, runCli, type CliRun } from '../helpers/cli';
import { cleanGitEnv, git, gitText } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';

jest.setTimeout(60_000);

const ZERO = '0'.repeat(40);

function expectClean(r: CliRun): void {
  expect(r.stderr).not.toMatch(/\n\s+at |internal error|Error: /);
}

/** A bare repository whose audit ref holds `n` entries (commits with an entry.json), as the gate writes them. */
function repoWithAudit(n: number): string {
  const repo = path.join(tmpDir('gatos-audit-'), 'r.git');
  git(tmpDir(), ['init', '-q', '--bare', repo]);
  let parent: string | undefined;
  for (let i = 0; i < n; i++) {
    const entry = JSON.stringify({ time: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z`, outcome: 'refused', actor: 'user:alice', mode: 'enforce', hook: 'pre-receive', denials: [] });
    const blob = gitText(repo, ['hash-object', '-w', '--stdin'], entry).trim();
    const tree = gitText(repo, ['mktree'], `100644 blob ${blob}\tentry.json\n`).trim();
    parent = gitText(repo, ['commit-tree', tree, '-m', `entry ${i}`, ...(parent ? ['-p', parent] : [])]).trim();
  }
  if (parent) git(repo, ['update-ref', 'refs/gatos/audit/policy', parent]);
  return repo;
}

describe('a reader that stops reading (EPIPE)', () => {
  test.each([
    ['audit log with entries', (repo: string) => `audit log --repo '${repo}'`, 40],
    ['audit log --json', (repo: string) => `audit log --json --repo '${repo}'`, 40],
    ['audit log of a repository without entries', (repo: string) => `audit log --repo '${repo}'`, 0],
    ['--help', () => '--help', 0],
  ])('%s | true: status 0, nothing on stderr', (_name, args, entries) => {
    const repo = repoWithAudit(entries);
    // `true` exits before gatos has started, so every write of gatos meets a closed pipe.
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" ${args(repo)} | true`], { encoding: 'utf8', env: cleanGitEnv() });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('the same command into a pipe that reads prints every entry (the test above can fail)', () => {
    const repo = repoWithAudit(40);
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" audit log --repo '${repo}' | wc -l`], { encoding: 'utf8', env: cleanGitEnv() });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('40');
  });
});

describe('--limit', () => {
  const repo = repoWithAudit(3);
  test.each([['abc'], ['-1'], ['2.5'], ['0'], ['1e3'], ['']])('--limit %j is refused with exit 2 and a hint', (value) => {
    const r = runCli(['audit', 'log', '--repo', repo, `--limit=${value}`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^error\[USAGE\]: --limit /);
    expect(r.stderr).toContain('hint: write e.g. --limit 20');
    expect(r.stdout).toBe('');
    expectClean(r);
  });

  test('--limit 2 prints two entries', () => {
    const r = runCli(['audit', 'log', '--repo', repo, '--limit', '2']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
  });
});

describe('--key-dir', () => {
  test('a key dir that cannot be created (a file is in the way): exit 2, the path, a hint', () => {
    const dir = tmpDir('gatos-keydir-');
    writeFileSync(path.join(dir, 'afile'), 'not a folder');
    const keyDir = path.join(dir, 'afile', 'keys');
    const r = runCli(['key', 'new', '--actor', 'user:alice', '--key-dir', keyDir], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error[USAGE]: cannot create the folder in the key dir ${keyDir}`);
    expect(r.stderr).toContain('hint: choose a directory you can write with --key-dir or GATOS_KEY_DIR');
    expect(r.stdout).toBe('');
    expectClean(r);
  });

  test('the same through GATOS_KEY_DIR', () => {
    const dir = tmpDir('gatos-keydir-');
    writeFileSync(path.join(dir, 'afile'), 'not a folder');
    const r = runCli(['key', 'new', '--actor', 'user:alice'], { cwd: dir, env: { GATOS_KEY_DIR: path.join(dir, 'afile') } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cannot create the folder in the key dir');
    expectClean(r);
  });

  test('a key dir that does not exist, when signing: exit 2, says the folder is missing', () => {
    const dir = tmpDir('gatos-keydir-');
    const clone = path.join(dir, 'clone');
    git(dir, ['init', '-q', clone]);
    expect(runCli(['init'], { cwd: clone }).status).toBe(0);
    const missing = path.join(dir, 'no-such-keys');
    const r = runCli(['event', 'add', '--ns', 'finance', '--type', 't', '--payload', '{}', '--as', 'user:alice', '--key-dir', missing], { cwd: clone });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error[NOT_FOUND]: no private key for user:alice at ${path.join(missing, 'user', 'alice.key')} (the key dir ${missing} does not exist)`);
    expect(r.stderr).toContain('hint: make one with gatos key new --actor user:alice');
    expectClean(r);
  });
});

describe('gate check keeps the exit statuses of docs/cli.md', () => {
  const dir = tmpDir('gatos-check-');
  const repo = path.join(dir, 'server.git');
  git(dir, ['init', '-q', '--bare', repo]);
  const work = path.join(dir, 'work');
  git(dir, ['init', '-q', work]);
  writeFileSync(path.join(work, 'f'), 'x');
  git(work, ['add', 'f']);
  git(work, ['commit', '-q', '-m', 'c']);
  git(work, ['push', '-q', repo, 'HEAD:refs/heads/seed']);
  const commit = gitText(work, ['rev-parse', 'HEAD']).trim();
  const check = (...extra: string[]) => runCli(['gate', 'check', '--repo', repo, ZERO, commit, 'refs/heads/x', ...extra]);

  test('no active policy (the gate is not installed): 3, the gate could not decide', () => {
    const r = check();
    expect(r.status).toBe(3);
    expect(r.stdout).toContain('GATE_ERROR');
    expectClean(r);
  });

  test('installed, a pusher nobody vouched for: 1, denied', () => {
    expect(runCli(['install', repo, '--template', 'regulated']).status).toBe(0);
    const r = check('--actor', 'user:mallory');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('DENIED refs/heads/x');
    expectClean(r);
  });

  test('an id the repository does not hold: 2, named, with a hint', () => {
    const r = runCli(['gate', 'check', '--repo', repo, ZERO, '1'.repeat(40), 'refs/heads/x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error[NOT_FOUND]: gate check: the new id ${'1'.repeat(40)} is not an object in ${repo}`);
    expect(r.stderr).toContain('hint:');
    expectClean(r);
  });

  test('a malformed id or time: 2', () => {
    expect(runCli(['gate', 'check', '--repo', repo, ZERO, 'zzz', 'refs/heads/x']).status).toBe(2);
    expect(check('--now', 'yesterday').status).toBe(2);
  });

  test('no such repository: 2', () => {
    const r = runCli(['gate', 'check', '--repo', path.join(dir, 'nope.git'), ZERO, commit, 'refs/heads/x']);
    expect(r.status).toBe(2);
    expectClean(r);
  });

  test('a setting the hooks cannot use: 3, as the hooks refuse every push with GATE_ERROR', () => {
    git(repo, ['config', 'gatos.mdoe', 'enforce']);
    try {
      const r = check('--actor', 'user:mallory');
      expect(r.status).toBe(3);
      expect(r.stderr).toContain('error[GATE_ERROR]: git config gatos.mdoe');
      expectClean(r);
    } finally {
      git(repo, ['config', '--unset', 'gatos.mdoe']);
    }
  });
});

describe('--payload @- reads standard input', () => {
  test('the event carries the payload piped in', () => {
    const dir = tmpDir('gatos-stdin-');
    const clone = path.join(dir, 'clone');
    const keys = path.join(dir, 'keys');
    mkdirSync(keys);
    git(dir, ['init', '-q', clone]);
    const env = { GATOS_KEY_DIR: keys };
    expect(runCli(['init'], { cwd: clone, env }).status).toBe(0);
    const pub = runCli(['key', 'new', '--actor', 'user:alice'], { cwd: clone, env }).stdout.trim();
    expect(runCli(['trust', 'add', 'user:alice', pub, '--as', 'user:alice'], { cwd: clone, env }).status).toBe(0);
    expect(runCli(['policy', 'init', '--template', 'minimal'], { cwd: clone, env }).status).toBe(0);
    expect(runCli(['policy', 'publish', '--as', 'user:alice'], { cwd: clone, env }).status).toBe(0);
    const r = runCli(['event', 'add', '--ns', 'finance', '--type', 'note', '--payload', '@-', '--as', 'user:alice'], { cwd: clone, env, input: '{"from":"stdin","n":7}\n' });
    expect(r.stderr).toContain('appended to refs/gatos/journal/finance/user/alice');
    expect(r.status).toBe(0);
    // The envelope is DAG-CBOR: its text strings are the payload's UTF-8 bytes.
    const cbor = git(clone, ['cat-file', 'blob', 'refs/gatos/journal/finance/user/alice:event.cbor']).stdout;
    expect(cbor).toContain('stdin');
    const bad = runCli(['event', 'add', '--ns', 'finance', '--type', 'note', '--payload', '@-', '--as', 'user:alice'], { cwd: clone, env, input: '{"n": ' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('<stdin>');
    expectClean(bad);
  });
});
