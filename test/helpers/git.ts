/**
 * Real git repositories for tests, made with the stock `git` and nothing of
 * ours (so our adapter is checked against git, not against itself). Every
 * command runs in a clean environment: no user or system config, no GIT_DIR
 * inherited from a surrounding hook, a fixed identity and clock, LC_ALL=C.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tmpDir } from './tmp';

export type ObjectFormat = 'sha1' | 'sha256';
export const FORMATS: readonly ObjectFormat[] = ['sha1', 'sha256'];

/** The fixed time every helper commit carries unless told otherwise: 2023-11-14T22:13:20Z. */
export const FIXED_TIME = 1700000000;

/**
 * HOME for every git and gatos run of this test file: its own empty folder,
 * made on first use and removed with the file's other temporary folders, so
 * nothing one file (or another worktree's run) leaves in HOME (a key, a
 * config) can change what another file sees.
 */
let home: string | undefined;
function emptyHome(): string {
  home ??= tmpDir('gatos-test-home-');
  return home;
}

/** An environment with nothing git could pick up from the machine or a calling process. */
export function cleanGitEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: emptyHome(),
    LC_ALL: 'C',
    TZ: 'UTC',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_AUTHOR_NAME: 'Test Author',
    GIT_AUTHOR_EMAIL: 'author@example.test',
    GIT_AUTHOR_DATE: `@${FIXED_TIME} +0000`,
    GIT_COMMITTER_NAME: 'Test Committer',
    GIT_COMMITTER_EMAIL: 'committer@example.test',
    GIT_COMMITTER_DATE: `@${FIXED_TIME} +0000`,
    // `GATOS_EVENT_WORKERS_MIN=1 npx jest ...` decides every push's events on the hooks' worker threads (decision 0041).
    ...(process.env.GATOS_EVENT_WORKERS_MIN ? { GATOS_EVENT_WORKERS_MIN: process.env.GATOS_EVENT_WORKERS_MIN } : {}),
    ...extra,
  };
}

export interface GitRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs git in `cwd`; throws with git's stderr on failure unless allowFailure is set. */
export function git(
  cwd: string,
  args: readonly string[],
  opts: { input?: string | Uint8Array; env?: Record<string, string>; allowFailure?: boolean } = {},
): GitRun {
  const r = spawnSync('git', args, {
    cwd,
    input: opts.input,
    env: cleanGitEnv(opts.env),
    maxBuffer: 1 << 30,
  });
  const run = { status: r.status, stdout: r.stdout?.toString('utf8') ?? '', stderr: r.stderr?.toString('utf8') ?? '' };
  if (!opts.allowFailure && run.status !== 0) {
    throw new Error(`git ${args.join(' ')} (in ${cwd}) exited ${run.status}: ${run.stderr}`);
  }
  return run;
}

/** stdout of a successful git command, trimmed. */
export function gitText(cwd: string, args: readonly string[], input?: string | Uint8Array): string {
  return git(cwd, args, input === undefined ? {} : { input }).stdout.trim();
}

export interface RepoOptions {
  format?: ObjectFormat;
  bare?: boolean;
  /** The initial branch; "main" unless told. */
  branch?: string;
}

/** A new repository in a fresh temporary directory; returns its path (the git dir itself when bare). */
export function initRepo(opts: RepoOptions = {}): string {
  const dir = path.join(tmpDir('gatos-git-'), opts.bare ? 'repo.git' : 'repo');
  git(os.tmpdir(), ['init', '-q', `--object-format=${opts.format ?? 'sha1'}`, `--initial-branch=${opts.branch ?? 'main'}`, ...(opts.bare ? ['--bare'] : []), dir]);
  return dir;
}

/** The git directory of a repository made by initRepo. */
export function gitDirOf(repo: string): string {
  return existsSync(path.join(repo, '.git')) ? path.join(repo, '.git') : repo;
}

export interface QuickCommit {
  message?: string;
  /** File name -> contents, all at the top level. */
  files?: Record<string, string>;
  parents?: string[];
  /** Seconds since the epoch for author and committer. */
  time?: number;
  /** Point this ref at the new commit (no old-value check). */
  ref?: string;
}

/** Writes one commit with plumbing (hash-object, mktree, commit-tree); returns its id. */
export function writeCommit(repo: string, c: QuickCommit = {}): string {
  const entries = Object.entries(c.files ?? {})
    .map(([name, text]) => `100644 blob ${gitText(repo, ['hash-object', '-w', '--stdin'], text)}\t${name}`)
    .join('\n');
  const tree = gitText(repo, ['mktree'], entries ? `${entries}\n` : '');
  const when = `@${c.time ?? FIXED_TIME} +0000`;
  const id = git(repo, ['commit-tree', tree, ...(c.parents ?? []).flatMap((p) => ['-p', p])], {
    input: c.message ?? 'test commit\n',
    env: { GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when },
  }).stdout.trim();
  if (c.ref) git(repo, ['update-ref', c.ref, id]);
  return id;
}

/**
 * A linear history of `count` commits on `ref` through one `git fast-import`,
 * each touching one file; quick enough for tens of thousands of commits.
 */
export function importLinearHistory(repo: string, count: number, ref = 'refs/heads/main'): void {
  git(repo, ['fast-import', '--quiet'], { input: linearHistoryScript(count, ref) });
}

export function linearHistoryScript(count: number, ref: string): string {
  const parts: string[] = [];
  for (let i = 1; i <= count; i++) {
    const msg = `commit ${i}\n\nBody of commit ${i}.\n`;
    const data = `${i}\n`;
    const when = FIXED_TIME + i;
    parts.push(
      `commit ${ref}\nmark :${i}\n`,
      `author Test Author <author@example.test> ${when} +0000\n`,
      `committer Test Committer <committer@example.test> ${when} +0000\n`,
      `data ${Buffer.byteLength(msg)}\n${msg}`,
      i > 1 ? `from :${i - 1}\n` : '',
      `M 100644 inline file-${i % 100}.txt\ndata ${Buffer.byteLength(data)}\n${data}\n`,
    );
  }
  return parts.join('');
}

/** Installs an executable hook script (e.g. "pre-receive") into a repository. */
export function installHook(repo: string, name: string, script: string): string {
  const dir = path.join(gitDirOf(repo), 'hooks');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return file;
}

/** Whether `id` names an object present in `repo`. */
export function hasObject(repo: string, id: string): boolean {
  return git(repo, ['cat-file', '-e', id], { allowFailure: true }).status === 0;
}
