/**
 * Governance statements (docs/governance.md): a proposal to move refs to one
 * commit, approvals bound to the proposal's digest and to the active bundle,
 * a grant carrying the proposal, its approvals and the Proof-of-Consensus
 * (blake3 of the canonical envelope: the proposal, the approvals sorted by
 * signer, the rule id and the quorum), and a revocation that makes a grant
 * unusable for good. Each is a signed statement (./statement.ts: canonical
 * JSON, `key` and `sig`, content id = blake3 of the signed bytes); every
 * signer is weighed by the one trust decision (./authorize.ts). Pure.
 */
import { blake3 } from '../canon/digest';
import { canonicalJson, type JsonValue } from '../canon/jcs';
import { isUlid } from '../canon/ulid';
import { toHex } from '../core/bytes';
import { err, gateError, ok, type Result } from '../core/result';
import { QUORUM_GROUP_RE } from '../actors';
import { signerAuthority } from './authorize';
import type { TrustGraph } from './graph';
import { Fields, isObject } from './shape';
import { checkSignature, signStatement, statementId, type JsonObject, type SigningKey } from './statement';
import { formatTime } from './time';

export const PROPOSAL_TYPE = 'gatos/proposal';
export const APPROVAL_TYPE = 'gatos/approval';
export const GOV_GRANT_TYPE = 'gatos/gov-grant';
export const GOV_REVOCATION_TYPE = 'gatos/gov-revocation';

const COMMIT_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const DIGEST_RE = /^[0-9a-f]{64}$/;
const REF_RE = /^refs\/[!-~]+$/;
const MAX_AT_LEAST = 1000;

export interface Quorum {
  /** '@leads'. */
  readonly of: string;
  readonly at_least: number;
}

export interface Proposal {
  readonly id: string;
  readonly digest: string;
  readonly actor: string;
  readonly key: string;
  readonly ts: number;
  /** The active bundle commit the change is judged by. */
  readonly base: string;
  /** The commit the proposal moves `refs` to. */
  readonly commit: string;
  readonly refs: readonly string[];
  readonly statement: JsonObject;
}

export interface Approval {
  readonly digest: string;
  readonly actor: string;
  readonly key: string;
  readonly ts: number;
  readonly exp: number;
  readonly proposal: string;
  readonly proposalId: string;
  readonly bundle: string;
  readonly statement: JsonObject;
}

export interface Grant {
  readonly actor: string;
  readonly key: string;
  readonly ts: number;
  readonly proposal: Proposal;
  readonly approvals: readonly JsonObject[];
  readonly rule: string;
  readonly quorum: Quorum;
  readonly poc: string;
}

export interface Revocation {
  readonly actor: string;
  readonly key: string;
  readonly ts: number;
  readonly proposal: string;
  readonly proposalId: string;
  readonly reason: string;
}

function sealed<T>(r: Result<T>, what: string): Result<T> {
  return r.ok ? r : err({ ...r.error, message: r.error.message.startsWith(what) ? r.error.message : `${what}: ${r.error.message}` });
}

function signer(graph: TrustGraph, actor: string, key: string, at: number, what: string): Result<true> {
  const a = signerAuthority(graph, actor, key, at);
  return a.ok ? ok(true) : err(gateError(a.code, `${what}: ${a.reason}`, { hint: a.hint }));
}

function readQuorum(v: JsonValue | undefined, where: string): Result<Quorum> {
  if (!isObject(v)) return new Fields({}, where).bad('quorum', 'an object {of, at_least}');
  const f = new Fields(v, `${where}: quorum`);
  const only = f.only(['at_least', 'of']);
  if (!only.ok) return only;
  const of = f.string('of', QUORUM_GROUP_RE);
  if (!of.ok) return of;
  const n = f.int('at_least', 1, MAX_AT_LEAST);
  return n.ok ? ok({ of: of.value, at_least: n.value }) : n;
}

/** A proposal's shape and signature (who signed it is weighed by verifyProposal). */
export function readProposal(o: JsonObject): Result<Proposal> {
  const where = 'proposal';
  const f = new Fields(o, where);
  const only = f.only(['actor', 'base', 'change', 'id', 'key', 'sig', 'title', 'ts', 'type', 'v']);
  if (!only.ok) return only;
  for (const r of [f.literal('type', PROPOSAL_TYPE), f.literal('v', 1)]) if (!r.ok) return r;
  const id = f.string('id');
  if (!id.ok) return id;
  if (!isUlid(id.value)) return f.bad('id', 'a ULID');
  const actor = f.actor('actor');
  if (!actor.ok) return actor;
  const ts = f.time('ts');
  if (!ts.ok) return ts;
  const base = f.string('base', COMMIT_RE);
  if (!base.ok) return base;
  if (o.title !== undefined && typeof o.title !== 'string') return f.bad('title', 'a string');
  const change = f.object('change');
  if (!change.ok) return change;
  const c = new Fields(change.value, `${where}: change`);
  const conly = c.only(['commit', 'refs']);
  if (!conly.ok) return conly;
  const commit = c.string('commit', COMMIT_RE);
  if (!commit.ok) return commit;
  const refs = c.sortedSet('refs', REF_RE);
  if (!refs.ok) return refs;
  if (refs.value.length === 0) return c.bad('refs', 'a non-empty list');
  const key = checkSignature(o, `proposal ${id.value}`);
  if (!key.ok) return key;
  const digest = statementId(o);
  if (!digest.ok) return digest;
  return ok({ id: id.value, digest: digest.value, actor: actor.value, key: o.key as string, ts: ts.value, base: base.value, commit: commit.value, refs: refs.value, statement: o });
}

export function readApproval(o: JsonObject): Result<Approval> {
  const f = new Fields(o, 'approval');
  const only = f.only(['actor', 'bundle', 'exp', 'key', 'proposal', 'proposal_id', 'sig', 'ts', 'type', 'v']);
  if (!only.ok) return only;
  for (const r of [f.literal('type', APPROVAL_TYPE), f.literal('v', 1)]) if (!r.ok) return r;
  const actor = f.actor('actor');
  if (!actor.ok) return actor;
  const ts = f.time('ts');
  if (!ts.ok) return ts;
  const exp = f.time('exp');
  if (!exp.ok) return exp;
  if (exp.value <= ts.value) return f.bad('exp', "later than 'ts'");
  const proposal = f.string('proposal', DIGEST_RE);
  if (!proposal.ok) return proposal;
  const pid = f.string('proposal_id');
  if (!pid.ok) return pid;
  if (!isUlid(pid.value)) return f.bad('proposal_id', 'a ULID');
  const bundle = f.string('bundle', COMMIT_RE);
  if (!bundle.ok) return bundle;
  const key = checkSignature(o, `approval by ${actor.value}`);
  if (!key.ok) return key;
  const digest = statementId(o);
  if (!digest.ok) return digest;
  return ok({ digest: digest.value, actor: actor.value, key: o.key as string, ts: ts.value, exp: exp.value, proposal: proposal.value, proposalId: pid.value, bundle: bundle.value, statement: o });
}

export function readGovGrant(o: JsonObject): Result<Grant> {
  const f = new Fields(o, 'grant');
  const only = f.only(['actor', 'approvals', 'key', 'poc', 'proposal', 'quorum', 'rule', 'sig', 'ts', 'type', 'v']);
  if (!only.ok) return only;
  for (const r of [f.literal('type', GOV_GRANT_TYPE), f.literal('v', 1)]) if (!r.ok) return r;
  const actor = f.actor('actor');
  if (!actor.ok) return actor;
  const ts = f.time('ts');
  if (!ts.ok) return ts;
  const rule = f.string('rule', /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/);
  if (!rule.ok) return rule;
  const quorum = readQuorum(o.quorum, 'grant');
  if (!quorum.ok) return quorum;
  const poc = f.string('poc', /^blake3:[0-9a-f]{64}$/);
  if (!poc.ok) return poc;
  const p = f.object('proposal');
  if (!p.ok) return p;
  const proposal = sealed(readProposal(p.value), 'grant: its proposal');
  if (!proposal.ok) return proposal;
  const list = f.list('approvals');
  if (!list.ok) return list;
  const approvals: JsonObject[] = [];
  for (const a of list.value) {
    if (!isObject(a)) return f.bad('approvals', 'a list of approval statements');
    approvals.push(a);
  }
  const key = checkSignature(o, `grant for proposal ${proposal.value.id}`);
  if (!key.ok) return key;
  return ok({ actor: actor.value, key: o.key as string, ts: ts.value, proposal: proposal.value, approvals, rule: rule.value, quorum: quorum.value, poc: poc.value });
}

export function readGovRevocation(o: JsonObject): Result<Revocation> {
  const f = new Fields(o, 'revocation');
  const only = f.only(['actor', 'key', 'proposal', 'proposal_id', 'reason', 'sig', 'ts', 'type', 'v']);
  if (!only.ok) return only;
  for (const r of [f.literal('type', GOV_REVOCATION_TYPE), f.literal('v', 1)]) if (!r.ok) return r;
  const actor = f.actor('actor');
  if (!actor.ok) return actor;
  const ts = f.time('ts');
  if (!ts.ok) return ts;
  const proposal = f.string('proposal', DIGEST_RE);
  if (!proposal.ok) return proposal;
  const pid = f.string('proposal_id');
  if (!pid.ok) return pid;
  if (!isUlid(pid.value)) return f.bad('proposal_id', 'a ULID');
  const reason = f.string('reason', /\S/);
  if (!reason.ok) return reason;
  const key = checkSignature(o, `revocation by ${actor.value}`);
  if (!key.ok) return key;
  return ok({ actor: actor.value, key: o.key as string, ts: ts.value, proposal: proposal.value, proposalId: pid.value, reason: reason.value });
}

/** Approvals in signer order (actor, then key, then content id): the order the Proof-of-Consensus hashes them in, whatever order they came in. */
export function sortBySigner(approvals: readonly JsonObject[]): JsonObject[] {
  const keyed = approvals.map((a) => {
    const id = statementId(a);
    return { a, k: [String(a.actor), String(a.key), id.ok ? id.value : ''] as const };
  });
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  keyed.sort((x, y) => cmp(x.k[0], y.k[0]) || cmp(x.k[1], y.k[1]) || cmp(x.k[2], y.k[2]));
  return keyed.map((x) => x.a);
}

/** The Proof-of-Consensus: `blake3:` and the hex of blake3 over the canonical envelope {approvals (sorted by signer), proposal, quorum, rule}. */
export function proofOfConsensus(proposal: JsonObject, approvals: readonly JsonObject[], rule: string, quorum: Quorum): Result<string> {
  const bytes = canonicalJson({ approvals: sortBySigner(approvals), proposal, quorum: { at_least: quorum.at_least, of: quorum.of }, rule });
  return bytes.ok ? ok(`blake3:${toHex(blake3(bytes.value))}`) : bytes;
}

/** Who counts toward a proposal: the distinct approvers whose approvals verified, and why each other one did not. */
export interface Tally {
  readonly approvers: readonly string[];
  readonly dropped: readonly { readonly actor: string; readonly reason: string }[];
}

export interface GovContext {
  readonly graph: TrustGraph;
  /** The active bundle's commit: approvals and proposals are bound to it. */
  readonly bundle: string;
  readonly now: number;
}

/**
 * How far a statement about a proposal (an approval, a grant, a revocation)
 * may be dated before the proposal itself: the default clock skew between
 * machines (gatos.maxFutureSkewSeconds' default). A statement cannot
 * honestly predate the proposal whose digest it signs; without this bound a
 * rotated-out (stolen) key would keep signing them, dated before its
 * rotation, for every proposal made after it.
 */
export const STATEMENT_ORDER_SKEW_S = 300;

function predates(ts: number, p: Proposal): boolean {
  return ts < p.ts - STATEMENT_ORDER_SKEW_S;
}

const PREDATES_HINT = 'statements about a proposal are dated after it: sign again with a current key and a correct clock';

/** A proposal's signer is in the graph with that key at its date, and it is judged by the active bundle. */
export function verifyProposal(p: Proposal, ctx: GovContext): Result<true> {
  const s = signer(ctx.graph, p.actor, p.key, p.ts, `proposal ${p.id}`);
  if (!s.ok) return s;
  if (p.base !== ctx.bundle) return err(gateError('POLICY_DENY', `proposal ${p.id} is judged by bundle ${p.base}, but the active bundle is ${ctx.bundle}`, { hint: 'propose again against the active bundle (fetch refs/gatos/policies/active)' }));
  return ok(true);
}

/** One approval: signed by its actor's key valid at its date (authorize), unexpired, bound to `p`'s digest and to the active bundle. */
export function verifyApproval(o: JsonObject, p: Proposal, ctx: GovContext): Result<Approval> {
  const a = readApproval(o);
  if (!a.ok) return a;
  const v = a.value;
  if (v.proposal !== p.digest || v.proposalId !== p.id) return err(gateError('POLICY_DENY', `the approval by ${v.actor} approves proposal ${v.proposalId} (${v.proposal.slice(0, 12)}…), not ${p.id} (${p.digest.slice(0, 12)}…)`, { hint: 'an approval counts only for the exact proposal it names' }));
  if (v.bundle !== ctx.bundle) return err(gateError('POLICY_DENY', `the approval by ${v.actor} was given under bundle ${v.bundle}, not the active bundle ${ctx.bundle}`, { hint: 'approve again against the active bundle' }));
  if (v.ts > ctx.now) return err(gateError('POLICY_DENY', `the approval by ${v.actor} is dated ${formatTime(v.ts)}, after now (${formatTime(ctx.now)})`, { hint: 'check the clock of the approver' }));
  if (predates(v.ts, p)) return err(gateError('POLICY_DENY', `the approval by ${v.actor} is dated ${formatTime(v.ts)}, before the proposal it approves (${formatTime(p.ts)})`, { hint: PREDATES_HINT }));
  if (v.exp <= ctx.now) return err(gateError('CAP_EXPIRED', `the approval by ${v.actor} expired at ${formatTime(v.exp)}`, { hint: 'approve again (gatos gov approve)' }));
  const s = signer(ctx.graph, v.actor, v.key, v.ts, `the approval by ${v.actor}`);
  return s.ok ? a : s;
}

/** A stand-in for the proposal an approval names, when the proposal is not at hand: binds exactly what the approval says. */
export function unboundProposal(o: JsonObject, bundle: string): Result<Proposal> {
  const a = readApproval(o);
  if (!a.ok) return a;
  return ok({ id: a.value.proposalId, digest: a.value.proposal, actor: a.value.actor, key: a.value.key, ts: a.value.ts, base: bundle, commit: '', refs: [], statement: {} });
}

/** Every approval weighed against `p`: distinct approvers (one signer counts once), sorted. */
export function tally(approvals: readonly JsonObject[], p: Proposal, ctx: GovContext): Tally {
  const approvers = new Set<string>();
  const dropped: { actor: string; reason: string }[] = [];
  for (const o of approvals) {
    const v = verifyApproval(o, p, ctx);
    if (v.ok) approvers.add(v.value.actor);
    else dropped.push({ actor: typeof o.actor === 'string' ? o.actor : '(unknown)', reason: v.error.message });
  }
  return { approvers: [...approvers].sort(), dropped };
}

/** The members of a quorum's group in the graph ('@leads' -> the actors of group 'leads'). */
export function groupMembers(graph: TrustGraph, group: string): readonly string[] {
  return graph.groups.get(group.startsWith('@') ? group.slice(1) : group) ?? [];
}

/** A grant checked whole: its signer, its proposal, its Proof-of-Consensus; the approvals that count. */
export function verifyGovGrant(g: Grant, ctx: GovContext): Result<Tally> {
  const s = signer(ctx.graph, g.actor, g.key, g.ts, `the grant for proposal ${g.proposal.id}`);
  if (!s.ok) return s;
  const p = verifyProposal(g.proposal, ctx);
  if (!p.ok) return p;
  if (predates(g.ts, g.proposal)) return err(gateError('POLICY_DENY', `the grant for proposal ${g.proposal.id} is dated ${formatTime(g.ts)}, before its proposal (${formatTime(g.proposal.ts)})`, { hint: PREDATES_HINT }));
  const poc = proofOfConsensus(g.proposal.statement, g.approvals, g.rule, g.quorum);
  if (!poc.ok) return poc;
  if (poc.value !== g.poc) return err(gateError('PROOF_INVALID', `the grant for proposal ${g.proposal.id} carries Proof-of-Consensus ${g.poc}, but its envelope hashes to ${poc.value}`, { hint: 'the grant was changed after it was made: make it again with gatos gov grant' }));
  return ok(tally(g.approvals, g.proposal, ctx));
}

/** A revocation's signer: the proposer or a member of the quorum's group, with a key valid at its date. */
export function verifyGovRevocation(r: Revocation, p: Proposal, quorum: Quorum | undefined, graph: TrustGraph): Result<true> {
  if (r.proposal !== p.digest || r.proposalId !== p.id) return err(gateError('POLICY_DENY', `the revocation names proposal ${r.proposalId}, not ${p.id}`));
  if (predates(r.ts, p)) return err(gateError('POLICY_DENY', `the revocation by ${r.actor} is dated ${formatTime(r.ts)}, before the proposal it revokes (${formatTime(p.ts)})`, { hint: PREDATES_HINT }));
  const members = quorum ? groupMembers(graph, quorum.of) : [];
  if (r.actor !== p.actor && !members.includes(r.actor)) return err(gateError('POLICY_DENY', `${r.actor} may not revoke proposal ${p.id}: only its proposer or a member of ${quorum?.of ?? 'its quorum group'} may`));
  return signer(graph, r.actor, r.key, r.ts, `the revocation by ${r.actor}`);
}

// Producing (gatos gov): each statement signed by its actor's key.

export interface NewProposal {
  readonly id: string;
  readonly actor: string;
  readonly ts: number;
  readonly base: string;
  readonly commit: string;
  readonly refs: readonly string[];
  readonly title?: string;
}

export function makeProposal(p: NewProposal, key: SigningKey): Result<JsonObject> {
  const body: JsonObject = {
    actor: p.actor,
    base: p.base,
    change: { commit: p.commit, refs: [...new Set(p.refs)].sort() },
    id: p.id,
    ts: formatTime(p.ts),
    type: PROPOSAL_TYPE,
    v: 1,
    ...(p.title !== undefined ? { title: p.title } : {}),
  };
  const s = signStatement(body, key);
  if (!s.ok) return s;
  const back = readProposal(s.value);
  return back.ok ? ok(s.value) : back;
}

export function makeApproval(p: Proposal, a: { actor: string; ts: number; exp: number; bundle: string }, key: SigningKey): Result<JsonObject> {
  const s = signStatement({ actor: a.actor, bundle: a.bundle, exp: formatTime(a.exp), proposal: p.digest, proposal_id: p.id, ts: formatTime(a.ts), type: APPROVAL_TYPE, v: 1 }, key);
  if (!s.ok) return s;
  const back = readApproval(s.value);
  return back.ok ? ok(s.value) : back;
}

export function makeGovGrant(p: Proposal, approvals: readonly JsonObject[], g: { actor: string; ts: number; rule: string; quorum: Quorum }, key: SigningKey): Result<JsonObject> {
  const sorted = sortBySigner(approvals);
  const poc = proofOfConsensus(p.statement, sorted, g.rule, g.quorum);
  if (!poc.ok) return poc;
  return signStatement({ actor: g.actor, approvals: sorted, poc: poc.value, proposal: p.statement, quorum: { at_least: g.quorum.at_least, of: g.quorum.of }, rule: g.rule, ts: formatTime(g.ts), type: GOV_GRANT_TYPE, v: 1 }, key);
}

export function makeGovRevocation(p: Proposal, r: { actor: string; ts: number; reason: string }, key: SigningKey): Result<JsonObject> {
  return signStatement({ actor: r.actor, proposal: p.digest, proposal_id: p.id, reason: r.reason, ts: formatTime(r.ts), type: GOV_REVOCATION_TYPE, v: 1 }, key);
}
