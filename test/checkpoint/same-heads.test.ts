/**
 * For the same journal heads the verifier accepts exactly one state.
 * Random event streams over two journals (ULIDs interleaving, so late events
 * happen) are checkpointed by a mix of producers: the honest one (resuming
 * or from scratch) and forgers built from its own pieces that skip one of
 * its rules (resuming past late events, dropping or rewinding a journal,
 * folding lagging heads). Every checkpoint the verifier accepts, with the
 * repository's journals as the gate hands them over, moves the state ref;
 * each accepted state must equal the from-scratch fold of its window heads,
 * so any two accepted checkpoints over the same heads share one State-Root;
 * and each names every journal and forgets none its parent folded.
 * Real repositories, an order-sensitive EchoLua fold and a YAML fold.
 */
import fc from 'fast-check';
import { loadBundle } from '../../src/bundle';
import { computeCheckpoint, journalHeads, makeCheckpoint, readCheckpoint, readWindows, verifyCheckpoint } from '../../src/checkpoint';
import { appendEvents } from '../../src/events';
import type { GitRepo } from '../../src/git';
import { ulidOf } from '../fold/events';
import { FINANCE_LUA_FOLD as LUA_FOLD, FINANCE_YAML_FOLD as YAML_FOLD, FOLD_WORLD_T as T, foldWorld as world, must, worldAlice as alice, worldBob as bob } from '../helpers/fold-world';
import { forgeCheckpointIn } from '../adversarial/checkpoint-forge';

const NS = 'finance';
const STATE = `refs/gatos/state/${NS}`;

/** What produces the next checkpoint: the honest producer, or a forger skipping one of its rules. */
type Producer = 'honest' | 'honest-scratch' | 'resume-unchecked' | 'drop-journal' | 'rewind-journal' | 'lagging-resume' | 'lagging-scratch';
const PRODUCERS: readonly Producer[] = ['honest', 'honest-scratch', 'resume-unchecked', 'drop-journal', 'rewind-journal', 'lagging-resume', 'lagging-scratch'];

const streamArb = fc.array(
  fc.record({
    who: fc.constantFrom(0, 1),
    t: fc.nat(10_000),
    type: fc.constantFrom('put', 'adjust'),
    id: fc.constantFrom('a', 'b', 'c'),
    amount: fc.integer({ min: -9, max: 9 }),
    cut: fc.option(fc.constantFrom(...PRODUCERS), { nil: undefined }),
    pick: fc.nat(7),
  }),
  { minLength: 2, maxLength: 16 },
);

async function parentOf(repo: GitRepo, id: string): Promise<string | undefined> {
  const c = must(await repo.readCommit(id));
  return c.parents[0];
}

describe.each([
  ['echolua', 'f.lua', LUA_FOLD],
  ['yaml', 'f.yaml', YAML_FOLD],
])('accepted checkpoints over the same heads share one state (%s fold)', (_kind, file, source) => {
  it('whatever mix of honest producers and forgers makes them', async () => {
    let refused = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(streamArb, async (stream) => {
        const repo = await world(file, source);
        try {
          const active = must(await repo.readRef('refs/gatos/policies/active')) as string;
          const bundle = must(await loadBundle(repo, active));
          const entry = bundle.manifest.folds[0];
          if (!entry) throw new Error('no fold');
          const runtime = must(bundle.fold(entry.id)).runtime;
          const byWho = [0, 1].map((w) => stream.filter((e) => e.who === w).map((e) => e.t).sort((a, b) => a - b));
          const used = [0, 0];
          const stateBy = new Map<string, string>();
          const produce = async (how: Producer, pick: number): Promise<string | undefined> => {
            const tip = must(await repo.readRef(STATE));
            if (how === 'honest' || how === 'honest-scratch') {
              const r = must(await makeCheckpoint(repo, { ns: NS, key: alice, now: T, scratch: how === 'honest-scratch' }));
              return r.written ? r.commit : undefined;
            }
            // Forgers write the commit without moving the ref; the ref moves only if the verifier accepts it.
            const older = async (h: Map<string, string>): Promise<Map<string, string>> => {
              const out = new Map(h);
              const js = [...h.keys()].sort();
              const j = js[pick % js.length] as string;
              const p = await parentOf(repo, h.get(j) as string);
              if (p) out.set(j, p);
              return out;
            };
            const heads = must(await journalHeads(repo, entry.inputs));
            let forgedHeads: Map<string, string>;
            if (how === 'drop-journal') {
              forgedHeads = new Map(heads);
              const js = [...heads.keys()].sort();
              forgedHeads.delete(js[pick % js.length] as string);
              if (forgedHeads.size === 0) return undefined;
            } else if (how === 'rewind-journal' || how === 'lagging-resume' || how === 'lagging-scratch') {
              forgedHeads = await older(heads);
            } else {
              forgedHeads = heads;
            }
            const base = how === 'resume-unchecked' || how === 'lagging-resume' ? 'resume' : 'scratch';
            if (base === 'resume' && !tip) return undefined;
            return forgeCheckpointIn(repo, { ns: NS, fold: entry.id, key: alice, now: T, base, heads: () => forgedHeads });
          };
          for (const e of stream) {
            const key = e.who === 0 ? alice : bob;
            const n = (byWho[e.who] as number[])[used[e.who] as number] as number;
            used[e.who] = (used[e.who] as number) + 1;
            const appended = await appendEvents({ repo, ns: NS, key, policyRoot: active, foldRoot: entry.foldRoot, random: () => new Uint8Array(10) }, [{ type: e.type, payload: { id: e.id, amount: e.amount }, ts: T, ulid: ulidOf(n * 2 + e.who) }]);
            if (!appended.ok && appended.error.code === 'DUP_COMMIT') continue;
            must(appended);
            if (!e.cut) continue;
            const tip = must(await repo.readRef(STATE));
            const made = await produce(e.cut, e.pick);
            if (!made) continue;
            // The gate's view: the repository's journals as they stand.
            const journals = must(await journalHeads(repo, ['refs/gatos/journal/**']));
            const v = await verifyCheckpoint(repo, made, { journals });
            if (e.cut === 'honest' || e.cut === 'honest-scratch') {
              // The honest producer's checkpoints always verify.
              if (!v.ok) throw new Error(`an honest checkpoint was refused: ${v.error.message}`);
            }
            if (!v.ok) {
              refused++;
              if (e.cut === 'honest' || e.cut === 'honest-scratch') return false;
              // Refused: the ref stays (the honest producer already moved it only for its own commits).
              continue;
            }
            accepted++;
            if (e.cut !== 'honest' && e.cut !== 'honest-scratch') must(await repo.updateRefs([{ ref: STATE, newId: made, expectedId: tip ?? repo.zeroId }]));
            const cp = must(await readCheckpoint(repo, made));
            // Exactly one state for these heads: the from-scratch fold of the window heads.
            const all = must(await readWindows(repo, cp.proof.window.map((w) => ({ ...w, start: null }))));
            const scratch = must(computeCheckpoint(runtime, null, null, all.events));
            if (scratch.stateRoot !== cp.proof.stateRoot) return false;
            // Completeness: the window names every journal the fold reads, and forgets nothing its parent folded.
            if (cp.proof.window.length !== journals.size) return false;
            if (cp.proof.prev) {
              const parent = must(await readCheckpoint(repo, cp.proof.prev));
              for (const pw of parent.proof.window) {
                const w = cp.proof.window.find((x) => x.journal === pw.journal);
                if (!w || !must(await repo.isAncestor(pw.end, w.end))) return false;
              }
            }
            const seen = stateBy.get(cp.proof.inputsRoot);
            if (seen !== undefined && seen !== cp.proof.stateRoot) return false;
            stateBy.set(cp.proof.inputsRoot, cp.proof.stateRoot);
          }
          return true;
        } finally {
          await repo.close();
        }
      }),
      { numRuns: 10, seed: 17_2026, endOnFailure: true },
    );
    // The mix exercised both answers.
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  }, 240_000);
});
