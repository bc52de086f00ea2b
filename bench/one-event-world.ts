/**
 * The world of issue 12's one-event push, for the daemon and decide suites:
 * a bare repository with the gate installed (regulated template; user:root
 * trusted at level 9, user:alice at 1 with journal:append), and a client
 * holding its refs/gatos/ that appends one signed event to
 * refs/gatos/journal/bench/user/alice per call of `oneEvent`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendEvents } from '../src/events';
import { openRepo, type GitRepo } from '../src/git';
import { loadKey } from '../src/keys';
import { formatTime } from '../src/trust';
import { random80 } from '../src/workspace/clock';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'gatos.cjs');
export const JOURNAL = 'refs/gatos/journal/bench/user/alice';

export interface OneEventWorld {
  /** The environment every git and gatos run of the suite uses (no NODE_EXTRA_CA_CERTS, no user config). */
  readonly env: (extra?: Record<string, string>) => NodeJS.ProcessEnv;
  readonly client: string;
  /** The client's repository; close it at the end. */
  readonly repo: GitRepo;
  /** Appends one signed event to JOURNAL in the client. */
  readonly oneEvent: () => Promise<void>;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Installs the gate into a new bare repository `srv` and makes the client, both under `root`. */
export async function oneEventWorld(root: string, srv: string): Promise<OneEventWorld> {
  const keyDir = path.join(root, 'keys');
  const now = Math.floor(Date.now() / 1000);
  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: os.tmpdir(), LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GATOS_KEY_DIR: keyDir, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b.invalid', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b.invalid', ...extra });
  const admin = path.join(root, 'admin');
  run('git', ['init', '-q', '--bare', srv], root, env());
  run('git', ['init', '-q', '-b', 'main', admin], root, env());
  const g = (args: string[], extra: Record<string, string> = {}) => run(process.execPath, [CLI, ...args], admin, env(extra));
  g(['init']);
  for (const a of ['root', 'alice']) g(['key', 'new', '--actor', `user:${a}`]);
  const pub = (a: string) => (JSON.parse(readFileSync(path.join(keyDir, 'user', `${a}.key`), 'utf8')) as { public: string }).public;
  const past = { GATOS_NOW: formatTime(now - 3600) };
  g(['trust', 'add', 'user:root', pub('root'), '--level', '9', '--as', 'user:root'], past);
  g(['trust', 'add', 'user:alice', pub('alice'), '--level', '1', '--as', 'user:root'], past);
  g(['trust', 'grant', '--to', 'user:alice', '--caps', 'journal:append', '--exp', formatTime(now + 86400), '--as', 'user:root'], past);
  run('sh', [path.join(ROOT, 'install.sh'), srv, '--template', 'regulated', '--trust', path.join(admin, 'gatos', 'trust')], root, env());
  const client = path.join(root, 'client');
  run('git', ['init', '-q', '-b', 'main', client], root, env());
  run('git', ['fetch', '-q', srv, '+refs/gatos/*:refs/gatos/*'], client, env());
  const key = loadKey(keyDir, 'user:alice');
  if (!key.ok) throw new Error(key.error.message);
  const opened = await openRepo(path.join(client, '.git'), { env: env() });
  if (!opened.ok) throw new Error(opened.error.message);
  const repo = opened.value;
  const active = run('git', ['rev-parse', 'refs/gatos/policies/active'], client, env()).trim();
  const m = JSON.parse(run('git', ['show', `${active}:manifest.json`], client, env())) as { folds: Record<string, { fold_root: string }> };
  const foldRoot = Object.values(m.folds)[0]?.fold_root as string;
  const oneEvent = async (): Promise<void> => {
    const r = await appendEvents({ repo, ns: 'bench', key: key.value, policyRoot: active, foldRoot, random: random80 }, [{ type: 'flag.set', payload: { flag: 'f', on: true }, caps: ['journal:append'], ts: now }]);
    if (!r.ok) throw new Error(r.error.message);
  };
  return { env, client, repo, oneEvent };
}
