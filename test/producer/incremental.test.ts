/**
 * Incremental checkpoints equal from-scratch checkpoints byte for byte:
 * random event streams over two journals (with ULIDs that interleave, so
 * late events happen), checkpointed at random resumption points, for an
 * order-insensitive YAML fold and an order-sensitive EchoLua fold. Every
 * checkpoint made on the way also passes fold verify. Real repositories.
 */
import fc from 'fast-check';
import { bytesEqual } from '../../src/core/bytes';
import { loadBundle } from '../../src/bundle';
import { computeCheckpoint, FOLD_STATE_FILE, makeCheckpoint, PROOF_FILE, readCheckpoint, readWindows, verifyCheckpoint } from '../../src/checkpoint';
import { appendEvents } from '../../src/events';
import { ulidOf } from '../fold/events';
import { FINANCE_LUA_FOLD as LUA_FOLD, FINANCE_YAML_FOLD as YAML_FOLD, FOLD_WORLD_T as T, foldWorld as world, must, worldAlice as alice, worldBob as bob } from '../helpers/fold-world';

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
