/**
 * The signed changes `gatos trust add|grant|revoke` make to gatos/trust/,
 * with the rules that decide whether the issuer may make them: who may vouch
 * for the first actor, which levels exist, that only a trusted actor issues
 * a grant, and that the trust set stays valid (and the revocation takes
 * effect) with the new file in it. Takes the trust files as bytes and gives
 * the file to write; the caller reads and writes the workspace. Pure.
 */
import { canonicalJson } from '../canon/jcs';
import { bytesEqual, toHex } from '../core/bytes';
import { err, gateError, ok, type Result } from '../core/result';
import { addActor, MAX_LEVEL, type AddActor } from './graph';
import { makeGrant, makeRevocation, type NewGrant } from './grants';
import { readCanonicalJson } from './shape';
import type { JsonObject, SigningKey } from './statement';
import { readTrustSet, type TrustSet } from './trust-set';

/** Trust files by path relative to gatos/trust/ (graph.json, grants/<id>.json, revocations/<id>.json). */
export type TrustFiles = ReadonlyMap<string, Uint8Array>;

/** A file to write under gatos/trust/ (path relative to it), and the id of the statement in it. */
export interface TrustFileChange {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly id: string;
}


/** Whether the graph in `graphBytes` has no actor yet: then its first actor vouches for itself. */
export function graphIsEmpty(graphBytes: Uint8Array): Result<boolean> {
  const graph = readCanonicalJson(graphBytes, 'gatos/trust/graph.json');
  if (!graph.ok) return graph;
  return ok(Object.keys((graph.value.actors as JsonObject | undefined) ?? {}).length === 0);
}

/**
 * graph.json with `a.actor` trusted with `a.publicKey` (or rotated to it when
 * already trusted), signed by `key` for `a.issuer`. The first actor of an
 * empty graph vouches for itself, so its key must be the signing key.
 */
export function trustActor(graphBytes: Uint8Array, a: AddActor, key: SigningKey): Result<{ bytes: Uint8Array; rotated: boolean; root: boolean }> {
  const graph = readCanonicalJson(graphBytes, 'gatos/trust/graph.json');
  if (!graph.ok) return graph;
  const actors = (graph.value.actors as JsonObject | undefined) ?? {};
  const root = Object.keys(actors).length === 0;
  if (root && !bytesEqual(a.publicKey, key.publicKey)) {
    return err(gateError('USAGE', `the first actor vouches for itself, so ed25519:${toHex(a.publicKey)} must be the key in your key file for ${a.issuer}`, { hint: `pass the public key gatos key new --actor ${a.issuer} printed` }));
  }
  if (!Number.isInteger(a.level) || a.level < 0 || a.level > MAX_LEVEL) {
    return err(gateError('USAGE', `--level ${a.level} is not an integer from 0 to ${MAX_LEVEL}`, { hint: `trust levels run from 0 to ${MAX_LEVEL}` }));
  }
  const next = addActor(graph.value, a, key);
  if (!next.ok) return next;
  const bytes = canonicalJson(next.value);
  return bytes.ok ? ok({ bytes: bytes.value, rotated: a.actor in actors, root }) : bytes;
}

/** A signed statement as the file `<folder>/<id>.json` holding its canonical bytes. */
function changeOf(folder: 'grants' | 'revocations', made: Result<{ id: string; json: JsonObject }>): Result<TrustFileChange> {
  if (!made.ok) return made;
  const bytes = canonicalJson(made.value.json);
  return bytes.ok ? ok({ path: `${folder}/${made.value.id}.json`, bytes: bytes.value, id: made.value.id }) : bytes;
}

/** The trust set of `files` with `change` written into it: it must still read whole. */
function withChange(files: TrustFiles, change: TrustFileChange): Result<TrustSet> {
  return readTrustSet(new Map([...files, [change.path, change.bytes]]));
}

/** A grant signed by `key` for `g.issuer`, who must be in the trust graph; the set must stay valid with it. */
export function issueGrant(files: TrustFiles, g: NewGrant, key: SigningKey): Result<TrustFileChange> {
  const trust = readTrustSet(files);
  if (!trust.ok) return trust;
  if (!trust.value.graph.actors.has(g.issuer)) return err(gateError('POLICY_DENY', `${g.issuer} is not in the trust graph`, { hint: 'only trusted actors issue grants: gatos trust add' }));
  const change = changeOf('grants', makeGrant(g, key));
  if (!change.ok) return change;
  const after = withChange(files, change.value);
  return after.ok ? change : after;
}

/**
 * A revocation of grant `r.grant` signed by `key` for `r.issuer`. Refused
 * when there is no such grant, or when the issuer may not revoke it (the
 * grant's issuer, a root, or an actor of at least the issuer's level may):
 * a revocation that would void nothing is never written.
 */
export function issueRevocation(files: TrustFiles, r: { issuer: string; grant: string; reason: string; iat: number }, key: SigningKey): Result<TrustFileChange> {
  const trust = readTrustSet(files);
  if (!trust.ok) return trust;
  if (!trust.value.grants.some((g) => g.id === r.grant)) return err(gateError('NOT_FOUND', `no grant ${r.grant} in gatos/trust/grants/`, { hint: 'list them with ls gatos/trust/grants' }));
  const change = changeOf('revocations', makeRevocation(r, key));
  if (!change.ok) return change;
  const after = withChange(files, change.value);
  if (!after.ok) return after;
  if (!after.value.caps.voidReason(r.grant)) return err(gateError('POLICY_DENY', `${r.issuer} may not revoke grant ${r.grant}`, { hint: "the grant's issuer, a root, or an actor of at least the issuer's level may revoke it" }));
  return change;
}
