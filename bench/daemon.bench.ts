/**
 * The gate with its decision daemon up (`gatos serve`, docs/daemon.md)
 * beside the cold gate and no hook, in the same run: one signed event
 * pushed over file:// into three bare repositories that receive the same
 * commits, interleaved (the order rotates each round), median of ROUNDS:
 *   - no hook;
 *   - the gate, cold (hooks/pre-receive finds no daemon and runs the Node hook);
 *   - the gate, daemon up (the sh client asks `gatos serve`; no Node starts).
 * Each added cost is the repository's push time minus the no-hook push of
 * the same round. The target (the daemon adds less than the upstream
 * bash sketch adds) is read against the sketch's row of the same
 * `npm run bench`.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appendEvents } from '../src/events';
import { openRepo } from '../src/git';
import { loadKey } from '../src/keys';
import { formatTime } from '../src/trust';
import { random80 } from '../src/workspace/clock';
import type { BenchRow, BenchSuite } from './harness';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'gatos.cjs');
const JOURNAL = 'refs/gatos/journal/bench/user/alice';
const ROUNDS = 15;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function pushMs(client: string, url: string, env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('git', ['push', '-q', url, JOURNAL], { cwd: client, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`push to ${url} failed:\n${r.stderr}`);
  return ms;
}

/** `gatos serve` on `repo`, once it says it serves it. */
function serve(repo: string): Promise<ReturnType<typeof spawn>> {
  const p = spawn(process.execPath, [CLI, 'serve', '--repo', repo, '--http', 'off'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    p.stdout?.on('data', () => resolve(p));
    p.once('exit', (code) => reject(new Error(`gatos serve exited ${code}`)));
  });
}

export const daemonSuite: BenchSuite = {
  name: 'daemon',
  async run(): Promise<BenchRow[]> {
    const root = mkdtempSync(path.join(os.tmpdir(), 'gatos-bench-daemon-'));
    const keyDir = path.join(root, 'keys');
    const now = Math.floor(Date.now() / 1000);
    const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: os.tmpdir(), LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GATOS_KEY_DIR: keyDir, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b.invalid', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b.invalid', ...extra });
    const admin = path.join(root, 'admin');
    const srv = path.join(root, 'cold.git');
    let daemon: ReturnType<typeof spawn> | undefined;
    try {
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
      const served = path.join(root, 'daemon.git');
      const plain = path.join(root, 'plain.git');
      cpSync(srv, served, { recursive: true });
      cpSync(srv, plain, { recursive: true });
      rmSync(path.join(plain, 'hooks'), { recursive: true, force: true });
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
      daemon = await serve(served);
      const pe = env({ GATOS_ACTOR: 'user:alice' });
      const targets = [plain, srv, served];
      const times: number[][] = targets.map(() => []);
      // One warm-up round: the cold hook's V8 code cache and the daemon's bundle are warm, as after any earlier push.
      for (let round = -1; round < ROUNDS; round++) {
        await oneEvent();
        for (let k = 0; k < targets.length; k++) {
          const i = (k + Math.max(round, 0)) % targets.length;
          const ms = pushMs(client, targets[i] as string, pe);
          if (round >= 0) times[i]?.push(ms);
        }
      }
      await repo.close();
      const added = (i: number) => median((times[i] as number[]).map((t, r) => t - ((times[0] as number[])[r] as number)));
      const noHook = median(times[0] as number[]);
      const cold = added(1);
      const warm = added(2);
      return [
        {
          figure: 'push of 1 signed event, gate with the daemon up (ms added over no hook)',
          value: warm,
          unit: 'ms',
          reference: 'the same push, gate cold (ms added over no hook)',
          referenceValue: cold,
          ratio: warm / cold,
          target: 'less than the bash sketch adds',
          note: `no hook ${noHook.toFixed(0)} ms; cold gate +${cold.toFixed(0)} ms; daemon +${warm.toFixed(0)} ms (medians of ${ROUNDS} interleaved rounds; compare the bash sketch's row of this run)`,
        },
      ];
    } finally {
      if (daemon && daemon.exitCode === null) {
        const d = daemon;
        await new Promise<void>((resolve) => {
          d.once('exit', () => resolve());
          d.kill('SIGTERM');
        });
      }
      rmSync(root, { recursive: true, force: true });
    }
  },
};
