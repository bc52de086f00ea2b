/**
 * The bus's cost at the gate: a real `git push` of 10,000 messages onto one
 * shard of a topic, beside a push of 10,000 journal events in the same run
 * into the same repository, each against an identical copy of the
 * repository with no hook. The figure is messages (events) decided per
 * second of time the gate adds. A message is verified as an event is (the
 * same envelope, signature and trust checks) plus the bus rules: the
 * topic's config, placement, the (topic, ULID) lookup across shards and
 * the subscribers' lag (docs/bus.md, "Costs"). GATOS_BENCH_GATE_SCALE
 * (e.g. 0.1) shrinks the count.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reshard } from '../src/bus/client';
import { messageRef, publishCap } from '../src/gate/bus';
import { buildEventCommit } from '../src/events/commit';
import { encodeEnvelope } from '../src/events/envelope';
import { nextUlid } from '../src/canon/ulid';
import { openRepo } from '../src/git';
import { loadKey } from '../src/keys';
import { random80 } from '../src/workspace/clock';
import { ObjectBatch } from '../src/workspace/object-batch';
import type { BenchRow, BenchSuite } from './harness';
import { append, env, gatedServer, pushMs, sh, twin } from './gate.bench';

export const TOPIC = 'bench';
const JOURNAL = 'refs/gatos/journal/bench/user/alice';

/** `n` messages chained on shard 0, written in one pack; the local ref moved once. `keyOf`: the i-th message's key (the bench's own topics place them on shard 0). */
export async function messages(dir: string, e: NodeJS.ProcessEnv, keyDir: string, n: number, ts: number, keyOf: (i: number) => string = (i) => `k${i}`): Promise<void> {
  const key = loadKey(keyDir, 'user:alice');
  if (!key.ok) throw new Error(key.error.message);
  const o = await openRepo(path.join(dir, '.git'), { env: e });
  if (!o.ok) throw new Error(o.error.message);
  const repo = o.value;
  try {
    const active = sh('git', ['rev-parse', 'refs/gatos/policies/active'], dir, e).trim();
    const m = JSON.parse(sh('git', ['show', `${active}:manifest.json`], dir, e)) as { folds: Record<string, { fold_root: string }> };
    const foldRoot = Object.values(m.folds)[0]?.fold_root as string;
    const batch = new ObjectBatch(repo.format);
    let parent: string | undefined;
    let last: string | undefined;
    for (let i = 0; i < n; i++) {
      const ulid = nextUlid(ts * 1000, random80(), last);
      if (!ulid.ok) throw new Error(ulid.error.message);
      last = ulid.value;
      const enc = encodeEnvelope({ type: 'bus.message', ulid: ulid.value, actor: 'user:alice', ns: TOPIC, caps: [publishCap(TOPIC)], payload: { key: keyOf(i), map: 1, body: { i } }, policy_root: active, fold_root: foldRoot, sig_alg: 'ed25519', ts });
      if (!enc.ok) throw new Error(enc.error.message);
      const built = buildEventCommit(repo.format, enc.value, key.value, parent);
      if (!built.ok) throw new Error(built.error.message);
      batch.addAll(built.value.objects);
      parent = built.value.commit;
    }
    const w = await batch.write(repo);
    if (!w.ok) throw new Error(w.error.message);
    sh('git', ['update-ref', messageRef(TOPIC, 0), parent as string], dir, e);
  } finally {
    await repo.close();
  }
}

const RUNS = 3;

/** Time the gate adds to pushing `refs` from `client`, the median of RUNS pairs: into a fresh gated copy of `srv` and a hook-less one. */
function addedMs(root: string, srv: string, name: string, client: string, refs: string[], e: NodeJS.ProcessEnv): { added: number; runs: string } {
  const added: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const copy = path.join(root, `${name}-${i}-gated.git`);
    cpSync(srv, copy, { recursive: true });
    const p = twin(root, copy, `${name}-${i}`);
    const plain = pushMs(client, p.plain, refs, e);
    const gated = pushMs(client, p.gated, refs, e);
    rmSync(p.plain, { recursive: true, force: true });
    rmSync(p.gated, { recursive: true, force: true });
    added.push(gated - plain);
  }
  const sorted = [...added].sort((x, y) => x - y);
  return { added: sorted[Math.floor(RUNS / 2)] as number, runs: added.map((x) => x.toFixed(0)).join('/') };
}

export const busSuite: BenchSuite = {
  name: 'bus',
  async run(): Promise<BenchRow[]> {
    const scale = Number(process.env.GATOS_BENCH_GATE_SCALE ?? '1');
    const n = Math.max(10, Math.round(10_000 * scale));
    const root = mkdtempSync(path.join(os.tmpdir(), 'gatos-bench-bus-'));
    const keyDir = path.join(root, 'keys');
    const now = Math.floor(Date.now() / 1000);
    const e = env(keyDir);
    const srv = path.join(root, 'srv.git');
    try {
      gatedServer(root, srv, keyDir, now, `journal:append,${publishCap(TOPIC)}`);
      const client = path.join(root, 'client');
      sh('git', ['init', '-q', '-b', 'main', client], root, e);
      sh('git', ['fetch', '-q', srv, '+refs/gatos/*:refs/gatos/*'], client, e);
      // The topic: one shard, so every message goes to one ref (the worst case for a shard's chain).
      const o = await openRepo(path.join(client, '.git'), { env: e });
      if (!o.ok) throw new Error(o.error.message);
      const made = await reshard(o.value, { topic: TOPIC, shards: 1, actor: 'user:root', ts: now });
      await o.value.close();
      if (!made.ok) throw new Error(made.error.message);
      pushMs(client, srv, [`refs/gatos/mbus-config/${TOPIC}`], env(keyDir, { GATOS_ACTOR: 'user:root' }));
      const pe = env(keyDir, { GATOS_ACTOR: 'user:alice' });
      // One warm-up push each, so the hook's V8 code cache is warm as after any earlier push.
      await append(client, e, keyDir, 1, now);
      pushMs(client, srv, [JOURNAL], pe);
      await append(client, e, keyDir, n, now);
      await messages(client, e, keyDir, n, now);
      const ev = addedMs(root, srv, 'events', client, [JOURNAL], pe);
      const msg = addedMs(root, srv, 'messages', client, [messageRef(TOPIC, 0)], pe);
      const perS = (ms: number) => n / (ms / 1000);
      return [
        {
          figure: `messages verified per second, a push of ${n} messages on one shard`,
          value: perS(msg.added),
          unit: 'msg/s',
          reference: `events verified per second, a push of ${n} journal events (same run, same repository)`,
          referenceValue: perS(ev.added),
          ratio: perS(msg.added) / perS(ev.added),
          note: `ratio = message rate / event rate. Time the gate adds, median of ${RUNS}: messages ${msg.added.toFixed(0)} ms (${msg.runs}), events ${ev.added.toFixed(0)} ms (${ev.runs}). A message is checked as an event is, less the fold check (no fold reads the bus), plus the bus rules (config, placement, the (topic, ULID) scan of the other shards: none here)`,
        },
      ];
    } finally {
      if (!process.env.GATOS_KEEP_TMP) rmSync(root, { recursive: true, force: true });
    }
  },
};
