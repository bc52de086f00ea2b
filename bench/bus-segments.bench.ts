/**
 * What a segment summary buys the exactly-once scan (decision 0036): a
 * topic of two shards, `n` messages accepted on shard 0, then a replay of
 * shard 0's first message pushed onto shard 1. Without a summary the gate
 * reads shard 0 back to that message's ULID (all `n` commits); with shard 0
 * rotated it stops at the summary (one commit and one envelope). Both
 * pushes are refused (DUP_COMMIT); the figure is each refusal's wall time,
 * median of three. Beside it, the rotation's own cost: the push of the
 * summary, whose window the gate rebuilds (`n` envelopes read, hashed).
 * Then retention (decision 0039): the topic's config lets shard 0 be
 * pruned, `gatos bus prune`'s library call writes the prune root and the
 * archive ref, and their push is timed beside the rotation's (the gate
 * reads the summary chain, one segment, never the `n` messages); the
 * replay is refused again after the prune (the scan stops at the prune root).
 * GATOS_BENCH_GATE_SCALE (e.g. 0.2) shrinks `n` from 10,000.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { reshard, rotate } from '../src/bus/client';
import { prune } from '../src/bus/prune';
import { messageRef, publishCap, shardOf } from '../src/gate/bus';
import { pruneCap } from '../src/gate/bus-prune';
import { buildEventCommit } from '../src/events/commit';
import { readEnvelopeAt } from '../src/events/read';
import { loadKey } from '../src/keys';
import { random80 } from '../src/workspace/clock';
import { ObjectBatch } from '../src/workspace/object-batch';
import type { BenchRow, BenchSuite } from './harness';
import { env, gatedServer, pushMs, sh, withRepo } from './gate.bench';
import { TOPIC, messages } from './bus.bench';

const RUNS = 3;

/** Wall time of a push that the gate must refuse, median of RUNS. */
function refusedMs(client: string, url: string, refs: string[], e: NodeJS.ProcessEnv): { ms: number; runs: string } {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('git', ['push', '-q', url, ...refs], { cwd: client, env: e, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.status === 0 || !r.stderr.includes('DUP_COMMIT')) throw new Error(`the replay was not refused DUP_COMMIT by ${url}:\n${r.stderr}`);
  }
  const sorted = [...times].sort((x, y) => x - y);
  return { ms: sorted[Math.floor(RUNS / 2)] as number, runs: times.map((x) => x.toFixed(0)).join('/') };
}

export const busSegmentsSuite: BenchSuite = {
  name: 'bus-segments',
  // A minute or more (two 5,000- and 10,000-message windows): run it by name.
  byNameOnly: true,
  async run(): Promise<BenchRow[]> {
    const scale = Number(process.env.GATOS_BENCH_GATE_SCALE ?? '1');
    const n = Math.max(10, Math.round(10_000 * scale));
    const root = mkdtempSync(path.join(os.tmpdir(), 'gatos-bench-seg-'));
    const keyDir = path.join(root, 'keys');
    const now = Math.floor(Date.now() / 1000);
    const e = env(keyDir);
    const srv = path.join(root, 'srv.git');
    try {
      gatedServer(root, srv, keyDir, now, `${publishCap(TOPIC)},${pruneCap(TOPIC)}`);
      const client = path.join(root, 'client');
      sh('git', ['init', '-q', '-b', 'main', client], root, e);
      sh('git', ['fetch', '-q', srv, '+refs/gatos/*:refs/gatos/*'], client, e);
      const made = await withRepo(client, e, (repo) => reshard(repo, { topic: TOPIC, shards: 2, segmentMessages: n, actor: 'user:root', ts: now }));
      if (!made.ok) throw new Error(made.error.message);
      pushMs(client, srv, [`refs/gatos/mbus-config/${TOPIC}`], env(keyDir, { GATOS_ACTOR: 'user:root' }));
      const pe = env(keyDir, { GATOS_ACTOR: 'user:alice' });
      const keys = Array.from({ length: 4 * n }, (_, i) => `k${i}`).filter((k) => shardOf(k, 2) === 0);
      await messages(client, e, keyDir, n, now, (i) => keys[i] as string);
      pushMs(client, srv, [messageRef(TOPIC, 0)], pe);
      const plainCopy = path.join(root, 'unsealed.git');
      cpSync(srv, plainCopy, { recursive: true });
      // Shard 0 rotated: the summary pushed to the server (the rotation's cost), the other copy keeps it unsealed.
      const key = loadKey(keyDir, 'user:alice');
      if (!key.ok) throw new Error(key.error.message);
      const rot = await withRepo(client, e, (repo) => rotate(repo, TOPIC, key.value, { shard: 0, ts: now, random: random80 }));
      if (!rot.ok) throw new Error(rot.error.message);
      const rotation = pushMs(client, srv, [messageRef(TOPIC, 0)], pe);
      // The replay: shard 0's first message, signed bytes unchanged, appended on shard 1.
      const first = sh('git', ['rev-list', '--max-parents=0', messageRef(TOPIC, 0)], client, e).trim();
      await withRepo(client, e, async (repo) => {
        const env1 = await readEnvelopeAt(repo, first);
        if (!env1.ok) throw new Error(env1.error.message);
        const built = buildEventCommit(repo.format, env1.value, key.value, undefined);
        if (!built.ok) throw new Error(built.error.message);
        const batch = new ObjectBatch(repo.format);
        batch.addAll(built.value.objects);
        const w = await batch.write(repo);
        if (!w.ok) throw new Error(w.error.message);
        sh('git', ['update-ref', messageRef(TOPIC, 1), built.value.commit], client, e);
      });
      const unsealed = refusedMs(client, plainCopy, [messageRef(TOPIC, 1)], pe);
      const sealed = refusedMs(client, srv, [messageRef(TOPIC, 1)], pe);
      // Retention: the config allows a prune at one sealed segment (its own push), then shard 0 is pruned.
      const kept = await withRepo(client, e, (repo) => reshard(repo, { topic: TOPIC, pruneSegments: 1, actor: 'user:root', ts: now }));
      if (!kept.ok) throw new Error(kept.error.message);
      pushMs(client, srv, [`refs/gatos/mbus-config/${TOPIC}`], env(keyDir, { GATOS_ACTOR: 'user:root' }));
      const p = await withRepo(client, e, (repo) => prune(repo, TOPIC, key.value, { shard: 0, ts: now, random: random80 }));
      if (!p.ok) throw new Error(p.error.message);
      const pruning = pushMs(client, srv, [...p.value.push], pe);
      const afterPrune = refusedMs(client, srv, [messageRef(TOPIC, 1)], pe);
      return [
        {
          figure: `a replay refused across shards, the other shard's ${n} messages sealed by a summary (ms)`,
          value: sealed.ms,
          unit: 'ms',
          reference: `the same replay, those ${n} messages unsealed (the scan reads them all)`,
          referenceValue: unsealed.ms,
          ratio: sealed.ms / unsealed.ms,
          note: `wall time of the refused push, median of ${RUNS}: sealed ${sealed.runs} ms, unsealed ${unsealed.runs} ms. The rotation itself (the summary's push, its window of ${n} messages rebuilt by the gate): ${rotation.toFixed(0)} ms`,
        },
        {
          figure: `the prune's push: shard 0's ${n} messages (one sealed segment) dropped from its live ref, archived (ms)`,
          value: pruning,
          unit: 'ms',
          reference: `the rotation's push that sealed them (its window of ${n} messages rebuilt)`,
          referenceValue: rotation,
          ratio: pruning / rotation,
          note: `one run each. After the prune the same replay is still refused DUP_COMMIT (the scan stops at the prune root): ${afterPrune.ms.toFixed(0)} ms, median of ${RUNS} (${afterPrune.runs})`,
        },
      ];
    } finally {
      if (!process.env.GATOS_KEEP_TMP) rmSync(root, { recursive: true, force: true });
    }
  },
};
