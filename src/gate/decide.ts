/**
 * The decision for one ref update: the gate's own invariants first (names,
 * the audit plane, fast-forward only, verified events and checkpoints,
 * loadable bundles, the tip's object type, object sizes, and every signer
 * authorized by the active trust), then the active policy over the update and over every
 * new event. Every denial is kept (not only the first), so a refusal tells
 * the pusher everything wrong with the update at once. Pure and total.
 */
import { appendAll } from '../core/arrays';
import type { ErrorCode } from '../core/codes';
import { evaluate, type Decision } from '../rgs';
import { authorizeFacts } from './authority';
import type { ActiveBundle } from './bundle';
import type { GateConfig } from './config';
import type { Failure, UpdateFacts } from './facts';
import { classifyRef, type RefClass } from './ref-class';
import { updateKind } from './ref-update';
import { eventRequest, refIntent, refRequest, type RequestEnv } from './request';
import { RULES } from './rules';
import { enforcedIn } from './verdict';
import { objectSizeDenials } from './blob-limit';
import { objectTypeDenials } from './object-type';
import { eventTimeDenials } from './event-time';
import { checkpointAttribute, olderBundleDenials } from './checkpoint-bundle';
import { EPOCH_RULE, anchorTimeDenials, epochAttribute, epochFailures } from './epoch';
import { busDenials } from './bus';
import { isPruneAttempt } from './bus-prune';
import { governanceDenials } from './gov';
import { sessionDenials } from './session';

export interface Denial {
  readonly ref: string;
  readonly code: ErrorCode;
  readonly ruleId: string;
  readonly reason: string;
  readonly hint?: string;
  /** false for rules in evaluate mode (per rule or per repository): recorded, not enforced. */
  readonly enforced: boolean;
  readonly commit?: string;
}

export interface RefDecision {
  readonly ref: string;
  readonly oldId: string;
  readonly newId: string;
  readonly intent: string;
  readonly allowed: boolean;
  readonly denials: readonly Denial[];
  /** Rules that allowed the update (policy rule ids). */
  readonly allowedBy: readonly string[];
  /** Ids of the commits the update brings, as text (for the audit entry). */
  readonly commits: readonly string[];
  readonly events: number;
  /** Policy rules marked `audit: true` that decided the update or one of its events (allowed or denied it), sorted: the audit trail records them. */
  readonly audited?: readonly string[];
}

function fromFailure(ref: string, ruleId: string, f: Failure): Omit<Denial, 'enforced'> {
  return { ref, code: f.code, ruleId: f.ruleId ?? ruleId, reason: f.reason, ...(f.hint ? { hint: f.hint } : {}), ...(f.commit ? { commit: f.commit } : {}) };
}

/** A rule that could not read `actor` because no pusher identity reached the gate. */
const ACTOR_MISSING = /missing attribute 'actor(?:'|\.)/;

function policyDenials(ref: string, d: Decision, env: RequestEnv, commit?: string): Omit<Denial, 'enforced'>[] {
  const out: Omit<Denial, 'enforced'>[] = [];
  const at = commit ? { commit } : {};
  if (d.effect === 'deny') {
    // Say what is wrong (the host named nobody), not which attribute the rule missed.
    const noIdentity = !env.pusher.actor && env.pusher.problem !== undefined && ACTOR_MISSING.test(d.reason);
    const reason = noIdentity ? `${env.pusher.problem} (rule ${d.ruleId} needs the pusher)` : d.reason;
    out.push({ ref, code: d.code, ruleId: d.ruleId, reason, hint: noIdentity ? RULES.noIdentity.hint : RULES.policy.hint, ...at });
  }
  return out;
}

function dryRuns(ref: string, d: Decision, commit?: string): Denial[] {
  return d.evaluate.map((e) => ({ ref, code: e.code, ruleId: e.ruleId, reason: e.reason, enforced: false, ...(commit ? { commit } : {}) }));
}

/**
 * The `audit: true` rules that decided `d`: that allowed it, denied it, or
 * would have denied it (evaluate mode). A deny-only rule whose condition did
 * not hold decided nothing and leaves no entry (the airgapped template's
 * `blobs/pointers-only` applies to every push).
 */
function decidedBy(d: Decision): string[] {
  const deciding = new Set<string>([...(d.effect === 'allow' ? d.ruleIds : d.allDenyIds), ...d.evaluate.map((e) => e.ruleId)]);
  return d.audit.filter((id) => deciding.has(id));
}

export function decideUpdate(gathered: UpdateFacts, bundle: ActiveBundle, config: GateConfig, env: RequestEnv): RefDecision {
  // Signers the active trust does not authorize are failures from here on: no policy weighs their events.
  const facts = authorizeFacts(gathered, bundle.trust);
  const { update } = facts;
  const ref = update.ref;
  const cls: RefClass = classifyRef(ref);
  const kind = updateKind(update, facts.fastForward);
  const hard: Omit<Denial, 'enforced'>[] = [];
  const soft: Denial[] = [];
  const allowedBy: string[] = [];
  const base = { ref, oldId: update.oldId, newId: update.newId, commits: facts.commits.map((c) => c.id), events: facts.events.length };
  if (kind === 'noop') return { ...base, intent: 'noop', allowed: true, denials: [], allowedBy: [] };
  const intent = refIntent(kind, cls);

  if (facts.failure) hard.push(fromFailure(ref, RULES.facts.id, facts.failure));
  if (cls.plane === 'gatos-other') hard.push({ ref, code: 'POLICY_DENY', ruleId: RULES.refName.id, reason: `${ref} is not a GATOS ref name: ${cls.problem}`, hint: RULES.refName.hint });
  if (cls.plane === 'audit') hard.push({ ref, code: 'POLICY_DENY', ruleId: RULES.auditReadonly.id, reason: `${ref} is written by the gate only`, hint: RULES.auditReadonly.hint });
  // A shard's prune (decision 0039) is the one non-fast-forward move of a GATOS ref: gate/bus-prune judges it instead, failing closed.
  if ((kind === 'force' || kind === 'delete') && config.isFfOnly(ref) && !(kind === 'force' && isPruneAttempt(facts.bus))) {
    hard.push({ ref, code: 'FF_VIOLATION', ruleId: RULES.ffOnly.id, reason: kind === 'force' ? `${update.oldId} is not an ancestor of ${update.newId}: the update rewrites history` : `${ref} cannot be deleted: it moves fast-forward only`, hint: RULES.ffOnly.hint });
  }
  if (cls.plane === 'journal' || cls.plane === 'state' || cls.plane === 'policy') {
    for (const c of facts.commits) {
      if (c.parents > 1) hard.push({ ref, code: 'PROOF_INVALID', ruleId: RULES.linear.id, reason: `commit ${c.id} is a merge (${c.parents} parents); ${cls.plane} refs are linear`, hint: RULES.linear.hint, commit: c.id });
    }
  }
  for (const e of facts.events) if (!e.ok) hard.push(fromFailure(ref, RULES.event.id, e));
  for (const c of facts.checkpoints) if (!c.ok) hard.push(fromFailure(ref, RULES.proof.id, c));
  if (facts.bundle && !facts.bundle.ok) hard.push(fromFailure(ref, RULES.bundle.id, facts.bundle));
  for (const p of facts.proofs ?? []) if (!p.ok) hard.push(fromFailure(ref, RULES.proofEnvelope.id, p));
  appendAll(hard, objectTypeDenials(facts, cls, config));
  appendAll(hard, objectSizeDenials(ref, facts.objects, config.maxObjectBytes));
  appendAll(hard, eventTimeDenials(ref, facts.events, env.now, config));
  for (const f of epochFailures(ref, kind, facts.epoch, bundle.trust, bundle.commit)) hard.push(fromFailure(ref, EPOCH_RULE, f));
  appendAll(hard, busDenials(ref, facts.bus, facts.events, facts.commits, env.now));
  appendAll(hard, sessionDenials(ref, cls, kind, facts.session, env.pusher));
  appendAll(hard, anchorTimeDenials(ref, facts.epoch, env.now, config));

  // The policy decides every update, including ones the invariants refused:
  // its denials and dry runs belong in the same audit entry.
  hard.push(...olderBundleDenials(ref, facts, bundle.policy, bundle.commit));
  const request = refRequest(intent, ref, cls, facts.commits, bundle, env);
  const checkpoint = checkpointAttribute(facts);
  if (checkpoint) request.checkpoint = checkpoint;
  Object.assign(request, epochAttribute(facts.epoch));
  hard.push(...governanceDenials(facts, cls, intent, bundle, env.now, request));
  const decision = evaluate(bundle.policy, request);
  hard.push(...policyDenials(ref, decision, env));
  soft.push(...dryRuns(ref, decision));
  if (decision.effect === 'allow') allowedBy.push(...decision.ruleIds);
  const audited = new Set(decidedBy(decision));
  for (const e of facts.events) {
    if (!e.ok) continue;
    const d = evaluate(bundle.policy, { ...eventRequest(e.event, ref, cls, bundle, env), ...epochAttribute(facts.epoch) });
    for (const id of decidedBy(d)) audited.add(id);
    hard.push(...policyDenials(ref, d, env, e.event.commit));
    soft.push(...dryRuns(ref, d, e.event.commit));
  }
  // Evaluate mode relaxes policy outcomes only, never a failure to read or verify (verdict.ts, enforcedIn).
  const denials = [...hard.map((d) => ({ ...d, enforced: enforcedIn(config.mode, d) })), ...soft];
  return { ...base, intent, allowed: !denials.some((d) => d.enforced), denials, allowedBy: [...new Set(allowedBy)].sort(), audited: [...audited].sort() };
}
