/**
 * The producer's costs. (1) Appending 10,000 signed events to a journal in
 * one call (envelopes built and signed, objects packed, one ref update),
 * against `git fast-import` writing 10,000 commits of the same shape (git's
 * own fastest write path). (2) A checkpoint after 1,000 new events on a
 * 100,000-event journal, incrementally from the previous checkpoint, against
 * refolding all 101,000 events from scratch: the incremental one must cost
 * about the 1,000, not the 100,000. The big journal is written with
 * `git fast-import` from real signed envelopes.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPair } from '../src/canon/ed25519';
import { canonicalJson } from '../src/canon/jcs';
import { utf8 } from '../src/core/bytes';
import { actorIdentity } from '../src/actors';
import { buildBundle, loadBundle, publishBundle } from '../src/bundle';
import { makeCheckpoint } from '../src/checkpoint';
import { appendEvents, encodeEnvelope, eventMessage, nextUlid } from '../src/events';
import { signFast } from '../src/keys/signer';
import { openRepo, type GitRepo } from '../src/git';
import type { ActorKey } from '../src/keys';
import { formatIdentity } from '../src/git';
import { addActor, emptyGraphJson } from '../src/trust';
import type { BenchRow, BenchSuite } from './harness';

const T = 1767225600;
const APPEND = 10_000;
const BIG = 100_000;
const NEW = 1_000;

const FOLD = `version: 1
inputs: ["refs/gatos/journal/bench/**"]
reducers:
  - { name: latest, kind: map-join-lww, key: "$.payload.id" }
  - { name: total, kind: pn-counter, key: "$.type", value: "$.payload.amount" }
emit:
  - { path: state/latest.json, from: latest }
  - { path: state/total.json, from: total }
`;

function env(gitDir?: string): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.tmpdir(), LC_ALL: 'C', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...(gitDir ? { GIT_DIR: gitDir } : {}) };
}

function must<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

interface World {
  readonly dir: string;
  readonly gitDir: string;
  readonly repo: GitRepo;
  readonly key: ActorKey;
  readonly policyRoot: string;
  readonly foldRoot: string;
}

async function world(): Promise<World> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatos-bench-producer-'));
  const gitDir = path.join(dir, 'repo.git');
  spawnSync('git', ['init', '-q', '--bare', gitDir], { env: env() });
  const repo = must(await openRepo(gitDir, { env: env() }));
  const key: ActorKey = { actor: 'user:bench', ...generateKeyPair() };
  const graph = must(addActor(emptyGraphJson(), { actor: key.actor, publicKey: key.publicKey, level: 3, groups: [], issuer: key.actor, now: T }, key));
  const built = buildBundle(new Map([
    ['gatos/policies/p.rgs', utf8('rules:\n  - id: r\n    when: { intent: [write] }\n    allow_if: true\n')],
    ['gatos/folds/bench.yaml', utf8(FOLD)],
    ['gatos/trust/graph.json', must(canonicalJson(graph))],
  ]));
  if (!built.ok) throw new Error(built.error.message);
  const pub = must(await publishBundle(repo, built.bundle, { now: T }));
  const bundle = must(await loadBundle(repo, pub.commit));
  return { dir, gitDir, repo, key, policyRoot: pub.commit, foldRoot: bundle.manifest.folds[0]?.foldRoot as string };
}

const payload = (i: number) => ({ id: `item-${i % 5000}`, amount: (i % 17) - 8 });

/** A fast-import stream of `count` signed event commits on the bench journal, as gatos writes them. */
function journalScript(w: World, count: number, ref: string): string {
  const out: string[] = [];
  let last: string | undefined;
  const random = new Uint8Array(10);
  for (let i = 1; i <= count; i++) {
    const ts = T + Math.floor(i / 100);
    const ulid = must(nextUlid(ts * 1000, random, last));
    last = ulid;
    const enc = must(encodeEnvelope({ type: i % 3 ? 'item.put' : 'item.adjust', ulid, actor: w.key.actor, ns: 'bench', caps: [], payload: payload(i), policy_root: w.policyRoot, fold_root: w.foldRoot, sig_alg: 'ed25519', ts }));
    const msg = must(eventMessage(enc, signFast(w.key, enc.bytes), w.key.publicKey));
    const who = formatIdentity(actorIdentity(w.key.actor, ts));
    const body = Buffer.from(enc.bytes);
    out.push(`commit ${ref}\nmark :${i}\nauthor ${who}\ncommitter ${who}\ndata ${Buffer.byteLength(msg)}\n${msg}`);
    if (i > 1) out.push(`from :${i - 1}\n`);
    out.push(`M 100644 inline event.cbor\ndata ${body.length}\n${body.toString('latin1')}\n`);
  }
  return out.join('');
}

function fastImport(gitDir: string, script: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('git', ['fast-import', '--quiet'], { env: env(gitDir), input: Buffer.from(script, 'latin1'), maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git fast-import: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = process.hrtime.bigint();
  const v = await fn();
  return [Number(process.hrtime.bigint() - t0) / 1e6, v];
}

export const producerSuite: BenchSuite = {
  name: 'producer',
  async run(): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    // (1) appending
    const a = await world();
    try {
      const specs = Array.from({ length: APPEND }, (_, i) => ({ type: 'item.put', payload: payload(i), ts: T }));
      const [ms] = await timed(async () => must(await appendEvents({ repo: a.repo, ns: 'bench', key: a.key, policyRoot: a.policyRoot, foldRoot: a.foldRoot, random: () => new Uint8Array(10) }, specs)));
      const refMs = fastImport(a.gitDir, journalScript(a, APPEND, 'refs/heads/reference'));
      const rate = APPEND / (ms / 1000);
      const refRate = APPEND / (refMs / 1000);
      rows.push({ figure: `append ${APPEND.toLocaleString('en')} signed events (one call: build, sign, pack, one ref update)`, value: rate, unit: 'events/s', reference: 'git fast-import of the same commits (signing done beforehand)', referenceValue: refRate, ratio: rate / refRate, note: 'ratio = our rate / fast-import rate' });
    } finally {
      await a.repo.close();
      rmSync(a.dir, { recursive: true, force: true });
    }
    // (2) checkpointing
    const w = await world();
    try {
      const ref = 'refs/gatos/journal/bench/user/bench';
      fastImport(w.gitDir, journalScript(w, BIG, ref));
      must(await makeCheckpoint(w.repo, { ns: 'bench', key: w.key, now: T }));
      const specs = Array.from({ length: NEW }, (_, i) => ({ type: 'item.put', payload: payload(BIG + i), ts: T + 5000 }));
      must(await appendEvents({ repo: w.repo, ns: 'bench', key: w.key, policyRoot: w.policyRoot, foldRoot: w.foldRoot, random: () => new Uint8Array(10) }, specs));
      const [incMs, inc] = await timed(async () => must(await makeCheckpoint(w.repo, { ns: 'bench', key: w.key, now: T + 6000 })));
      if (inc.proof.base !== 'resume' || inc.proof.events !== NEW) throw new Error(`expected an incremental checkpoint of ${NEW} events, got ${inc.proof.base} of ${inc.proof.events}`);
      const [fullMs, full] = await timed(async () => must(await makeCheckpoint(w.repo, { ns: 'bench', key: w.key, now: T + 7000, scratch: true })));
      if (full.proof.stateRoot !== inc.proof.stateRoot) throw new Error('incremental and from-scratch state roots differ');
      rows.push({
        figure: `checkpoint after ${NEW.toLocaleString('en')} new events on a ${BIG.toLocaleString('en')}-event journal (incremental)`,
        value: incMs,
        unit: 'ms',
        reference: `the same checkpoint from scratch (${(BIG + NEW).toLocaleString('en')} events)`,
        referenceValue: fullMs,
        ratio: incMs / fullMs,
        target: `about ${NEW}/${BIG + NEW} of from scratch, well under 0.1x`,
        met: incMs / fullMs < 0.1,
        note: 'same state_root both ways; the incremental cost is the window plus the size of the state (5,000 keys here: load, emit, save), not the length of the journal',
      });
    } finally {
      await w.repo.close();
      rmSync(w.dir, { recursive: true, force: true });
    }
    return rows;
  },
};
