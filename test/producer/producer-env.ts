/**
 * A producer's world for tests: a clone, a key dir outside it, a pinned
 * clock, the built CLI run inside the clone, and plumbing to forge commits
 * the way an attacker would (stock git only).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { runCli, type CliRun } from '../helpers/cli';
import { cleanGitEnv, git, gitText, initRepo, type ObjectFormat } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';

export const TEMPLATES = path.resolve(__dirname, '../fixtures/producer/templates');

export class Producer {
  readonly repo: string;
  readonly keyDir: string;
  now = '2026-01-01T00:00:00Z';

  constructor(format: ObjectFormat = 'sha1') {
    this.repo = initRepo({ format });
    this.keyDir = path.join(tmpDir('gatos-keys-'), 'keys');
    mkdirSync(this.keyDir);
  }

  gatos(args: string[], env: Record<string, string> = {}): CliRun {
    return runCli(args, { cwd: this.repo, env: { ...cleanGitEnv(), GATOS_KEY_DIR: this.keyDir, GATOS_NOW: this.now, GATOS_TEMPLATES: TEMPLATES, ...env } });
  }

  /** Runs a command that must succeed; returns stdout trimmed. */
  ok(args: string[], env: Record<string, string> = {}): string {
    const r = this.gatos(args, env);
    if (r.status !== 0) throw new Error(`gatos ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
    return r.stdout.trim();
  }

  git(args: string[], input?: string | Uint8Array): string {
    return input === undefined ? gitText(this.repo, args) : gitText(this.repo, args, input);
  }

  /** init, two keys, alice root (level 3), bob (level 2), bob granted journal:append, template, publish. */
  setup(): { alice: string; bob: string; grant: string } {
    this.ok(['init']);
    const alice = this.ok(['key', 'new', '--actor', 'user:alice']);
    this.ok(['trust', 'add', 'user:alice', alice, '--level', '3', '--group', 'leads', '--as', 'user:alice']);
    const bob = this.ok(['key', 'new', '--actor', 'user:bob']);
    this.ok(['trust', 'add', 'user:bob', bob, '--level', '2', '--as', 'user:alice']);
    const grant = this.ok(['trust', 'grant', '--to', 'user:bob', '--caps', 'journal:append', '--exp', '2026-06-01T00:00:00Z', '--audience', 'finance', '--as', 'user:alice']);
    this.ok(['policy', 'init', '--template', 'example']);
    this.ok(['policy', 'publish', '--as', 'user:alice']);
    return { alice, bob, grant };
  }

  event(actor: string, type: string, payload: unknown, extra: string[] = []): { commit: string; ulid: string } {
    const [commit = '', ulid = ''] = this.ok(['event', 'add', '--ns', 'finance', '--type', type, '--payload', JSON.stringify(payload), '--as', actor, ...extra]).split(' ');
    return { commit, ulid };
  }

  /** A copy of `commit` with another message and/or tree, as a forger would write it. */
  forge(commit: string, change: { message?: string; tree?: string }): string {
    const message = change.message ?? git(this.repo, ['cat-file', 'commit', commit]).stdout.split('\n\n').slice(1).join('\n\n');
    const tree = change.tree ?? this.git(['rev-parse', `${commit}^{tree}`]);
    const parents = this.git(['rev-list', '--parents', '-n', '1', commit]).split(' ').slice(1);
    const who = (role: string) => git(this.repo, ['log', '-1', `--format=%${role}n%x00%${role}e%x00%${role}d`, '--date=raw', commit]).stdout.trim().split('\0');
    const [an = '', ae = '', ad = ''] = who('a');
    const [cn = '', ce = '', cd = ''] = who('c');
    return git(this.repo, ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p])], {
      input: message,
      env: { GIT_AUTHOR_NAME: an, GIT_AUTHOR_EMAIL: ae, GIT_AUTHOR_DATE: ad, GIT_COMMITTER_NAME: cn, GIT_COMMITTER_EMAIL: ce, GIT_COMMITTER_DATE: cd },
    }).stdout.trim();
  }

  /** The tree of `commit` with one file replaced (path may be nested). */
  treeWith(commit: string, file: string, content: Uint8Array | string): string {
    const idx = path.join(tmpDir('gatos-idx-'), 'index');
    const env = { GIT_INDEX_FILE: idx };
    git(this.repo, ['read-tree', `${commit}^{tree}`], { env });
    const blob = git(this.repo, ['hash-object', '-w', '--stdin'], { input: content }).stdout.trim();
    git(this.repo, ['update-index', '--cacheinfo', `100644,${blob},${file}`], { env });
    return git(this.repo, ['write-tree'], { env }).stdout.trim();
  }

  message(commit: string): string {
    return git(this.repo, ['cat-file', 'commit', commit]).stdout.split('\n\n').slice(1).join('\n\n');
  }
}

/** The error code printed by a failing command (`error[CODE]`). */
export function codeOf(r: CliRun): string | undefined {
  return /error\[([A-Z_]+)\]/.exec(r.stderr)?.[1];
}
