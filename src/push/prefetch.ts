/**
 * Reading a push's quarantine before its decision is asked for (decision
 * 0053): receive-pack checks the pushed objects' connectivity (a `git
 * rev-list` of its own) before it starts pre-receive, and the warm daemon
 * is idle meanwhile. Every loose object in the quarantine is read and
 * checked (type, size, hash) into the daemon's LooseCache, and what the
 * decision derives from it is derived now (a commit's or tree's parse, a
 * blob's envelope decode, an event's signature check; src/git/parsed.ts):
 * the decision then finds each kept for the very file it came from, and
 * decides exactly as before. An object that is not what its name says, or
 * not an event, is simply not kept or not decoded; nothing here refuses or
 * accepts anything. Adapter (filesystem).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { journalRef, parseActor } from '../actors';
import type { LoadedBundle } from '../bundle/load';
import { formatPublicKey } from '../canon/ed25519';
import { checkFoldable } from '../events/foldable';
import { EVENT_FILE } from '../events/commit';
import { decodedEnvelope, eventTreeOf } from '../events/read';
import { eventSignature, foldingBundles, keptWithBytes, signatureHolds } from '../events/verify';
import { isObjectId, type GitObject, type ObjectFormat } from '../git';
import { LooseObjects, RECENT_OBJECT_BYTES, type LooseCache } from '../git/loose';
import { authorize } from '../trust';
import { parsedCommit, parsedTree } from '../git/parsed';

/** A quarantine with more loose objects than this is a large push's; its decision reads them as it goes. */
export const PREFETCH_MAX_OBJECTS = 64;
/** The largest object (with its header) read ahead of a decision: what the daemon's LooseCache keeps, no more. */
export const PREFETCH_MAX_INFLATED = RECENT_OBJECT_BYTES + 32;

/** The ids of a quarantine's loose objects; undefined when it cannot be listed or holds more than `max`. */
export function quarantineLooseIds(quarantine: string, format: ObjectFormat, max: number): string[] | undefined {
  const ids: string[] = [];
  try {
    for (const dir of readdirSync(quarantine)) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      for (const name of readdirSync(path.join(quarantine, dir))) {
        if (isObjectId(format, dir + name)) ids.push(dir + name);
        if (ids.length > max) return undefined;
      }
    }
  } catch {
    return undefined;
  }
  return ids;
}

/** What one read of a quarantine found: the loose objects it listed, and how many of them it read and kept. */
export interface QuarantineRead {
  /**
   * The loose objects listed, for a decision made ahead to start from; none where the request could not count the
   * push's objects without git (below), so that no decision made ahead stands in for a request that would refuse.
   */
  readonly ids: readonly string[];
  readonly read: number;
}

/**
 * Whether the request's count of the push's objects (pushObjects, for its time budget) comes from this quarantine's
 * listing alone: git made its `pack` folder and kept no pack in it. Otherwise the count reads a pack's index, or
 * fails and refuses the push (src/hooks/run-hook.ts); a decision made ahead, which counts only the loose objects it
 * was handed, then must not stand in for that request (decision 0063, found by its review).
 */
function countedFromListing(quarantine: string): boolean {
  try {
    return !readdirSync(path.join(quarantine, 'pack')).some((f) => f.endsWith('.idx'));
  } catch {
    return false;
  }
}

/**
 * Reads the loose objects of `quarantine` into `cache` with what the decision derives from them; how many were read.
 * `active`: the daemon's warm active bundle, whose folds then fold each signed event as the decision will ask.
 */
export function prefetchQuarantine(quarantine: string, format: ObjectFormat, cache: LooseCache, active?: LoadedBundle): number {
  return readQuarantine(quarantine, format, cache, active).read;
}

/**
 * prefetchQuarantine, with the ids it listed: the daemon's decision made ahead starts from them instead of listing
 * the quarantine again while git still writes to it (decision 0063).
 */
export function readQuarantine(quarantine: string, format: ObjectFormat, cache: LooseCache, active?: LoadedBundle): QuarantineRead {
  // Gone (the push ended), unreadable, or a large push's: the decision reads what it needs itself.
  const ids = quarantineLooseIds(quarantine, format, PREFETCH_MAX_OBJECTS);
  if (!ids) return { ids: [], read: 0 };
  // Only what the cache keeps (the size of its largest object, with a header): inflating more holds the daemon for nothing.
  const reader = new LooseObjects([quarantine], format, cache, PREFETCH_MAX_INFLATED);
  let read = 0;
  const commits: GitObject[] = [];
  for (const id of ids.sort()) {
    const o = reader.read(id);
    if (!o) continue;
    read++;
    if (o.type === 'commit') commits.push(o);
    else if (o.type === 'tree') parsedTree(o, format);
    else if (o.type === 'blob') decodedEnvelope(o.data);
  }
  // An event's signature over its event.cbor (the tree's one entry), as verifyEvent will ask for it.
  for (const o of commits) {
    const c = parsedCommit(o, format);
    const signature = c.ok ? eventSignature(c.value.message ?? '') : undefined;
    const tree = c.ok && signature ? reader.read(c.value.tree) : undefined;
    const entries = tree?.type === 'tree' ? parsedTree(tree, format) : undefined;
    const only = entries?.ok && entries.value.length === 1 ? entries.value[0] : undefined;
    const blob = only?.name === EVENT_FILE ? reader.read(only.id) : undefined;
    // The tree id readRawEvent computes to read event.cbor by path, as it will ask.
    if (blob?.type === 'blob') eventTreeOf(format, blob);
    if (!signature || blob?.type !== 'blob' || !signatureHolds(signature.signer, blob.data, signature.sig)) continue;
    if (active) foldEvent(active, blob.data, o.id, signature.signer);
  }
  // Nothing is decided ahead from a read that kept nothing: no listing of `pack` for it (most reads of a push, early).
  return { ids: read > 0 && countedFromListing(quarantine) ? ids : [], read };
}

/**
 * What checkFoldable will ask of `active`'s folds for the event in `commit`
 * (its event.cbor `bytes`), kept in the bytes' slot (decision 0056): for an
 * event that binds the active bundle, on the journal its envelope names
 * (the only one verifyEvent lets it sit on), signed by a key the bundle's
 * trust authorizes for it, as verifyEvent asks before it folds (a pusher
 * cannot make the daemon run folds for events its decision would refuse
 * before folding). An event of another bundle, or pushed to another ref,
 * finds nothing under its key and is folded then.
 */
function foldEvent(active: LoadedBundle, bytes: Uint8Array, commit: string, signer: Uint8Array): void {
  const decoded = decodedEnvelope(bytes);
  if (!decoded.ok) return;
  const e = decoded.value.envelope;
  if (e.policy_root !== active.commit) return;
  if (!authorize(active.trust, { actor: e.actor, key: formatPublicKey(signer), at: e.ts, ns: e.ns, caps: e.caps }).ok) return;
  const actor = parseActor(e.actor);
  const journal = actor.ok ? journalRef(e.ns, actor.value) : undefined;
  if (!journal?.ok) return;
  checkFoldable(foldingBundles(active, active), e, journal.value, commit, keptWithBytes(bytes));
}
