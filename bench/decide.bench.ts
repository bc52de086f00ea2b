/**
 * The warm daemon's decision of a one-event push, in this process and in
 * CPU time (decision 0053): the same world as bench/daemon.bench.ts
 * (regulated template, one signed event per push), but no transport: each
 * push's objects are unpacked into a quarantine of the served repository
 * as receive-pack does, runHook decides it as `gatos serve` does (the warm
 * bundle, the settings cache, the shared LooseCache), and the objects and
 * the ref then land as git lands them. Before the clock starts, the
 * quarantine is read as the daemon's watch reads it while git checks
 * connectivity (prefetchQuarantine, decision 0053; off with
 * GATOS_BENCH_DECIDE_PREFETCH=0). Per push it reads this process's CPU
 * time from the start of the run to the verdict (the decision: repository,
 * settings, walk, events, policy) and to the end of the run (with the
 * decision log and the verdict records). Medians of PUSHES after WARM
 * pushes. Between pushes git runs (append, pack, unpack, update-ref), so
 * the caches are about as cold as the daemon's between two real pushes.
 * To compare two builds, run each build's `node dist/bench.cjs decide`
 * alternately.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseUpdateLines } from '../src/gate';
import type { LoadedBundle } from '../src/bundle/load';
import { LooseCache } from '../src/git/loose';
import { prefetchQuarantine } from '../src/push/prefetch';
import { updateHookInstalled } from '../src/hooks/records';
import { runHook } from '../src/hooks/run-hook';
import { SettingsCache } from '../src/push/settings-cache';
import { ServedRepo } from '../src/serve/daemon';
import { KeptWhileUnchanged } from '../src/serve/kept';
import { GateMetrics } from '../src/serve/metrics';
import type { BenchRow, BenchSuite } from './harness';
import { JOURNAL, oneEventWorld } from './one-event-world';
import { median } from './stats';

const PUSHES = Number(process.env.GATOS_BENCH_DECIDE_PUSHES ?? '150');
const WARM = 20;
/** GATOS_BENCH_DECIDE_PREFETCH=0: no prefetch, the quarantine is read by the decision (a daemon without inotify). */
const PREFETCH = process.env.GATOS_BENCH_DECIDE_PREFETCH !== '0';

function gitOut(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, input?: Buffer | string): Buffer {
  return execFileSync(cmd, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'], ...(input !== undefined ? { input } : {}) });
}

const cpuMsOf = (c: NodeJS.CpuUsage): number => (c.user + c.system) / 1000;

export const decideSuite: BenchSuite = {
  name: 'decide',
  async run(): Promise<BenchRow[]> {
    const root = mkdtempSync(path.join(os.tmpdir(), 'gatos-bench-decide-'));
    const srv = path.join(root, 'served.git');
    const zero = '0'.repeat(40);
    try {
      const { env, client, repo, oneEvent } = await oneEventWorld(root, srv);
      // What `gatos serve` keeps for a repository between pushes (src/serve/daemon.ts).
      const served = new ServedRepo(srv, new GateMetrics(), () => undefined);
      const settings = new SettingsCache();
      const looseCache = new LooseCache();
      const hookKept = new KeptWhileUnchanged<boolean>();
      const decided: number[] = [];
      const whole: number[] = [];
      let old = zero;
      /** The bundle the daemon keeps warm, which its prefetch folds each event with. */
      let warm: LoadedBundle | undefined;
      for (let i = 0; i < WARM + PUSHES; i++) {
        await oneEvent();
        const tip = gitOut('git', ['rev-parse', JOURNAL], client, env()).toString('utf8').trim();
        // receive-pack: the pack unpacked into a quarantine (a one-event push is under transfer.unpackLimit).
        const quarantine = path.join(srv, 'objects', `tmp_objdir-incoming-${i}`);
        mkdirSync(path.join(quarantine, 'pack'), { recursive: true });
        const pack = gitOut('git', ['pack-objects', '--stdout', '--revs', '-q'], client, env(), `${tip}\n${old === zero ? '' : `^${old}\n`}`);
        const qenv = { GIT_DIR: srv, GIT_OBJECT_DIRECTORY: quarantine, GIT_ALTERNATE_OBJECT_DIRECTORIES: path.join(srv, 'objects'), GIT_QUARANTINE_PATH: quarantine };
        gitOut('git', ['unpack-objects', '-q'], srv, env(qenv), pack);
        // The daemon reads a quarantine while git checks its connectivity (src/serve/prefetch-watch.ts), before the request.
        if (PREFETCH) prefetchQuarantine(quarantine, 'sha1', looseCache, warm);
        const henv = { ...env({ GATOS_ACTOR: 'user:alice' }), ...qenv } as NodeJS.ProcessEnv & Record<string, string>;
        const stdin = `${old} ${tip} ${JOURNAL}\n`;
        const later: (() => void)[] = [];
        const out: string[] = [];
        let atVerdict: NodeJS.CpuUsage | undefined;
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        const status = await runHook({
          hook: 'pre-receive',
          gitDir: srv,
          env: henv,
          updates: (f) => parseUpdateLines(f, stdin),
          sampleId: tip,
          print: (l) => void out.push(l),
          clockMs: () => Date.now(),
          served: {
            cwd: srv,
            receivePack: process.pid,
            elapsedMs: () => Number(process.hrtime.bigint() - t0) / 1e6,
            activeBundle: async (rp, memo) => {
              const b = await served.activeBundle(rp, memo);
              warm = b.ok ? b.value.loaded : undefined;
              return b;
            },
            settings: (rp) => settings.read(rp, henv),
            looseCache,
            updateHookInstalled: (gd) => hookKept.get([path.join(gd, 'gatos', 'install.json'), path.join(gd, 'hooks', 'update')], () => updateHookInstalled(gd), gd),
            observe: () => {
              atVerdict = process.cpuUsage(c0);
            },
            afterReply: (w) => void later.push(w),
          },
        });
        const c = process.cpuUsage(c0);
        for (const w of later) w();
        if (status !== 0) throw new Error(`push ${i} was refused:\n${out.join('\n')}`);
        if (i >= WARM && atVerdict) {
          decided.push(cpuMsOf(atVerdict));
          whole.push(cpuMsOf(c));
        }
        // receive-pack after an accepting pre-receive: the objects move into the store by rename, then the ref.
        for (const d of readdirSync(quarantine)) {
          mkdirSync(path.join(srv, 'objects', d), { recursive: true });
          for (const f of readdirSync(path.join(quarantine, d))) renameSync(path.join(quarantine, d, f), path.join(srv, 'objects', d, f));
        }
        rmSync(quarantine, { recursive: true, force: true });
        gitOut('git', ['update-ref', JOURNAL, tip], srv, env({ GIT_DIR: srv }));
        old = tip;
      }
      await repo.close();
      const d = median(decided);
      const w = median(whole);
      return [
        { figure: 'daemon decision of a 1-event push in process, to the verdict (CPU ms)', value: d, unit: 'ms', reference: 'the whole run, with the decision log and verdict records (CPU ms)', referenceValue: w, ratio: d / w, note: `medians of ${PUSHES} pushes after ${WARM}; git runs between pushes, as between a daemon's real pushes; ${PREFETCH ? 'each quarantine prefetched before the clock starts, as the daemon reads it while git checks connectivity' : 'no prefetch (GATOS_BENCH_DECIDE_PREFETCH=0)'}` },
      ];
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};
