/**
 * Governance on push (docs/governance.md). A governance ref takes one
 * signed statement, created once: a proposal judged by the active bundle,
 * an approval bound to a proposal the server holds and to the active
 * bundle, a grant whose Proof-of-Consensus recomputes and whose quorum is
 * met, a revocation by the proposer or a member of the quorum's group. A
 * policy change carries the approvals of the best unrevoked grant whose
 * proposal names exactly this ref and new commit: the request's `approvers`
 * and `approvals`, with the trust graph's `groups`, for the policy's quorum
 * rules. Pure.
 */
import { ACTIVE_POLICY_REF } from '../actors';
import type { ErrorCode } from '../core/codes';
import type { Result } from '../core/result';
import type { CompiledPolicy } from '../rgs';
import { governance as gov, type JsonObject } from '../trust';
import type { ActiveBundle } from './bundle';
import type { Failure, UpdateFacts } from './facts';
import type { RefClass } from './ref-class';
import type { RefUpdate } from './ref-update';

export const GOV_RULE = { id: 'gate/governance', hint: 'write governance refs with gatos gov propose|approve|grant|revoke; each is created once and never moved (docs/governance.md)' } as const;

/** What the adapter read for governance (src/push/gov.ts). */
export interface GovFacts {
  /** A governance ref's new statement, read from a commit rebuilt byte for byte. */
  readonly statement?: { readonly ok: true; readonly value: JsonObject } | ({ readonly ok: false } & Failure);
  /** The proposal of an approval or revocation ref, from the server or this push. */
  readonly proposal?: JsonObject;
  /** Grants on the server or in this push: every one for a policy change, the proposal's own for a revocation. */
  readonly grants: readonly JsonObject[];
  /** Revocations of the grants above (or of a pushed grant's proposal). */
  readonly revocations: readonly JsonObject[];
}

type Out = { ref: string; code: ErrorCode; ruleId: string; reason: string; hint?: string };

/** Whether the active policy has rule `id` with exactly this quorum among its requirements. */
export function ruleHasQuorum(policy: CompiledPolicy, id: string, q: gov.Quorum): boolean {
  return policy.rules.some((p) => p.rule.id === id && p.rule.allow.some((e) => e[0] === 'call' && e[1] === 'quorum' && JSON.stringify(e.slice(2)) === JSON.stringify([['lit', q.of], ['lit', q.at_least]])));
}

function revoked(g: gov.Grant, revocations: readonly JsonObject[], bundle: ActiveBundle): boolean {
  return revocations.some((o) => {
    const r = gov.readGovRevocation(o);
    return r.ok && r.value.proposalId === g.proposal.id && gov.verifyGovRevocation(r.value, g.proposal, g.quorum, bundle.trust.graph).ok;
  });
}

/** A grant that may carry a change: readable, its PoC and signers verify, its rule is the active policy's, not revoked. */
function usableGrant(o: JsonObject, facts: GovFacts, bundle: ActiveBundle, ctx: gov.GovContext): Result<{ grant: gov.Grant; tally: gov.Tally }> {
  const g = gov.readGovGrant(o);
  if (!g.ok) return g;
  const t = gov.verifyGovGrant(g.value, ctx);
  if (!t.ok) return t;
  if (!ruleHasQuorum(bundle.policy, g.value.rule, g.value.quorum)) {
    return { ok: false, error: { code: 'POLICY_DENY', message: `the grant for proposal ${g.value.proposal.id} names rule ${g.value.rule} with quorum ${g.value.quorum.at_least} of ${g.value.quorum.of}, which the active policy does not have`, hint: 'make the grant for a quorum rule of the active policy (gatos gov grant --rule)' } };
  }
  if (revoked(g.value, facts.revocations, bundle)) return { ok: false, error: { code: 'POLICY_DENY', message: `the grant for proposal ${g.value.proposal.id} is revoked`, hint: 'a revoked grant is never usable: propose again' } };
  return { ok: true, value: { grant: g.value, tally: t.value } };
}

/** The trust graph's groups as the request's `groups` attribute. */
function groupsTable(bundle: ActiveBundle): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of [...bundle.trust.graph.groups.keys()].sort()) out[name] = [...(bundle.trust.graph.groups.get(name) ?? [])];
  return out;
}

function fail(ref: string, e: { code: ErrorCode; message: string; hint?: string }): Out {
  return { ref, code: e.code, ruleId: GOV_RULE.id, reason: e.message, hint: e.hint ?? GOV_RULE.hint };
}

/**
 * Fills `request` with approvers, approvals and groups, and returns the
 * gate's refusals of a governance ref. `intent` is the update's.
 */
export function governanceDenials(facts: UpdateFacts, cls: RefClass, intent: string, bundle: ActiveBundle, now: number, request: Record<string, unknown>): Out[] {
  const ref = facts.update.ref;
  const g = facts.governance;
  const ctx: gov.GovContext = { graph: bundle.trust.graph, bundle: bundle.commit, now };
  request.groups = groupsTable(bundle);
  request.approvers = [];
  request.approvals = 0;
  if (cls.plane === 'policy' && g && intent !== 'delete') {
    let best: gov.Tally | undefined;
    for (const o of g.grants) {
      const u = usableGrant(o, g, bundle, ctx);
      if (!u.ok) continue;
      const p = u.value.grant.proposal;
      if (p.commit !== facts.update.newId || !p.refs.includes(ref)) continue;
      if (!best || u.value.tally.approvers.length > best.approvers.length) best = u.value.tally;
    }
    if (best) {
      request.approvers = [...best.approvers];
      request.approvals = best.approvers.length;
    }
    return [];
  }
  if (cls.plane !== 'governance') return [];
  if (intent !== 'create') return [{ ref, code: 'POLICY_DENY', ruleId: GOV_RULE.id, reason: `${ref} is a governance statement: created once, never ${intent === 'delete' ? 'deleted' : 'moved'}`, hint: GOV_RULE.hint }];
  if (!g?.statement) return [fail(ref, { code: 'GATE_ERROR', message: `${ref}: the statement was not read` })];
  if (!g.statement.ok) return [{ ref, code: g.statement.code, ruleId: GOV_RULE.id, reason: g.statement.reason, hint: g.statement.hint ?? GOV_RULE.hint }];
  const s = g.statement.value;
  const id = cls.gov.id;
  const mismatch = (what: string, got: string): Out[] => [fail(ref, { code: 'POLICY_DENY', message: `${ref} holds a ${cls.gov.kind} for ${what} ${got}, not the one its name says` })];
  const proposalOf = (): Result<gov.Proposal> => (g.proposal ? gov.readProposal(g.proposal) : { ok: false, error: { code: 'POLICY_DENY', message: `proposal ${id} is not on the server`, hint: `push refs/gatos/proposals/${id} first, or in the same push` } });
  switch (cls.gov.kind) {
    case 'proposal': {
      const p = gov.readProposal(s);
      if (!p.ok) return [fail(ref, p.error)];
      if (p.value.id !== id) return mismatch('proposal', p.value.id);
      const v = gov.verifyProposal(p.value, ctx);
      return v.ok ? [] : [fail(ref, v.error)];
    }
    case 'approval': {
      // Pushed before its proposal (the update hook alone sees refs one by one, approvals/ before proposals/):
      // signer, bundle and expiry are checked now; the binding to the proposal's digest is checked by every grant that carries it.
      const p = g.proposal ? gov.readProposal(g.proposal) : gov.unboundProposal(s, bundle.commit);
      if (!p.ok) return [fail(ref, p.error)];
      const a = gov.verifyApproval(s, p.value, ctx);
      if (!a.ok) return [fail(ref, a.error)];
      return a.value.actor === cls.gov.actor ? [] : mismatch('approver', a.value.actor);
    }
    case 'grant': {
      const u = usableGrant(s, g, bundle, ctx);
      if (!u.ok) return [fail(ref, u.error)];
      const { grant, tally } = u.value;
      if (grant.proposal.id !== id) return mismatch('proposal', grant.proposal.id);
      const members = gov.groupMembers(bundle.trust.graph, grant.quorum.of);
      const counted = tally.approvers.filter((a) => members.includes(a));
      if (counted.length >= grant.quorum.at_least) return [];
      const missing = members.filter((m) => !counted.includes(m));
      const dropped = tally.dropped.length ? `; not counted: ${tally.dropped.map((d) => d.reason).join('; ')}` : '';
      return [fail(ref, { code: 'POLICY_DENY', message: `quorum of ${grant.quorum.of} not met: ${counted.length} of ${grant.quorum.at_least} approvals (approved by ${counted.join(', ') || 'none'}); missing ${grant.quorum.at_least - counted.length} more from ${missing.join(', ') || 'none'}${dropped}`, hint: 'collect the missing approvals (gatos gov approve), then make the grant again' })];
    }
    case 'revocation': {
      const p = proposalOf();
      if (!p.ok) return [fail(ref, p.error)];
      const r = gov.readGovRevocation(s);
      if (!r.ok) return [fail(ref, r.error)];
      const granted = g.grants.map((o) => gov.readGovGrant(o)).find((x) => x.ok && x.value.proposal.id === id);
      const v = gov.verifyGovRevocation(r.value, p.value, granted?.ok ? granted.value.quorum : undefined, bundle.trust.graph);
      return v.ok ? [] : [fail(ref, v.error)];
    }
  }
}

/**
 * The bundle that judged the proposal this update completes, when that is
 * not the active bundle; otherwise undefined. With only the update hook, a
 * non-atomic push moves its refs one at a time, and git sends the refs the
 * server has (refs/gatos/policies/active) before the ones the push
 * creates: once active has moved to a proposal's commit, the proposal's
 * other refs (its bundle-id ref) reach the gate under the bundle the
 * proposal made active, which never judged the proposal (its grant's base
 * is the bundle before), so they were refused. Such an update is decided under the proposal's base,
 * as pre-receive decides the whole push under it (docs/governance.md).
 * Only an update that sets a ref the proposal names to the proposal's
 * commit, which must already be the active commit, qualifies: at most a
 * bundle-id ref naming the bundle in force. The grant itself is verified in
 * full under that base by the usual checks (governanceDenials).
 */
export function proposalBaseOf(update: RefUpdate, cls: RefClass, facts: GovFacts | undefined, activeCommit: string): string | undefined {
  if (cls.plane !== 'policy' || update.ref === ACTIVE_POLICY_REF || update.newId !== activeCommit || !facts) return undefined;
  for (const o of facts.grants) {
    const g = gov.readGovGrant(o);
    if (!g.ok) continue;
    const p = g.value.proposal;
    if (p.commit === activeCommit && p.base !== activeCommit && p.refs.includes(update.ref) && p.refs.includes(ACTIVE_POLICY_REF)) return p.base;
  }
  return undefined;
}
