/**
 * Issue 12's one-event push, ten rows side by side in the same run: one
 * signed event pushed over file:// into ten bare repositories that receive
 * the same commits, interleaved, median of ROUNDS. The order of each round
 * is a row of a Williams square (williamsOrder): over every ten rounds
 * each repository follows each other one exactly once, since the push before
 * moves the next one's time by up to 2 ms (decision 0062); rotating one
 * order gave every row the same neighbour each round. The rows:
 *   - no hook;
 *   - the upstream GATOS bash sketch (bench/sketch-pre-receive.sh, a jq-free
 *     POSIX sh copy of its logic: fast-forward check, trailers on state refs);
 *   - an empty Node hook (reads stdin, exits 0);
 *   - the gate, cold (installed by install.sh; hooks/pre-receive finds no
 *     daemon and runs the Node hook);
 *   - the gate, daemon up (`gatos serve` at its default: nice 10 on twice the
 *     kernel's time slice, waiting on the CPU for a request it decided
 *     ahead, decision 0066; docs/daemon.md; no Node starts);
 *   - the gate's hook layout, empty: a pre-receive and an update hook in sh
 *     that decide nothing (the pre-receive reads its lines with a builtin,
 *     the update hook exits 0). Every push into a gated repository starts
 *     these two processes, so no decision, however fast, adds less: the
 *     daemon row's floor, beside the sketch's one sh and one git;
 *   - the gate installed with `--hooks pre-receive`, daemon up: the layout
 *     gitolite, GitLab and Gitea/Forgejo run (docs/hosts/), one hook per
 *     push like the sketch (a refused ref then refuses the whole push);
 *   - its floor: one empty sh pre-receive;
 *   - both layouts again, served by a second daemon under `--sched idle`
 *     (SCHED_IDLE, waiting on the CPU too: decision 0065), which an
 *     operator may choose on a host with CPU to spare.
 * Each added cost is the repository's push time minus the no-hook push of
 * the same round. Every push runs in the same explicit environment, which
 * leaves out NODE_EXTRA_CA_CERTS (loading extra CAs costs each Node start
 * tens of ms where it is set): no row pays it.
 * Targets: daemon-added / sketch-added < 1; cold-added / empty-Node-added <= 1.5.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchRow, BenchSuite } from './harness';
import { JOURNAL, oneEventWorld } from './one-event-world';
import { median, medianInterval } from './stats';
import { williamsOrder } from './williams';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'gatos.cjs');
// GATOS_BENCH_DAEMON_ROUNDS: fewer rounds for a smoke run; a multiple of 10 (the repositories pushed) keeps the order
// balanced (williams.ts).
const ROUNDS = Number(process.env.GATOS_BENCH_DAEMON_ROUNDS ?? '20');

function pushMs(client: string, url: string, env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('git', ['push', '-q', url, JOURNAL], { cwd: client, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`push to ${url} failed:\n${r.stderr}`);
  return ms;
}

/** `gatos serve` on `repos` (with `options`), once it says it serves them. */
function serve(repos: readonly string[], env: NodeJS.ProcessEnv, options: readonly string[] = []): Promise<ReturnType<typeof spawn>> {
  const p = spawn(process.execPath, [CLI, 'serve', ...repos.flatMap((r) => ['--repo', r]), '--http', 'off', ...options], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    p.stdout?.on('data', () => resolve(p));
    p.once('exit', (code) => reject(new Error(`gatos serve exited ${code}`)));
  });
}

export const daemonSuite: BenchSuite = {
  name: 'daemon',
  async run(): Promise<BenchRow[]> {
    const root = mkdtempSync(path.join(os.tmpdir(), 'gatos-bench-daemon-'));
    const srv = path.join(root, 'cold.git');
    let daemon: ReturnType<typeof spawn> | undefined;
    let idleDaemon: ReturnType<typeof spawn> | undefined;
    try {
      const { env, client, repo, oneEvent } = await oneEventWorld(root, srv);
      const served = path.join(root, 'daemon.git');
      const plain = path.join(root, 'plain.git');
      cpSync(srv, served, { recursive: true });
      // The gate as `install --hooks pre-receive` leaves it (what gitolite, GitLab and Gitea/Forgejo run: docs/hosts/).
      const single = path.join(root, 'single.git');
      cpSync(srv, single, { recursive: true });
      for (const f of ['update', 'update.cjs', 'update.bundle.cjs', 'update.compilers.cjs']) rmSync(path.join(single, 'hooks', f), { force: true });
      // And its install record, as install writes it then (the hooks and this entry are all that differ).
      const record = path.join(single, 'gatos', 'install.json');
      const installed = JSON.parse(readFileSync(record, 'utf8')) as { hooks: Record<string, unknown> };
      delete installed.hooks.update;
      writeFileSync(record, JSON.stringify(installed));
      cpSync(srv, plain, { recursive: true });
      rmSync(path.join(plain, 'hooks'), { recursive: true, force: true });
      // A repository with only `hook` as its pre-receive.
      const hooked = (name: string, write: (file: string) => void): string => {
        const dir = path.join(root, name);
        cpSync(plain, dir, { recursive: true });
        mkdirSync(path.join(dir, 'hooks'));
        const file = path.join(dir, 'hooks', 'pre-receive');
        write(file);
        chmodSync(file, 0o755);
        return dir;
      };
      const sketch = hooked('sketch.git', (f) => copyFileSync(path.join(ROOT, 'bench', 'sketch-pre-receive.sh'), f));
      const emptyNode = hooked('node.git', (f) => writeFileSync(f, "#!/usr/bin/env node\nprocess.stdin.resume();\nprocess.stdin.on('end', () => process.exit(0));\n"));
      const layout = hooked('layout.git', (f) => writeFileSync(f, '#!/bin/sh\nwhile IFS= read -r l; do :; done\n'));
      writeFileSync(path.join(layout, 'hooks', 'update'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      const oneSh = hooked('one-sh.git', (f) => writeFileSync(f, '#!/bin/sh\nwhile IFS= read -r l; do :; done\n'));
      // The same two layouts for a daemon under --sched idle (copied before any daemon made its folder in them).
      const idleBoth = path.join(root, 'idle-both.git');
      const idleSingle = path.join(root, 'idle-single.git');
      cpSync(served, idleBoth, { recursive: true });
      cpSync(single, idleSingle, { recursive: true });
      daemon = await serve([served, single], env());
      idleDaemon = await serve([idleBoth, idleSingle], env(), ['--sched', 'idle']);
      const pe = env({ GATOS_ACTOR: 'user:alice' });
      const targets = [plain, sketch, emptyNode, srv, served, layout, single, oneSh, idleBoth, idleSingle];
      const times: number[][] = targets.map(() => []);
      // The daemon's CPU over the measured rounds (its main thread, and all its threads), from /proc/<pid>/schedstat.
      const onCpuMs = (file: string): number => Number(readFileSync(file, 'utf8').split(' ')[0]) / 1e6;
      const cpuOf = (pid: number | undefined): [number, number] => {
        const tasks = `/proc/${pid}/task`;
        return [onCpuMs(`${tasks}/${pid}/schedstat`), readdirSync(tasks).reduce((sum, t) => sum + onCpuMs(`${tasks}/${t}/schedstat`), 0)];
      };
      const daemonCpu = (): [number, number, number, number] => [...cpuOf(daemon?.pid), ...cpuOf(idleDaemon?.pid)];
      let cpuBefore: [number, number, number, number] = [0, 0, 0, 0];
      // One warm-up round: the cold hook's V8 code cache and the daemon's bundle are warm, as after any earlier push.
      for (let round = -1; round < ROUNDS; round++) {
        if (round === 0) cpuBefore = daemonCpu();
        await oneEvent();
        for (const i of williamsOrder(targets.length, Math.max(round, 0))) {
          const ms = pushMs(client, targets[i] as string, pe);
          if (round >= 0) times[i]?.push(ms);
        }
      }
      const cpuAfter = daemonCpu();
      // Two daemon-decided pushes a round for each daemon (the two layouts); the main thread is the run each hook client
      // waits for. 0, 1: the default daemon's main thread and all its threads; 2, 3: the --sched idle daemon's.
      const perPush = (i: 0 | 1 | 2 | 3) => ((cpuAfter[i] - cpuBefore[i]) / (2 * ROUNDS)).toFixed(2);
      await repo.close();
      const ms = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} ms`;
      /** Row i's push time minus row `minus`'s, round by round. */
      const differences = (i: number, minus: number) => (times[i] as number[]).map((t, r) => t - ((times[minus] as number[])[r] as number));
      /** The median over rounds of row i's push time minus row `minus`'s in the same round. */
      const paired = (i: number, minus: number) => median(differences(i, minus));
      // "Adds less than the sketch" only where the 95% interval of the round-by-round difference lies below zero: the
      // two rows sit within a few tenths of a millisecond of each other, and a lower median alone is a coin toss there.
      const beats = (i: number) => medianInterval(differences(i, 1));
      const [beatsBoth, beatsSingle, beatsIdleBoth, beatsIdleSingle] = [beats(4), beats(6), beats(8), beats(9)];
      const interval = (b: ReturnType<typeof beats>) => (b ? `95% interval ${ms(b.low)} to ${ms(b.high)}` : 'too few rounds for a 95% interval');
      const below = (b: ReturnType<typeof beats>) => b !== undefined && b.high < 0;
      const added = (i: number) => paired(i, 0);
      const noHook = median(times[0] as number[]);
      const [bash, node, cold, warm, floor, warmSingle, floorSingle, idleBothAdded, idleSingleAdded] = [added(1), added(2), added(3), added(4), added(5), added(6), added(7), added(8), added(9)];
      const note = `medians of ${ROUNDS} interleaved rounds; no hook ${noHook.toFixed(0)} ms; added: bash sketch ${ms(bash)}, empty Node hook ${ms(node)}, gate cold ${ms(cold)}, gate + daemon ${ms(warm)}, two empty sh hooks ${ms(floor)}: the daemon path adds ${ms(warm - floor)} over its hook layout; pre-receive only: gate + daemon ${ms(warmSingle)}, one empty sh hook ${ms(floorSingle)} (${ms(warmSingle - floorSingle)} over it), and round by round against the sketch ${ms(paired(6, 1))} (${interval(beatsSingle)}; both hooks ${ms(paired(4, 1))}, ${interval(beatsBoth)}); the daemon's CPU per decided push: ${perPush(0)} ms on its main thread, ${perPush(1)} ms on all its threads (its wait for the request, decision log, clean-up and GC included); under --sched idle: pre-receive only ${ms(idleSingleAdded)}, round by round against the sketch ${ms(paired(9, 1))} (${interval(beatsIdleSingle)}; both hooks ${ms(paired(8, 1))}, ${interval(beatsIdleBoth)}), its CPU per decided push ${perPush(2)} ms on its main thread (its wait for the request included), ${perPush(3)} ms on all its threads`;
      const over = 'the same push, no hook';
      return [
        { figure: 'push of 1 signed event, no hook (ms)', value: noHook, unit: 'ms', reference: over, referenceValue: noHook, ratio: 1 },
        { figure: 'push of 1 signed event, bash sketch (ms added over no hook)', value: bash, unit: 'ms', reference: over, referenceValue: noHook, ratio: bash / noHook },
        { figure: 'push of 1 signed event, empty Node hook (ms added over no hook)', value: node, unit: 'ms', reference: over, referenceValue: noHook, ratio: node / noHook },
        { figure: 'push of 1 signed event, gate cold (ms added over no hook)', value: cold, unit: 'ms', reference: 'ms the empty Node hook adds', referenceValue: node, ratio: cold / node, target: '<= 1.5x', met: cold / node <= 1.5 },
        { figure: 'push of 1 signed event, two empty sh hooks, pre-receive + update (ms added over no hook)', value: floor, unit: 'ms', reference: 'ms the bash sketch adds', referenceValue: bash, ratio: floor / bash },
        { figure: 'push of 1 signed event, gate with the daemon up (ms added over no hook)', value: warm, unit: 'ms', reference: 'ms the bash sketch adds', referenceValue: bash, ratio: warm / bash, target: '< 1x (paired, 95%)', met: below(beatsBoth), note },
        { figure: 'push of 1 signed event, one empty sh hook, pre-receive (ms added over no hook)', value: floorSingle, unit: 'ms', reference: 'ms the bash sketch adds', referenceValue: bash, ratio: floorSingle / bash },
        { figure: 'push of 1 signed event, gate installed --hooks pre-receive (gitolite, GitLab, Gitea), daemon up (ms added over no hook)', value: warmSingle, unit: 'ms', reference: 'ms the bash sketch adds', referenceValue: bash, ratio: warmSingle / bash, target: '< 1x (paired, 95%)', met: below(beatsSingle) },
        { figure: 'push of 1 signed event, gate with the daemon up under --sched idle (ms added over no hook)', value: idleBothAdded, unit: 'ms', reference: 'ms the bash sketch adds', referenceValue: bash, ratio: idleBothAdded / bash, target: '< 1x (paired, 95%)', met: below(beatsIdleBoth) },
        { figure: 'push of 1 signed event, gate installed --hooks pre-receive, daemon up under --sched idle (ms added over no hook)', value: idleSingleAdded, unit: 'ms', reference: 'ms the bash sketch adds', referenceValue: bash, ratio: idleSingleAdded / bash, target: '< 1x (paired, 95%)', met: below(beatsIdleSingle) },
      ];
    } finally {
      for (const d of [daemon, idleDaemon]) {
        if (!d || d.exitCode !== null) continue;
        await new Promise<void>((resolve) => {
          d.once('exit', () => resolve());
          d.kill('SIGTERM');
        });
      }
      rmSync(root, { recursive: true, force: true });
    }
  },
};
