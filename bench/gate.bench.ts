/**
 * The push-gate's cost, each figure a real `git push` over file:// into a
 * bare repository with the gate installed, beside the same push into an
 * identical copy of that repository with no hook, in the same run:
 *   - a push of one signed event;
 *   - a push of 10,000 signed events;
 *   - a push of 1,000 new events plus a checkpoint on a 100,000-event journal
 *     (the gate refolds only the 1,000-event window from the previous
 *     checkpoint's saved state), beside the same events pushed without the
 *     checkpoint, so the checkpoint's own cost shows.
 * GATOS_BENCH_GATE_SCALE (e.g. 0.1) shrinks the counts for a quick look.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCheckpoint } from '../src/checkpoint';
import { appendEvents, type EventSpec } from '../src/events';
import { openRepo, type GitRepo } from '../src/git';
import { loadKey } from '../src/keys';
import { formatTime } from '../src/trust';
import { random80 } from '../src/workspace/clock';
import { median } from './stats';
import type { BenchRow, BenchSuite } from './harness';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'gatos.cjs');
const JOURNAL = 'refs/gatos/journal/bench/user/alice';
const STATE = 'refs/gatos/state/bench';
const ONE_RUNS = 7;
/** The larger pushes take seconds each: the median of three. */
const MANY_RUNS = 3;

export function env(keyDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: os.tmpdir(), LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GATOS_KEY_DIR: keyDir, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b.invalid', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b.invalid', ...extra };
}

export function sh(cmd: string, args: string[], cwd: string, e: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, args, { cwd, env: e, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function pushMs(client: string, url: string, refs: string[], e: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('git', ['push', '-q', url, ...refs], { cwd: client, env: e, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`push to ${url} failed:\n${r.stderr}`);
  return ms;
}

export async function withRepo<T>(dir: string, e: NodeJS.ProcessEnv, f: (r: GitRepo) => Promise<T>): Promise<T> {
  const o = await openRepo(path.join(dir, '.git'), { env: e });
  if (!o.ok) throw new Error(o.error.message);
  try {
    return await f(o.value);
  } finally {
    await o.value.close();
  }
}

export async function append(dir: string, e: NodeJS.ProcessEnv, keyDir: string, n: number, ts: number): Promise<void> {
  const key = loadKey(keyDir, 'user:alice');
  if (!key.ok) throw new Error(key.error.message);
  await withRepo(dir, e, async (repo) => {
    const active = sh('git', ['rev-parse', 'refs/gatos/policies/active'], dir, e).trim();
    const m = JSON.parse(sh('git', ['show', `${active}:manifest.json`], dir, e)) as { folds: Record<string, { fold_root: string }> };
    const foldRoot = Object.values(m.folds)[0]?.fold_root as string;
    const specs: EventSpec[] = Array.from({ length: n }, (_, i) => ({ type: 'flag.set', payload: { flag: `f${i % 50}`, on: i % 2 === 0 }, caps: ['journal:append'], ts }));
    const r = await appendEvents({ repo, ns: 'bench', key: key.value, policyRoot: active, foldRoot, random: random80 }, specs);
    if (!r.ok) throw new Error(r.error.message);
  });
}

async function checkpoint(dir: string, e: NodeJS.ProcessEnv, keyDir: string, now: number): Promise<void> {
  const key = loadKey(keyDir, 'user:alice');
  if (!key.ok) throw new Error(key.error.message);
  await withRepo(dir, e, async (repo) => {
    const r = await makeCheckpoint(repo, { ns: 'bench', key: key.value, now });
    if (!r.ok) throw new Error(r.error.message);
  });
}

interface Pair {
  gated: string;
  plain: string;
}

/** Two identical server repositories: the gated one, and a copy without hooks. */
export function twin(root: string, gated: string, name: string): Pair {
  const plain = path.join(root, `${name}-plain.git`);
  rmSync(plain, { recursive: true, force: true });
  cpSync(gated, plain, { recursive: true });
  rmSync(path.join(plain, 'hooks'), { recursive: true, force: true });
  return { gated, plain };
}

interface Paired {
  readonly gated: number;
  readonly plain: number;
  readonly gateds: readonly number[];
}

/**
 * A gated server's hooks have run in it before (as after its first push): the settings record they keep in
 * gatos/cache is keyed by the repository's path and its config file's identity, which a fresh copy changes, so the
 * copy's pre-receive runs once with no update lines (it decides nothing and moves no ref) and records them. Without
 * this each measured push read its settings from git (about 12 ms here, GATOS_TRACE=1) as no server does twice.
 */
function ranBefore(gitDir: string, e: NodeJS.ProcessEnv): void {
  const hook = path.join(gitDir, 'hooks', 'pre-receive');
  if (!existsSync(hook)) return;
  const r = spawnSync('sh', [hook], { cwd: gitDir, env: { ...e, GIT_DIR: gitDir }, input: '', encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the pre-receive hook of ${gitDir} refused no update lines:\n${r.stderr}`);
}

/**
 * The median of `runs` pairs, each pushing `refs` from `client` into fresh
 * copies of `base`: one with its hooks (their warm code cache, and their
 * settings recorded for that copy: ranBefore), one without. A push moves by tens of ms with the machine's load.
 */
function medianPair(root: string, base: string, name: string, client: string, refs: string[], e: NodeJS.ProcessEnv, runs: number): Paired {
  const plains: number[] = [];
  const gateds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const gatedCopy = path.join(root, `${name}-${i}-gated.git`);
    cpSync(base, gatedCopy, { recursive: true });
    ranBefore(gatedCopy, e);
    const p = twin(root, gatedCopy, `${name}-${i}`);
    plains.push(pushMs(client, p.plain, refs, e));
    gateds.push(pushMs(client, p.gated, refs, e));
    rmSync(p.plain, { recursive: true, force: true });
    rmSync(p.gated, { recursive: true, force: true });
  }
  return { gated: median(gateds), plain: median(plains), gateds };
}

/**
 * A bare repository `srv` with the regulated template's gate, whose trust
 * graph holds user:root (level 9) and user:alice (level 1, granted `caps`
 * until a day after `now`); keys in `keyDir`, a generous time budget.
 */
export function gatedServer(root: string, srv: string, keyDir: string, now: number, caps: string): void {
  const e = env(keyDir);
  const admin = path.join(root, 'admin');
  sh('git', ['init', '-q', '--bare', srv], root, e);
  sh('git', ['init', '-q', '-b', 'main', admin], root, e);
  const g = (args: string[], extra: Record<string, string> = {}) => sh(process.execPath, [CLI, ...args], admin, env(keyDir, extra));
  g(['init']);
  g(['key', 'new', '--actor', 'user:root']);
  g(['key', 'new', '--actor', 'user:alice']);
  const pub = (a: string) => (JSON.parse(readFileSync(path.join(keyDir, 'user', `${a}.key`), 'utf8')) as { public: string }).public;
  const past = { GATOS_NOW: formatTime(now - 3600) };
  g(['trust', 'add', 'user:root', pub('root'), '--level', '9', '--as', 'user:root'], past);
  g(['trust', 'add', 'user:alice', pub('alice'), '--level', '1', '--as', 'user:root'], past);
  g(['trust', 'grant', '--to', 'user:alice', '--caps', caps, '--exp', formatTime(now + 86400), '--as', 'user:root'], past);
  sh('sh', [path.join(ROOT, 'install.sh'), srv, '--template', 'regulated', '--trust', path.join(admin, 'gatos', 'trust')], root, e);
  sh('git', ['--git-dir', srv, 'config', 'gatos.timeBudgetMs', '600000'], root, e);
}

export const gateSuite: BenchSuite = {
  name: 'gate',
  async run(): Promise<BenchRow[]> {
    const scale = Number(process.env.GATOS_BENCH_GATE_SCALE ?? '1');
    const many = Math.max(10, Math.round(10_000 * scale));
    const journal = Math.max(100, Math.round(100_000 * scale));
    const window = Math.max(10, Math.round(1_000 * scale));
    const root = mkdtempSync(path.join(os.tmpdir(), 'gatos-bench-gate-'));
    const keyDir = path.join(root, 'keys');
    const now = Math.floor(Date.now() / 1000);
    const e = env(keyDir);
    const srv = path.join(root, 'srv.git');
    try {
      gatedServer(root, srv, keyDir, now, 'journal:append,state:checkpoint');
      const pe = env(keyDir, { GATOS_ACTOR: 'user:alice' });

      const client = (name: string, from: string) => {
        const dir = path.join(root, name);
        sh('git', ['init', '-q', '-b', 'main', dir], root, e);
        sh('git', ['fetch', '-q', from, '+refs/gatos/*:refs/gatos/*'], dir, e);
        return dir;
      };
      const rows: BenchRow[] = [];
      const row = (figure: string, gated: number, plain: number, target: string, met: boolean, note: string): void => {
        rows.push({ figure, value: gated, unit: 'ms', reference: 'the same push, same repository, no hook', referenceValue: plain, ratio: gated / plain, target, met, note });
      };

      // 1. One event.
      const one = client('one', srv);
      await append(one, e, keyDir, 1, now);
      // A single push moves by tens of ms with the machine's load: the median of ONE_RUNS pairs, each into fresh copies.
      // A gated server has run its hooks before: their V8 code cache ($GIT_DIR/gatos/cache) is warm, as after any earlier push.
      const warm = path.join(root, 'warm.git');
      cpSync(srv, warm, { recursive: true });
      pushMs(one, warm, [JOURNAL], pe);
      if (existsSync(path.join(warm, 'gatos', 'cache'))) cpSync(path.join(warm, 'gatos', 'cache'), path.join(srv, 'gatos', 'cache'), { recursive: true });
      const r1 = medianPair(root, srv, 'one', one, [JOURNAL], pe, ONE_RUNS);
      pushMs(one, srv, [JOURNAL], pe); // the later rows start from the repository with that event, as before
      const plain1 = r1.plain;
      const gated1 = r1.gated;
      row('push of 1 signed event', gated1, plain1, '<= 80 ms added', gated1 - plain1 <= 80, `${(gated1 - plain1).toFixed(0)} ms added (hook start-up included; median of ${ONE_RUNS}, gated ${r1.gateds.map((x) => x.toFixed(0)).join('/')} ms)`);

      // 2. 10,000 events on top.
      await append(one, e, keyDir, many, now);
      const r2 = medianPair(root, srv, 'many', one, [JOURNAL], pe, MANY_RUNS);
      pushMs(one, srv, [JOURNAL], pe);
      const plain2 = r2.plain;
      const gated2 = r2.gated;
      row(`push of ${many} signed events`, gated2, plain2, '< 2000 ms to decide', gated2 - plain2 < 2000, `${(gated2 - plain2).toFixed(0)} ms added (median of ${MANY_RUNS}, gated ${r2.gateds.map((x) => x.toFixed(0)).join('/')} ms)`);

      // 3. A checkpoint after `window` new events on a `journal`-event journal.
      const big = client('big', srv);
      sh('git', ['fetch', '-q', srv, `+${JOURNAL}:${JOURNAL}`], big, e);
      const have = Number(sh('git', ['rev-list', '--count', JOURNAL], big, e).trim());
      await append(big, e, keyDir, journal - have - window, now);
      await checkpoint(big, e, keyDir, now);
      // Setup only: the base history goes in through a hook-less copy, then becomes the gated server's.
      const base = twin(root, srv, 'base');
      pushMs(big, base.plain, [JOURNAL, STATE], pe);
      const hooks = path.join(root, 'hooks-saved');
      cpSync(path.join(srv, 'hooks'), hooks, { recursive: true });
      rmSync(srv, { recursive: true, force: true });
      cpSync(base.plain, srv, { recursive: true });
      cpSync(hooks, path.join(srv, 'hooks'), { recursive: true });
      await append(big, e, keyDir, window, now);
      await checkpoint(big, e, keyDir, now);
      const r3 = medianPair(root, srv, 'cp', big, [JOURNAL, STATE], pe, MANY_RUNS);
      // The same events without the checkpoint: the difference in added time is what verifying the checkpoint costs.
      const r3e = medianPair(root, srv, 'cpe', big, [JOURNAL], pe, MANY_RUNS);
      const plain3 = r3.plain;
      const gated3 = r3.gated;
      // Proportional to the window, not the journal: verifying the checkpoint (refolding its window from the
      // previous checkpoint's saved state and comparing) costs, per window event, no more than deciding one
      // event costs in the many-event push. A refold of the whole journal would cost the producer's
      // from-scratch figure (suite producer), about a hundred times the window's.
      const checkpointMs = gated3 - plain3 - (r3e.gated - r3e.plain);
      const perEvent = (gated2 - plain2) / many;
      const perWindowEvent = checkpointMs / window;
      row(`push of ${window} events + checkpoint on a ${journal}-event journal`, gated3, plain3, 'checkpoint ms per window event <= the many-event push\'s ms per event', perWindowEvent <= perEvent, `${(gated3 - plain3).toFixed(0)} ms added (median of ${MANY_RUNS}); the same events without the checkpoint add ${(r3e.gated - r3e.plain).toFixed(0)} ms, so the checkpoint costs ${checkpointMs.toFixed(0)} ms: ${perWindowEvent.toFixed(3)} ms per window event against ${perEvent.toFixed(3)} ms per event of the many-event push`);
      return rows;
    } finally {
      if (!process.env.GATOS_KEEP_TMP) rmSync(root, { recursive: true, force: true });
    }
  },
};
