/**
 * A repository with a published bundle holding one fold over the finance
 * journals, and two trusted actors (alice, bob) to write events: the world of
 * the producer's property tests (incremental == scratch, one state per heads).
 */
import { generateKeyPair } from '../../src/canon/ed25519';
import { canonicalJson } from '../../src/canon/jcs';
import { utf8 } from '../../src/core/bytes';
import { buildBundle, publishBundle } from '../../src/bundle';
import { openRepo, type GitRepo } from '../../src/git';
import type { ActorKey } from '../../src/keys';
import { addActor, emptyGraphJson, type JsonObject } from '../../src/trust';
import { gitDirOf, initRepo } from './git';

/** The time everything in these worlds happens at. */
export const FOLD_WORLD_T = 1767225600;

/** Order-insensitive: lattice reducers. */
export const FINANCE_YAML_FOLD = `version: 1
inputs: ["refs/gatos/journal/finance/**"]
reducers:
  - { name: latest, kind: map-join-lww, key: "$.payload.id" }
  - { name: total, kind: pn-counter, key: "$.type", value: "$.payload.amount" }
emit:
  - { path: state/latest.json, from: latest }
  - { path: state/total.json, from: total }
`;

/** Order-sensitive: the log depends on the order events are folded in, so resuming must never reorder. */
export const FINANCE_LUA_FOLD = `inputs = { "refs/gatos/journal/finance/**" }
function init() return { log = "", n = 0 } end
function step(s, e)
  s.log = s.log .. e.type .. ":" .. e.payload.id .. ";"
  s.n = s.n + e.payload.amount
  return s
end
function emit(s) return { ["state/log.json"] = { log = s.log, n = s.n } } end
`;

export function must<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

export const worldAlice: ActorKey = { actor: 'user:alice', ...generateKeyPair() };
export const worldBob: ActorKey = { actor: 'user:bob', ...generateKeyPair() };

/** A fresh repository whose active bundle holds `gatos/folds/<foldFile>` and trusts alice (level 3) and bob (level 1). */
export async function foldWorld(foldFile: string, foldSource: string): Promise<GitRepo> {
  const T = FOLD_WORLD_T;
  const repo = must(await openRepo(gitDirOf(initRepo())));
  let g: JsonObject = must(addActor(emptyGraphJson(), { actor: worldAlice.actor, publicKey: worldAlice.publicKey, level: 3, groups: [], issuer: worldAlice.actor, now: T }, worldAlice));
  g = must(addActor(g, { actor: worldBob.actor, publicKey: worldBob.publicKey, level: 1, groups: [], issuer: worldAlice.actor, now: T }, worldAlice));
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
