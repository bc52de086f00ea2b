/**
 * Which GATOS plane a ref belongs to. The gate treats each plane by its own
 * rules (journals carry events, state refs carry checkpoints, policies are
 * gated by the active policy, audit refs are the gate's alone). Pure.
 */
import { EPOCH_PREFIX, parseEpochRef } from '../epoch/anchor';
import { parseBusRef, type BusRef } from './bus';
import { parseSessionRef, type SessionRef } from '../session/format';
import { ACTIVE_POLICY_REF, JOURNAL_PREFIX, POLICIES_PREFIX, STATE_PREFIX, isBundleId, isGovRef, nameProblem, parseGovRef, parseJournalRef, type GovRef, type JournalRef } from '../actors';

export const AUDIT_PREFIX = 'refs/gatos/audit/';
export const AUDIT_POLICY_REF = 'refs/gatos/audit/policy';
export const GATOS_PREFIX = 'refs/gatos/';
/** Proof envelopes (src/proof): one ref per namespace, pushed by clients and verified by the gate (decision 0029). */
export const PROOFS_PREFIX = 'refs/gatos/audit/proofs/';

export type RefClass =
  | { readonly plane: 'journal'; readonly journal: JournalRef }
  | { readonly plane: 'state'; readonly ns: string }
  | { readonly plane: 'policy'; readonly active: boolean }
  | { readonly plane: 'audit' }
  /** Under refs/gatos/ but not a name any GATOS tool writes (a malformed journal, an unknown plane). */
  | { readonly plane: 'gatos-other'; readonly problem: string }
  | { readonly plane: 'other' }
  /** refs/gatos/epoch/<ns>/<epoch-id>: one epoch anchor (docs/epochs.md). */
  | { readonly plane: 'epoch'; readonly ns: string; readonly epoch: string }
  | { readonly plane: 'bus'; readonly bus: BusRef }
  /** refs/gatos/{proposals,approvals,grants,revocations}/… (docs/governance.md). */
  | { readonly plane: 'governance'; readonly gov: GovRef }

  | { readonly plane: 'proofs'; readonly ns: string }
  /** refs/gatos/sessions/<kind>/<name>/<ulid>: an actor's working branch of state (docs/sessions.md). */
  | { readonly plane: 'session'; readonly session: SessionRef };

export function classifyRef(ref: string): RefClass {
  if (!ref.startsWith(GATOS_PREFIX)) return { plane: 'other' };
  if (ref.startsWith(PROOFS_PREFIX)) {
    const ns = ref.slice(PROOFS_PREFIX.length);
    const problem = nameProblem(ns);
    return problem ? { plane: 'gatos-other', problem: `proofs namespace '${ns}': ${problem}` } : { plane: 'proofs', ns };
  }
  if (ref.startsWith(AUDIT_PREFIX) || ref === 'refs/gatos/audit') return { plane: 'audit' };
  if (ref.startsWith(JOURNAL_PREFIX)) {
    const j = parseJournalRef(ref);
    return j.ok ? { plane: 'journal', journal: j.value } : { plane: 'gatos-other', problem: j.error.message };
  }
  if (ref.startsWith(STATE_PREFIX)) {
    const ns = ref.slice(STATE_PREFIX.length);
    const problem = nameProblem(ns);
    return problem ? { plane: 'gatos-other', problem: `state namespace '${ns}': ${problem}` } : { plane: 'state', ns };
  }
  if (ref === ACTIVE_POLICY_REF) return { plane: 'policy', active: true };
  if (ref.startsWith(POLICIES_PREFIX)) {
    const id = ref.slice(POLICIES_PREFIX.length);
    return isBundleId(id) ? { plane: 'policy', active: false } : { plane: 'gatos-other', problem: `'${id}' is not a bundle id (64 lowercase hex)` };
  }
  if (ref.startsWith(EPOCH_PREFIX)) {
    const e = parseEpochRef(ref);
    return e.ok ? { plane: 'epoch', ns: e.value.ns, epoch: e.value.epoch } : { plane: 'gatos-other', problem: e.error.message };
  }
  const bus = parseBusRef(ref);
  if (bus) return bus.ok ? { plane: 'bus', bus: bus.value } : { plane: 'gatos-other', problem: bus.problem };
  if (isGovRef(ref)) {
    const g = parseGovRef(ref);
    return g.ok ? { plane: 'governance', gov: g.value } : { plane: 'gatos-other', problem: g.error.message };
  }
  const session = parseSessionRef(ref);
  if (session) return session.ok ? { plane: 'session', session: session.value } : { plane: 'gatos-other', problem: session.error.message };
  return { plane: 'other' };
}

/** The namespace a ref belongs to, when it has one. */
export function nsOf(c: RefClass): string | undefined {
  if (c.plane === 'journal') return c.journal.ns;
  if (c.plane === 'state') return c.ns;
  if (c.plane === 'epoch') return c.ns;
  if (c.plane === 'bus') return c.bus.topic;
  if (c.plane === 'proofs') return c.ns;
  return undefined;
}
