/**
 * Incremental checkpoints equal from-scratch checkpoints byte for byte:
 * random event streams over two journals (with ULIDs that interleave, so
 * late events happen), checkpointed at random resumption points, for an
 * order-insensitive YAML fold and an order-sensitive EchoLua fold. Every
 * checkpoint made on the way also passes fold verify. Real repositories.
 */
import fc from 'fast-check';
import { generateKeyPair } from '../../src/canon/ed25519';
import { canonicalJson } from '../../src/canon/jcs';
import { bytesEqual, utf8 } from '../../src/core/bytes';
import { buildBundle, loadBundle, publishBundle } from '../../src/bundle';
import { computeCheckpoint, FOLD_STATE_FILE, makeCheckpoint, PROOF_FILE, readCheckpoint, readWindows, verifyCheckpoint } from '../../src/checkpoint';
import { appendEvents } from '../../src/events';
import { openRepo, type GitRepo } from '../../src/git';
import type { ActorKey } from '../../src/keys';
import { addActor, emptyGraphJson, type JsonObject } from '../../src/trust';
import { ulidOf } from '../fold/events';
import { gitDirOf, initRepo } from '../helpers/git';

const T = 1767225600;

const YAML_FOLD = `version: 1
inputs: ["refs/gatos/journal/finance/**"]
reducers:
  - { name: latest, kind: map-join-lww, key: "$.payload.id" }
  - { name: total, kind: pn-counter, key: "$.type", value: "$.payload.amount" }
emit:
  - { path: state/latest.json, from: latest }
  - { path: state/total.json, from: total }
`;

// The log depends on the order events are folded in, so resuming must never reorder.
const LUA_FOLD = `inputs = { "refs/gatos/journal/finance/**" }
function init() return { log = "", n = 0 } end
function step(s, e)
  s.log = s.log .. e.type .. ":" .. e.payload.id .. ";"
  s.n = s.n + e.payload.amount
  return s
end
function emit(s) return { ["state/log.json"] = { log = s.log, n = s.n } } end
`;

function must<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

const alice: ActorKey = { actor: 'user:alice', ...generateKeyPair() };
const bob: ActorKey = { actor: 'user:bob', ...generateKeyPair() };

async function world(foldFile: string, foldSource: string): Promise<GitRepo> {
  const repo = must(await openRepo(gitDirOf(initRepo())));
  let g: JsonObject = must(addActor(emptyGraphJson(), { actor: alice.actor, publicKey: alice.publicKey, level: 3, groups: [], issuer: alice.actor, now: T }, alice));
  g = must(addActor(g, { actor: bob.actor, publicKey: bob.publicKey, level: 1, groups: [], issuer: alice.actor, now: T }, alice));
  const files = new Map<string, Uint8Array>([
    ['gatos/policies/p.rgs', utf8('rules:\n  - id: r\n    when: { intent: [write] }\n    allow_if: true\n')],
    [`gatos/folds/${foldFile}`, utf8(foldSource)],
    ['gatos/trust/graph.json', must(canonicalJson(g))],
  ]);
  const built = buildBundle(files);
  if (!built.ok) throw new Error(`${built.error.message} ${built.diagnostics.map((d) => d.message).join('; ')}`);
  must(await publishBundle(repo, built.bundle, { now: T }));
  return repo;
}

const streamArb = fc.array(
  fc.record({ who: fc.constantFrom(0, 1), t: fc.nat(10_000), type: fc.constantFrom('put', 'adjust'), id: fc.constantFrom('a', 'b', 'c'), amount: fc.integer({ min: -9, max: 9 }), cut: fc.boolean() }),
  { minLength: 1, maxLength: 24 },
);

describe.each([
  ['yaml', 'f.yaml', YAML_FOLD],
  ['echolua', 'f.lua', LUA_FOLD],
])('incremental == from scratch (%s fold)', (_kind, file, source) => {
  it('for random streams and resumption points', async () => {
    await fc.assert(
      fc.asyncProperty(streamArb, async (stream) => {
        const repo = await world(file, source);
        try {
          const active = must(await repo.readRef('refs/gatos/policies/active')) as string;
          const bundle = must(await loadBundle(repo, active));
          const foldRoot = bundle.manifest.folds[0]?.foldRoot as string;
          // Per journal, ULIDs rise in append order; across journals they interleave freely.
          const byWho = [0, 1].map((w) => stream.filter((e) => e.who === w).map((e) => e.t).sort((a, b) => a - b));
          const used = [0, 0];
          const made: string[] = [];
          for (const e of stream) {
            const key = e.who === 0 ? alice : bob;
            const n = (byWho[e.who] as number[])[used[e.who] as number] as number;
            used[e.who] = (used[e.who] as number) + 1;
            const ulid = ulidOf(n * 2 + e.who);
            const appended = await appendEvents({ repo, ns: 'finance', key, policyRoot: active, foldRoot, random: () => new Uint8Array(10) }, [{ type: e.type, payload: { id: e.id, amount: e.amount }, ts: T, ulid }]);
            if (!appended.ok && appended.error.code === 'DUP_COMMIT') continue;
            must(appended);
            if (e.cut) {
              const cp = must(await makeCheckpoint(repo, { ns: 'finance', key: alice, now: T }));
              if (cp.written) made.push(cp.commit);
            }
          }
          const last = must(await makeCheckpoint(repo, { ns: 'finance', key: alice, now: T }));
          if (last.written) made.push(last.commit);
          for (const c of made) must(await verifyCheckpoint(repo, c));
          const tip = must(await readCheckpoint(repo, last.commit));
          const runtime = must(bundle.fold('f')).runtime;
          const all = must(await readWindows(repo, tip.proof.window.map((w) => ({ ...w, start: null }))));
          const scratch = must(computeCheckpoint(runtime, null, null, all.events));
          if (scratch.stateRoot !== tip.proof.stateRoot) return false;
          if (!bytesEqual(scratch.savedState, tip.files.get(FOLD_STATE_FILE) as Uint8Array)) return false;
          const emitted = [...tip.files].filter(([p]) => p !== PROOF_FILE && p !== FOLD_STATE_FILE);
          if (emitted.length !== scratch.files.size) return false;
          return emitted.every(([p, b]) => bytesEqual(b, scratch.files.get(p) ?? new Uint8Array()));
        } finally {
          await repo.close();
        }
      }),
      { numRuns: 12 },
    );
  }, 120_000);
});
