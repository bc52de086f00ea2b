/**
 * Trailer parsing on the gate's hot path: every pushed checkpoint's message
 * is parsed. Figures: our git-exact parse against git itself reading and
 * parsing the same messages (`git log --format=%(trailers:only,unfold)`),
 * and the typed checkpoint read against the raw parse it builds on.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { blake3, formatDigest, sha256 } from '../src/canon/digest';
import { utf8 } from '../src/core/bytes';
import { FOLD_ENGINE } from '../src/fold/engine-id';
import { parseCheckpointTrailers, parseTrailers } from '../src/trailers';
import { timeMs, type BenchSuite } from './harness';

const COUNT = 20_000;

function messages(): string[] {
  const out: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const oid = Buffer.from(sha256(utf8(`head ${i}`)).subarray(0, 20)).toString('hex');
    out.push(
      [
        `checkpoint ${i}: finance`,
        '',
        `Folded events up to #${i}; a body line: with a colon.`,
        '',
        `State-Root: ${formatDigest({ alg: 'blake3', bytes: blake3(utf8(`state ${i}`)) })}`,
        `Ledger-Head: ${oid}`,
        `Policy-Root: ${oid}`,
        `Fold-Root: ${formatDigest({ alg: 'sha256', bytes: sha256(utf8('fold')) })}`,
        `Fold-Engine: ${FOLD_ENGINE}`,
        'Fold-Math: fixed-q32.32',
        '',
      ].join('\n'),
    );
  }
  return out;
}

/** A repository whose COUNT commits carry `msgs`, written in one fast-import. */
function repoWith(msgs: readonly string[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatos-bench-trailers-'));
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  spawnSync('git', ['init', '-q', dir], { env });
  const parts: string[] = [];
  msgs.forEach((m, i) => {
    const data = Buffer.byteLength(m, 'utf8');
    parts.push(`commit refs/heads/main\nmark :${i + 1}\ncommitter B <b@example.com> ${1700000000 + i} +0000\ndata ${data}\n${m}\n`);
    if (i > 0) parts.push(`from :${i}\n`);
  });
  const r = spawnSync('git', ['fast-import', '--quiet'], { cwd: dir, env, input: parts.join('') });
  if (r.status !== 0) throw new Error(`fast-import failed: ${String(r.stderr)}`);
  return dir;
}

export const trailersSuite: BenchSuite = {
  name: 'trailers',
  async run() {
    const msgs = messages();
    const repo = repoWith(msgs);
    try {
      let sink = 0;
      const ours = await timeMs(() => {
        for (const m of msgs) sink += parseTrailers(m).length;
      }, 5);
      const gitLog = await timeMs(() => {
        const r = spawnSync('git', ['log', '--format=%(trailers:only,unfold)', 'main'], { cwd: repo, maxBuffer: 1 << 30 });
        sink += r.stdout.length;
      }, 5);
      const typed = await timeMs(() => {
        for (const m of msgs) sink += parseCheckpointTrailers(m, 'sha1').ok ? 1 : 0;
      }, 5);
      if (sink === 0) throw new Error('nothing parsed');
      const perSec = (ms: number) => COUNT / (ms / 1000);
      return [
        {
          figure: `parseTrailers, ${COUNT.toLocaleString('en-US')} checkpoint messages`,
          value: perSec(ours),
          unit: 'msg/s',
          reference: 'git log %(trailers:only,unfold) over the same commits',
          referenceValue: perSec(gitLog),
          ratio: gitLog / ours,
          note: 'ratio = git time / our time; git also reads the commit objects, so this bounds our parse cost against the whole of git\'s',
        },
        {
          figure: `parseCheckpointTrailers (typed, strict), ${COUNT.toLocaleString('en-US')} messages`,
          value: perSec(typed),
          unit: 'msg/s',
          reference: 'parseTrailers alone',
          referenceValue: perSec(ours),
          ratio: typed / ours,
          note: 'ratio = typed time / raw parse time: the cost of checking every value',
        },
      ];
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  },
};
