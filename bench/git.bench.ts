/**
 * Reading 20,000 commits through the git adapter (rev-list streamed into the
 * one cat-file process, every commit parsed) against `git log` printing the
 * same fields and against raw `git cat-file --batch` fed every id, all on the
 * same repository, made once with `git fast-import` in a temporary directory.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openRepo } from '../src/git';
import type { BenchRow, BenchSuite } from './harness';

const COUNT = 20000;

function benchEnv(gitDir?: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: os.tmpdir(),
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    ...(gitDir ? { GIT_DIR: gitDir } : {}),
  };
}

/** One linear history of COUNT commits, each changing one of 100 files. */
function fastImportScript(): string {
  const out: string[] = [];
  for (let i = 1; i <= COUNT; i++) {
    const msg = `change ${i}\n\nA body line for change ${i}.\n`;
    const who = `Bench <bench@example.test> ${1600000000 + i * 60} +0000`;
    out.push(`commit refs/heads/main\nmark :${i}\nauthor ${who}\ncommitter ${who}\ndata ${msg.length}\n${msg}`);
    if (i > 1) out.push(`from :${i - 1}\n`);
    out.push(`M 100644 inline f${i % 100}\ndata ${String(i).length + 1}\n${i}\n\n`);
  }
  return out.join('');
}

function makeRepo(): string {
  const gitDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'gatos-bench-git-')), 'repo.git');
  const init = spawnSync('git', ['init', '-q', '--bare', gitDir], { env: benchEnv() });
  if (init.status !== 0) throw new Error(`git init: ${init.stderr}`);
  const imp = spawnSync('git', ['fast-import', '--quiet'], { env: benchEnv(gitDir), input: fastImportScript(), maxBuffer: 1 << 30 });
  if (imp.status !== 0) throw new Error(`git fast-import: ${imp.stderr}`);
  return gitDir;
}

/** Runs git to the end, feeding `input`, and returns how many bytes it printed (the output is only counted). */
function drain(gitDir: string, args: string[], input = ''): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { env: benchEnv(gitDir), stdio: ['pipe', 'pipe', 'inherit'] });
    let bytes = 0;
    child.stdout.on('data', (b: Buffer) => (bytes += b.length));
    child.on('error', reject);
    child.on('close', (status) => (status === 0 ? resolve(bytes) : reject(new Error(`git ${args.join(' ')} exited ${status}`))));
    child.stdin.end(input);
  });
}

export const gitSuite: BenchSuite = {
  name: 'git',
  async run(): Promise<BenchRow[]> {
    const gitDir = makeRepo();
    try {
      const env = benchEnv();
      const ids = spawnSync('git', ['rev-list', 'refs/heads/main'], { env: benchEnv(gitDir), encoding: 'utf8', maxBuffer: 1 << 30 }).stdout;
      const idList = ids.trim().split('\n');
      if (idList.length !== COUNT) throw new Error(`expected ${COUNT} commits, found ${idList.length}`);

      // The adapter, as the gate uses it: a fresh repository view, a streamed walk, every commit parsed.
      const walk = async () => {
        const repo = await openRepo(gitDir, { env });
        if (!repo.ok) throw new Error(repo.error.message);
        let n = 0;
        for await (const c of repo.value.walkCommits({ include: ['refs/heads/main'] })) {
          if (!c.ok) throw new Error(c.error.message);
          n += c.value.parents.length >= 0 ? 1 : 0;
        }
        await repo.value.close();
        if (n !== COUNT) throw new Error(`walked ${n} commits`);
      };
      // The adapter reading ids it already has (no rev-list): the cat-file protocol and parsing alone.
      const readKnown = async () => {
        const repo = await openRepo(gitDir, { env });
        if (!repo.ok) throw new Error(repo.error.message);
        // Each commit is checked and dropped as it arrives, as a gate would; none is kept.
        let failed = 0;
        await Promise.all(idList.map((id) => repo.value.readCommit(id).then((c) => void (failed += c.ok ? 0 : 1))));
        await repo.value.close();
        if (failed > 0) throw new Error(`${failed} reads failed`);
      };
      const log = () => drain(gitDir, ['log', '--format=%H%x00%T%x00%P%x00%an%x00%ae%x00%at%x00%cn%x00%ce%x00%ct%x00%B%x00', 'refs/heads/main']);
      const catFile = () => drain(gitDir, ['cat-file', '--batch'], ids);
      // The same walk and reads in git alone: rev-list's output piped straight into cat-file.
      const pipeline = () =>
        new Promise<number>((resolve, reject) => {
          const revs = spawn('git', ['rev-list', 'refs/heads/main'], { env: benchEnv(gitDir), stdio: ['ignore', 'pipe', 'inherit'] });
          const cat = spawn('git', ['cat-file', '--batch'], { env: benchEnv(gitDir), stdio: ['pipe', 'pipe', 'inherit'] });
          revs.stdout.pipe(cat.stdin);
          let bytes = 0;
          cat.stdout.on('data', (b: Buffer) => (bytes += b.length));
          cat.on('error', reject);
          cat.on('close', (status) => (status === 0 ? resolve(bytes) : reject(new Error(`cat-file exited ${status}`))));
        });

      // Runs interleave (ours, then each reference, round after round) so a change in the
      // machine's load during the suite falls on every figure alike; medians of 7 rounds.
      const fns = { walk, readKnown, log, catFile, pipeline };
      const samples: Record<keyof typeof fns, number[]> = { walk: [], readKnown: [], log: [], catFile: [], pipeline: [] };
      for (let round = 0; round < 8; round++) {
        for (const [name, fn] of Object.entries(fns) as [keyof typeof fns, () => Promise<unknown>][]) {
          const t0 = process.hrtime.bigint();
          await fn();
          if (round > 0) samples[name].push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      }
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
      const [ours, known, logMs, catMs, pipeMs] = [samples.walk, samples.readKnown, samples.log, samples.catFile, samples.pipeline].map(median) as [number, number, number, number, number];
      const perSec = (ms: number) => COUNT / (ms / 1000);
      const row = (figure: string, mine: number, reference: string, theirs: number, target?: number): BenchRow => ({
        figure,
        value: perSec(mine),
        unit: 'commits/s',
        reference,
        referenceValue: perSec(theirs),
        ratio: mine / theirs,
        ...(target ? { target: `<= ${target}x the time`, met: mine / theirs <= target } : {}),
        note: `ratio = our time / reference time (${mine.toFixed(0)} ms vs ${theirs.toFixed(0)} ms; lower is better)`,
      });
      return [
        row('walk+read+parse 20,000 commits (adapter)', ours, 'git rev-list | git cat-file --batch', pipeMs, 2),
        row('walk+read+parse 20,000 commits (adapter) ', ours, 'git log --format (same fields)', logMs),
        row('read+parse 20,000 known ids (adapter)', known, 'raw git cat-file --batch, all ids piped', catMs, 2),
      ];
    } finally {
      rmSync(path.dirname(gitDir), { recursive: true, force: true });
    }
  },
};
