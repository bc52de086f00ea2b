/**
 * The one trust decision: may this key, for this actor, at this time, do
 * this. Every signed thing the gate or the producer checks (events,
 * checkpoints, grants and revocations) asks it here, so the rules and their
 * hints are written once: the actor is in the trust graph, the key is one of
 * its keys at that time (a rotated-out key signs nothing dated from its
 * rotation on), and it holds each capability it claims in the namespace at
 * that time. Pure.
 */
import type { Capabilities } from './grants';
import { keyValidAt, type TrustGraph } from './graph';
import { formatTime } from './time';

/** A signature to weigh: `actor` signed with `key` (`ed25519:<hex>`) a statement dated `at` (epoch seconds), claiming `caps` in namespace `ns`. */
export interface Claim {
  readonly actor: string;
  readonly key: string;
  readonly at: number;
  readonly ns: string;
  readonly caps: readonly string[];
}

/** Why a claim is refused: `reason` names the actor, key, time or capability; the caller says what was signed and by which bundle. */
export interface Refusal {
  readonly ok: false;
  readonly code: 'POLICY_DENY' | 'CAP_EXPIRED';
  /** What failed: the actor is unknown, the key is not the actor's at that time, or a claimed capability is not held. */
  readonly failed: 'actor' | 'key' | 'cap';
  readonly reason: string;
  readonly hint: string;
}

export type Authority = { readonly ok: true } | Refusal;

const ALLOWED: Authority = { ok: true };

/** Whether the graph lists `key` as `actor`'s key at `at` (the first two rules of authorize). */
export function signerAuthority(graph: TrustGraph, actor: string, key: string, at: number): Authority {
  const rec = graph.actors.get(actor);
  if (!rec) return { ok: false, code: 'POLICY_DENY', failed: 'actor', reason: `${actor} is not in the trust graph`, hint: 'add the actor to the trust graph (gatos trust add) and publish the bundle' };
  if (!keyValidAt(rec, key, at)) {
    return { ok: false, code: 'POLICY_DENY', failed: 'key', reason: `${key} is not a key of ${actor} valid at ${formatTime(at)}`, hint: "a rotated-out key signs nothing dated from its rotation on; the trust graph must list the signer's key at that time (gatos trust add, then publish)" };
  }
  return ALLOWED;
}

/** May `claim.key`, for `claim.actor`, at `claim.at`, do what `claim.caps` name in `claim.ns`: the first rule broken, or ok. */
export function authorize(trust: { readonly graph: TrustGraph; readonly caps: Capabilities }, claim: Claim): Authority {
  const signer = signerAuthority(trust.graph, claim.actor, claim.key, claim.at);
  if (!signer.ok) return signer;
  for (const cap of claim.caps) {
    const v = trust.caps.holds(claim.actor, cap, claim.ns, claim.at);
    if (v.held) continue;
    return {
      ok: false,
      code: v.code,
      failed: 'cap',
      reason: `${claim.actor} does not hold '${cap}' in ${claim.ns} at ${formatTime(claim.at)}: ${v.reason}`,
      hint: v.code === 'CAP_EXPIRED' ? 'ask the issuer for a new grant (gatos trust grant) and publish it' : 'ask a trusted actor for a grant (gatos trust grant) and publish it',
    };
  }
  return ALLOWED;
}
