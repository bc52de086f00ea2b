/**
 * Capability grants and revocations (gatos/trust/grants/, revocations/):
 * reading them strictly, signing new ones, and deciding which capabilities
 * an actor holds in a namespace at a time. Pure; see docs/formats.md §4.
 */
import { err, gateError, ok, type Result } from '../core/result';
import { signerAuthority } from './authorize';
import type { TrustGraph } from './graph';
import { Fields, readCanonicalJson } from './shape';
import { checkSignature, signStatement, statementId, type JsonObject, type SigningKey } from './statement';
import { formatTime } from './time';

export const GRANT_TYPE = 'gatos/grant';
export const REVOCATION_TYPE = 'gatos/revocation';
export const CAP_RE = /^[a-z0-9][a-z0-9._:-]*$/;
const NS_RE = /^[a-z0-9][a-z0-9._-]*$/;
const ID_RE = /^[0-9a-f]{64}$/;
const MAX_DELEGATION_DEPTH = 16;

export interface Grant {
  readonly id: string;
  readonly issuer: string;
  readonly subject: string;
  readonly caps: readonly string[];
  readonly audience: readonly string[];
  readonly iat: number;
  readonly exp: number;
  readonly prev: string | null;
  readonly revokes: readonly string[];
  readonly key: string;
}

export interface Revocation {
  readonly id: string;
  readonly issuer: string;
  readonly grant: string;
  readonly reason: string;
  readonly iat: number;
  readonly key: string;
}

function signerProblem(graph: TrustGraph, issuer: string, key: string, t: number, where: string): Result<true> {
  const a = signerAuthority(graph, issuer, key, t);
  if (a.ok) return ok(true);
  return err(gateError(a.code, `${where}: signed by its issuer ${issuer}, but ${a.reason}`, { hint: a.failed === 'key' ? `${a.hint}; re-issue it with the new key` : a.hint }));
}

function checkId(o: JsonObject, file: string, expected?: string): Result<string> {
  const id = statementId(o);
  if (!id.ok) return id;
  if (expected !== undefined && id.value !== expected) {
    return err(gateError('PROOF_INVALID', `${file}: the content id is ${id.value}, not the file's name ${expected}`, { hint: 'a grant or revocation file is named after its content id; the file was changed or renamed' }));
  }
  return ok(id.value);
}

/** The checks every signed statement ends with: its signature, its content id, and a key of the issuer valid when it was issued. */
function checkSigned(o: JsonObject, file: string, expectedId: string | undefined, graph: TrustGraph, issuer: string, iat: number): Result<{ id: string; key: string }> {
  const sig = checkSignature(o, file);
  if (!sig.ok) return sig;
  const id = checkId(o, file, expectedId);
  if (!id.ok) return id;
  const key = o.key as string;
  const signer = signerProblem(graph, issuer, key, iat, file);
  if (!signer.ok) return signer;
  return ok({ id: id.value, key });
}

/** Reads one grant file; `expectedId` is its file name without `.json`. Signature and issuer key are checked against `graph`. */
export function readGrant(bytes: Uint8Array, file: string, graph: TrustGraph, expectedId?: string): Result<Grant> {
  const o = readCanonicalJson(bytes, file);
  if (!o.ok) return o;
  const f = new Fields(o.value, file);
  for (const r of [f.only(['audience', 'caps', 'exp', 'iat', 'issuer', 'key', 'prev', 'revokes', 'sig', 'subject', 'type', 'v']), f.literal('type', GRANT_TYPE), f.literal('v', 1)]) if (!r.ok) return r;
  const issuer = f.actor('issuer');
  if (!issuer.ok) return issuer;
  const subject = f.actor('subject');
  if (!subject.ok) return subject;
  const caps = f.sortedSet('caps', CAP_RE);
  if (!caps.ok) return caps;
  if (caps.value.length === 0) return f.bad('caps', 'a non-empty list');
  const audience = f.sortedSet('audience', NS_RE);
  if (!audience.ok) return audience;
  const iat = f.time('iat');
  if (!iat.ok) return iat;
  const exp = f.time('exp');
  if (!exp.ok) return exp;
  if (exp.value <= iat.value) return f.bad('exp', "later than 'iat'");
  const prev = f.nullableString('prev', ID_RE);
  if (!prev.ok) return prev;
  const revokes = f.sortedSet('revokes', ID_RE);
  if (!revokes.ok) return revokes;
  const signed = checkSigned(o.value, file, expectedId, graph, issuer.value, iat.value);
  if (!signed.ok) return signed;
  const { id, key: keyText } = signed.value;
  return ok({ id, issuer: issuer.value, subject: subject.value, caps: caps.value, audience: audience.value, iat: iat.value, exp: exp.value, prev: prev.value, revokes: revokes.value, key: keyText });
}

export function readRevocation(bytes: Uint8Array, file: string, graph: TrustGraph, expectedId?: string): Result<Revocation> {
  const o = readCanonicalJson(bytes, file);
  if (!o.ok) return o;
  const f = new Fields(o.value, file);
  for (const r of [f.only(['grant', 'iat', 'issuer', 'key', 'reason', 'sig', 'type', 'v']), f.literal('type', REVOCATION_TYPE), f.literal('v', 1)]) if (!r.ok) return r;
  const issuer = f.actor('issuer');
  if (!issuer.ok) return issuer;
  const grant = f.string('grant', ID_RE);
  if (!grant.ok) return grant;
  const reason = f.string('reason', /^[^\n]{1,500}$/);
  if (!reason.ok) return reason;
  const iat = f.time('iat');
  if (!iat.ok) return iat;
  const signed = checkSigned(o.value, file, expectedId, graph, issuer.value, iat.value);
  if (!signed.ok) return signed;
  const { id, key: keyText } = signed.value;
  return ok({ id, issuer: issuer.value, grant: grant.value, reason: reason.value, iat: iat.value, key: keyText });
}

/** What an issuer states in a grant; the id and the signing key are added when it is signed. */
export type NewGrant = Omit<Grant, 'id' | 'key'>;

/** A signed grant's JSON and id. */
export function makeGrant(g: NewGrant, key: SigningKey): Result<{ id: string; json: JsonObject }> {
  const caps = [...new Set(g.caps)].sort();
  const bad = caps.find((c) => !CAP_RE.test(c));
  if (caps.length === 0 || bad !== undefined) return err(gateError('VALUE_INVALID', bad === undefined ? 'a grant needs at least one capability' : `capability ${JSON.stringify(bad)} is not valid`, { hint: "capabilities are like 'journal:append': a-z 0-9 . _ : -" }));
  const audience = [...new Set(g.audience)].sort();
  const badNs = audience.find((a) => !NS_RE.test(a));
  if (badNs !== undefined) return err(gateError('VALUE_INVALID', `audience ${JSON.stringify(badNs)} is not a namespace`, { hint: 'name namespaces, e.g. --audience finance' }));
  if (g.exp <= g.iat) return err(gateError('VALUE_INVALID', `the expiry ${formatTime(g.exp)} is not after the issue time ${formatTime(g.iat)}`, { hint: 'give --exp a future RFC 3339 time' }));
  const body: JsonObject = {
    audience,
    caps,
    exp: formatTime(g.exp),
    iat: formatTime(g.iat),
    issuer: g.issuer,
    prev: g.prev,
    revokes: [...new Set(g.revokes)].sort(),
    subject: g.subject,
    type: GRANT_TYPE,
    v: 1,
  };
  const signed = signStatement(body, key);
  if (!signed.ok) return signed;
  const id = statementId(signed.value);
  return id.ok ? ok({ id: id.value, json: signed.value }) : id;
}

export function makeRevocation(r: { issuer: string; grant: string; reason: string; iat: number }, key: SigningKey): Result<{ id: string; json: JsonObject }> {
  if (!ID_RE.test(r.grant)) return err(gateError('VALUE_INVALID', `${JSON.stringify(r.grant)} is not a grant id`, { hint: 'a grant id is 64 lowercase hex digits (gatos trust grant prints it)' }));
  if (!/^[^\n]{1,500}$/.test(r.reason)) return err(gateError('VALUE_INVALID', 'a revocation needs a one-line reason of at most 500 characters', { hint: "pass --reason 'left the team'" }));
  const signed = signStatement({ grant: r.grant, iat: formatTime(r.iat), issuer: r.issuer, reason: r.reason, type: REVOCATION_TYPE, v: 1 }, key);
  if (!signed.ok) return signed;
  const id = statementId(signed.value);
  return id.ok ? ok({ id: id.value, json: signed.value }) : id;
}

export type CapVerdict =
  | { readonly held: true; readonly grant: string; readonly exp: number }
  | { readonly held: false; readonly code: 'CAP_EXPIRED' | 'POLICY_DENY'; readonly reason: string };

/** Grants and revocations checked together: which grants are void, and who holds what. */
export class Capabilities {
  private readonly byId = new Map<string, Grant>();
  private readonly voided = new Map<string, string>();
  private readonly effective = new Map<string, boolean>();

  constructor(
    private readonly graph: TrustGraph,
    grants: readonly Grant[],
    revocations: readonly Revocation[],
  ) {
    for (const g of grants) this.byId.set(g.id, g);
    for (const r of revocations) {
      const target = this.byId.get(r.grant);
      if (!target || this.mayRevoke(r.issuer, target)) this.voided.set(r.grant, `revoked by ${r.issuer}: ${r.reason}`);
    }
    for (const g of grants) {
      for (const id of g.revokes) {
        const target = this.byId.get(id);
        if (!target || this.mayRevoke(g.issuer, target)) this.voided.set(id, `revoked by grant ${g.id} of ${g.issuer}`);
      }
    }
  }

  get grants(): readonly Grant[] {
    return [...this.byId.values()];
  }

  /** Why a grant is void, if it is. */
  voidReason(id: string): string | undefined {
    return this.voided.get(id);
  }

  private mayRevoke(actor: string, g: Grant): boolean {
    if (actor === g.issuer || this.graph.roots.includes(actor)) return true;
    const a = this.graph.actors.get(actor)?.level ?? -1;
    const b = this.graph.actors.get(g.issuer)?.level ?? Number.MAX_SAFE_INTEGER;
    return a >= b;
  }

  /** Not void, and its issuer may grant what it grants (a root, or holding each cap for at least as long and as wide). */
  isEffective(id: string, depth = 0, path: readonly string[] = []): boolean {
    const known = this.effective.get(id);
    if (known !== undefined) return known;
    const g = this.byId.get(id);
    let verdict = false;
    if (g && !this.voided.has(id) && depth < MAX_DELEGATION_DEPTH && !path.includes(id)) {
      verdict = this.graph.roots.includes(g.issuer) || g.caps.every((cap) => this.grantsOf(g.issuer).some((p) => p.caps.includes(cap) && p.exp >= g.exp && coversAudience(p.audience, g.audience) && this.isEffective(p.id, depth + 1, [...path, id])));
    }
    if (depth === 0) this.effective.set(id, verdict);
    return verdict;
  }

  private grantsOf(subject: string): Grant[] {
    return [...this.byId.values()].filter((g) => g.subject === subject);
  }

  /** Whether `actor` holds `cap` in namespace `ns` at `now` (epoch seconds). */
  holds(actor: string, cap: string, ns: string, now: number): CapVerdict {
    let expired: Grant | undefined;
    let lastReason = `${actor} holds no grant of '${cap}'`;
    for (const g of this.grantsOf(actor)) {
      if (!g.caps.includes(cap)) continue;
      if (g.audience.length > 0 && !g.audience.includes(ns)) {
        lastReason = `grant ${g.id} of '${cap}' is for ${g.audience.join(', ')}, not ${ns}`;
        continue;
      }
      if (!this.isEffective(g.id)) {
        lastReason = this.voided.get(g.id) ? `grant ${g.id} of '${cap}' is ${this.voided.get(g.id)}` : `grant ${g.id}: its issuer ${g.issuer} may not grant '${cap}'`;
        continue;
      }
      if (now < g.iat) {
        lastReason = `grant ${g.id} of '${cap}' is not valid before ${formatTime(g.iat)}`;
        continue;
      }
      if (now >= g.exp) {
        if (!expired || g.exp > expired.exp) expired = g;
        continue;
      }
      return { held: true, grant: g.id, exp: g.exp };
    }
    if (expired) return { held: false, code: 'CAP_EXPIRED', reason: `${actor}'s grant ${expired.id} of '${cap}' expired at ${formatTime(expired.exp)}` };
    return { held: false, code: 'POLICY_DENY', reason: lastReason };
  }
}

function coversAudience(parent: readonly string[], child: readonly string[]): boolean {
  if (parent.length === 0) return true;
  return child.length > 0 && child.every((c) => parent.includes(c));
}

