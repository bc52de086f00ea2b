/**
 * What an event binds, from the active bundle: its commit (policy_root) and
 * the fold that reads the journal (fold_root). Adapter (reads git).
 */
import { err, gateError, ok, type Result } from '../core/result';
import { journalRef, parseActor } from '../actors';
import { activeBundle } from '../bundle/publish';
import { loadBundle, type LoadedBundle } from '../bundle/load';
import type { GitRepo } from '../git';

export interface Binding {
  readonly bundle: LoadedBundle;
  readonly policyRoot: string;
  readonly foldRoot: string;
  readonly foldId: string;
  readonly journal: string;
}

export async function resolveBinding(repo: GitRepo, ns: string, actorId: string, foldId?: string): Promise<Result<Binding>> {
  const actor = parseActor(actorId);
  if (!actor.ok) return actor;
  const journal = journalRef(ns, actor.value);
  if (!journal.ok) return journal;
  const active = await activeBundle(repo);
  if (!active.ok) return active;
  if (!active.value) return err(gateError('NOT_FOUND', 'there is no active policy bundle (refs/gatos/policies/active)', { hint: 'publish one with gatos policy publish, or fetch refs/gatos/policies/*' }));
  // The clone's own verified record (in its $GIT_DIR/gatos/cache) spares recompiling the bundle's sources on every command.
  const bundle = await loadBundle(repo, active.value, { verifiedCache: true });
  if (!bundle.ok) return bundle;
  const candidates = bundle.value.foldsFor(journal.value);
  let chosen = candidates[0];
  if (foldId !== undefined) {
    chosen = candidates.find((f) => f.id === foldId);
    if (!chosen) return err(gateError('NOT_FOUND', `no fold '${foldId}' of the active bundle reads ${journal.value}`, { hint: candidates.length ? `folds reading it: ${candidates.map((f) => f.id).join(', ')}` : 'check the fold ids with gatos fold checkpoint --help' }));
  } else if (candidates.length > 1) {
    return err(gateError('USAGE', `several folds read ${journal.value}: ${candidates.map((f) => f.id).join(', ')}`, { hint: 'choose the one the event binds with --fold <id>' }));
  }
  if (!chosen) return err(gateError('NOT_FOUND', `no fold of the active bundle reads ${journal.value}, so the event has no fold_root to bind`, { hint: `add a fold whose inputs match it (e.g. inputs: ["refs/gatos/journal/${ns}/**"]) and publish` }));
  return ok({ bundle: bundle.value, policyRoot: active.value, foldRoot: chosen.foldRoot, foldId: chosen.id, journal: journal.value });
}
