/**
 * The daemon's prefetch folds each signed event of a quarantine with the
 * warm bundle's folds (decision 0056), and the decision finds that answer
 * kept with the event's bytes: it runs no fold again, and decides exactly
 * as a decision without the prefetch. The answer is kept for the bundle,
 * the fold, the journal and the commit it was computed for; the same bytes
 * asked about for another bundle or another commit are folded again.
 * Events the decision would refuse before folding (a signer the bundle
 * does not trust) are not folded ahead. Real repositories: a published bundle with a YAML fold, events appended
 * and unpacked loose into a quarantine as receive-pack does.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildBundle, loadBundle, publishBundle, type LoadedBundle } from '../../src/bundle';
import { generateKeyPair } from '../../src/canon/ed25519';
import { canonicalJson } from '../../src/canon/jcs';
import { utf8 } from '../../src/core/bytes';
import { appendEvents, verifyEvent } from '../../src/events';
import { VerifyMemo } from '../../src/events/memo';
import { checkFoldable } from '../../src/events/foldable';
import { decodedEnvelope } from '../../src/events/read';
import { keptWithBytes } from '../../src/events/verify';
import { openRepo, type GitRepo } from '../../src/git';
import { LooseCache } from '../../src/git/loose';
import { prefetchQuarantine } from '../../src/push/prefetch';
import { addActor, emptyGraphJson, type JsonObject } from '../../src/trust';
import { FINANCE_YAML_FOLD, FOLD_WORLD_T as T, foldWorld, must, worldAlice as alice } from '../helpers/fold-world';

const JOURNAL = 'refs/gatos/journal/finance/user/alice';

/** `b` with its fold runs counted (the same bundle: the same commit, folds and answers). */
function counted(b: LoadedBundle): { bundle: LoadedBundle; runs: () => number } {
  let n = 0;
  return {
    bundle: {
      ...b,
      fold: (id) => {
        n++;
        return b.fold(id);
      },
      foldsFor: (j) => b.foldsFor(j),
    },
    runs: () => n,
  };
}

describe('a quarantine\'s events folded before their decision', () => {
  let repo: GitRepo;
  let gitDir: string;
  let active: LoadedBundle;
  let other: LoadedBundle;
  let quarantine: string;
  let good: string;
  let bad: string;

  beforeAll(async () => {
    repo = await foldWorld('f.yaml', FINANCE_YAML_FOLD);
    gitDir = repo.gitDir;
    const activeId = must(await repo.readRef('refs/gatos/policies/active')) as string;
    active = must(await loadBundle(repo, activeId));
    const entry = active.manifest.folds[0];
    if (!entry) throw new Error('no fold');
    // The fold sums payload.amount: an amount that is no integer is an event it cannot fold (FOLD_ERROR).
    const ctx = { repo, ns: 'finance', key: alice, policyRoot: activeId, foldRoot: entry.foldRoot, random: () => new Uint8Array(10) };
    const appended = must(await appendEvents(ctx, [
      { type: 'put', payload: { id: 'a', amount: 5 }, ts: T },
      { type: 'put', payload: { id: 'b', amount: 'five' }, ts: T },
    ]));
    [good, bad] = appended.commits as [string, string];
    // An event signed well by a key the bundle does not trust: its decision refuses it before any fold runs.
    const mallory = { actor: 'user:mallory', ...generateKeyPair() };
    const untrusted = must(await appendEvents({ ...ctx, key: mallory }, [{ type: 'put', payload: { id: 'm', amount: 1 }, ts: T }])).commits[0] as string;
    // Another bundle in the same repository whose fold sums payload.id, a string in every event here.
    const g: JsonObject = must(addActor(emptyGraphJson(), { actor: alice.actor, publicKey: alice.publicKey, level: 3, groups: [], issuer: alice.actor, now: T }, alice));
    const built = buildBundle(new Map([
      ['gatos/policies/p.rgs', utf8('rules:\n  - id: r\n    when: { intent: [write] }\n    allow_if: true\n')],
      ['gatos/folds/f.yaml', utf8(FINANCE_YAML_FOLD.replace('value: "$.payload.amount"', 'value: "$.payload.id"'))],
      ['gatos/trust/graph.json', must(canonicalJson(g))],
    ]));
    if (!built.ok) throw new Error(built.error.message);
    const published = must(await publishBundle(repo, built.bundle, { now: T }));
    other = must(await loadBundle(repo, published.commit));
    // receive-pack's quarantine: the journal's objects unpacked loose (git writes none it can already read: no alternates here).
    quarantine = mkdtempSync(path.join(os.tmpdir(), 'gatos-prefetch-fold-'));
    const pack = execFileSync('git', ['pack-objects', '--stdout', '--revs', '-q'], { env: { ...process.env, GIT_DIR: gitDir }, input: `${bad}\n${untrusted}\n` });
    execFileSync('git', ['unpack-objects', '-q'], { env: { ...process.env, GIT_DIR: gitDir, GIT_OBJECT_DIRECTORY: quarantine }, input: pack });
  });

  afterAll(async () => {
    await repo.close();
    rmSync(quarantine, { recursive: true, force: true });
  });

  /** verifyEvent as the gate asks it, reading the quarantine through `cache` (none: as a cold hook). */
  const decide = async (commit: string, folds: LoadedBundle, cache?: LooseCache) => {
    const env = { ...process.env, GIT_DIR: gitDir, GIT_OBJECT_DIRECTORY: quarantine, GIT_ALTERNATE_OBJECT_DIRECTORIES: path.join(gitDir, 'objects'), GIT_QUARANTINE_PATH: quarantine };
    const r = must(await openRepo(gitDir, { format: 'sha1', env, ...(cache ? { looseCache: cache } : {}) }));
    try {
      const memo = new VerifyMemo();
      memo.bundles.set(folds.commit, folds);
      return await verifyEvent(r, commit, JOURNAL, { now: T, folds, memo });
    } finally {
      await r.close();
    }
  };

  it('the decision runs no fold the prefetch ran, and decides as without it; no fold runs for an untrusted signer', async () => {
    const cold = [await decide(good, active), await decide(bad, active)];
    expect(cold[0]?.ok).toBe(true);
    expect(cold[1]?.ok).toBe(false);
    if (cold[1]?.ok === false) expect(cold[1].error.code).toBe('FOLD_ERROR');
    const cache = new LooseCache();
    const warm = counted(active);
    expect(prefetchQuarantine(quarantine, 'sha1', cache, warm.bundle)).toBe(9);
    expect(warm.runs()).toBe(2);
    expect([await decide(good, warm.bundle, cache), await decide(bad, warm.bundle, cache)]).toEqual(cold);
    expect(warm.runs()).toBe(2);
  });

  it('the same bytes asked about for another bundle or another commit are folded again', async () => {
    const cache = new LooseCache();
    const warm = counted(active);
    prefetchQuarantine(quarantine, 'sha1', cache, warm.bundle);
    // The good event's bytes, read through the cache: the very object whose slot holds the kept answer.
    const env = { ...process.env, GIT_DIR: gitDir, GIT_OBJECT_DIRECTORY: quarantine, GIT_QUARANTINE_PATH: quarantine };
    const r = must(await openRepo(gitDir, { format: 'sha1', env, looseCache: cache }));
    const bytes = must(await r.readBlob(`${good}:event.cbor`));
    await r.close();
    const e = must(decodedEnvelope(bytes)).envelope;
    const runs = warm.runs();
    expect(checkFoldable([warm.bundle], e, JOURNAL, good, keptWithBytes(bytes)).ok).toBe(true);
    expect(warm.runs()).toBe(runs);
    // Another bundle, whose fold cannot fold this event: its own answer, not the kept one.
    const refused = checkFoldable([other], e, JOURNAL, good, keptWithBytes(bytes));
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.message).toContain(`event ${good}: fold`);
    // Another commit carrying the same bytes: folded again, and named in the answer.
    expect(checkFoldable([warm.bundle], e, JOURNAL, bad, keptWithBytes(bytes)).ok).toBe(true);
    expect(warm.runs()).toBe(runs + 1);
  });
});
