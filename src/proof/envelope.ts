/**
 * Proof envelopes v1 (the FAQ's §3, "commitment proofs"): what a prover
 * states about one checkpoint, type-tagged by the kind of its proof.
 *
 *   {"type":"gatos/proof","v":1,"ns":…,"resource":"gatos://<repo>/<ns>/state",
 *    "checkpoint":<commit id>,"bundle":<bundle commit id>,
 *    "inputs_root":"blake3:…","output_root":"blake3:…",
 *    "policy_root":"sha256:…","fold_root":"sha256:…",
 *    "proof":{"kind":"commitment","bytes":<base64>,
 *             "fairness":{"actor":…,"key":"ed25519:…","ts":<RFC 3339>,"sig":"ed25519:…"}}}
 *
 * The statement is the envelope without `proof`; a commitment proof's
 * `bytes` are blake3 over the statement's canonical JSON, and
 * `proof.fairness.sig` signs the canonical JSON of the whole envelope with
 * that one `sig` member left out (so it covers the statement, the kind, the
 * bytes, the actor, the key and the time). The whole file is canonical JSON
 * (RFC 8785). policy_root is the FAQ's: sha256 of the compiled policy (the
 * bundle's Policy-Code-Root); `bundle` names the bundle commit (what
 * Policy-Root trailers name). docs/formats.md §11. Pure.
 */
import { canonicalJson, type JsonValue } from '../canon/jcs';
import { blake3 } from '../canon/digest';
import { formatPublicKey, formatSignature, parsePublicKey, parseSignature, sign, verify } from '../canon/ed25519';
import { err, gateError, ok, type Result } from '../core/result';
import { Fields, isObject, readCanonicalJson } from '../trust/shape';
import { formatTime, parseTime } from '../trust/time';
import type { JsonObject, SigningKey } from '../trust/statement';

export const PROOF_ENVELOPE_TYPE = 'gatos/proof';
export const PROOF_ENVELOPE_FILE = 'proof.json';
export const COMMITMENT = 'commitment';

/** The four public roots a proof records (the FAQ's list). */
export interface ProofRoots {
  readonly inputsRoot: string;
  readonly outputRoot: string;
  readonly policyRoot: string;
  readonly foldRoot: string;
}

/** What a proof is about: the checkpoint, the bundle it was folded under, where it lives. */
export interface ProofSubject extends ProofRoots {
  readonly ns: string;
  readonly resource: string;
  readonly checkpoint: string;
  readonly bundle: string;
}

export interface Fairness {
  readonly actor: string;
  readonly key: string;
  /** Epoch seconds. */
  readonly ts: number;
  readonly sig: string;
}

export interface ProofEnvelope extends ProofSubject {
  readonly proof: { readonly kind: string; readonly bytes: string; readonly fairness: Fairness };
}

/** One way a proof is wrong: the envelope field it is about, and what is wrong with it. */
export interface ProofProblem {
  readonly field: string;
  readonly message: string;
}

function statementJson(s: ProofSubject): JsonObject {
  return {
    bundle: s.bundle,
    checkpoint: s.checkpoint,
    fold_root: s.foldRoot,
    inputs_root: s.inputsRoot,
    ns: s.ns,
    output_root: s.outputRoot,
    policy_root: s.policyRoot,
    resource: s.resource,
    type: PROOF_ENVELOPE_TYPE,
    v: 1,
  };
}

function envelopeJson(e: ProofSubject, proof: { kind: string; bytes: string; fairness: Partial<Fairness> }): JsonObject {
  const f = proof.fairness;
  const fairness: Record<string, JsonValue> = {};
  if (f.actor !== undefined) fairness.actor = f.actor;
  if (f.key !== undefined) fairness.key = f.key;
  if (f.ts !== undefined) fairness.ts = formatTime(f.ts);
  if (f.sig !== undefined) fairness.sig = f.sig;
  return { ...statementJson(e), proof: { bytes: proof.bytes, fairness, kind: proof.kind } };
}

/** The commitment: blake3 over the statement's canonical JSON, as base64. */
export function commitmentBytes(s: ProofSubject): string {
  const bytes = canonicalJson(statementJson(s));
  if (!bytes.ok) throw new Error(bytes.error.message);
  return Buffer.from(blake3(bytes.value)).toString('base64');
}

/** The bytes `proof.fairness.sig` signs. */
function signedBytes(e: ProofSubject, proof: { kind: string; bytes: string; fairness: Omit<Fairness, 'sig'> }): Result<Uint8Array> {
  return canonicalJson(envelopeJson(e, proof));
}

export function encodeEnvelope(e: ProofEnvelope): Result<Uint8Array> {
  return canonicalJson(envelopeJson(e, e.proof));
}

/** A signed commitment proof of `s` by `actor` with `key` at `ts`. */
export function commitmentProof(s: ProofSubject, actor: string, key: SigningKey, ts: number): Result<ProofEnvelope> {
  const fairness = { actor, key: formatPublicKey(key.publicKey), ts };
  const proof = { kind: COMMITMENT, bytes: commitmentBytes(s), fairness };
  const bytes = signedBytes(s, proof);
  if (!bytes.ok) return bytes;
  return ok({ ...s, proof: { ...proof, fairness: { ...fairness, sig: formatSignature(sign(key.seed, bytes.value)) } } });
}

const HEX_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const BLAKE3 = /^blake3:[0-9a-f]{64}$/;
const SHA256 = /^sha256:[0-9a-f]{64}$/;

/** Reads an envelope strictly: canonical JSON, exactly these fields, each in its form. Kinds other than commitment parse; verifying them is a backend's job. */
export function parseEnvelope(bytes: Uint8Array, where: string): Result<ProofEnvelope> {
  const o = readCanonicalJson(bytes, where);
  if (!o.ok) return err({ ...o.error, code: 'PROOF_INVALID' });
  const f = new Fields(o.value, where);
  const fields = ['bundle', 'checkpoint', 'fold_root', 'inputs_root', 'ns', 'output_root', 'policy_root', 'proof', 'resource', 'type', 'v'];
  const checks = [f.only(fields), f.literal('type', PROOF_ENVELOPE_TYPE), f.literal('v', 1)];
  for (const c of checks) if (!c.ok) return err({ ...c.error, code: 'PROOF_INVALID' });
  const s = {
    ns: f.string('ns', /^[^/]+$/),
    resource: f.string('resource', /^gatos:\/\/[^/]+\/[^/]+\/.+$/),
    checkpoint: f.string('checkpoint', HEX_ID),
    bundle: f.string('bundle', HEX_ID),
    inputsRoot: f.string('inputs_root', BLAKE3),
    outputRoot: f.string('output_root', BLAKE3),
    policyRoot: f.string('policy_root', SHA256),
    foldRoot: f.string('fold_root', SHA256),
  };
  for (const r of Object.values(s)) if (!r.ok) return err({ ...r.error, code: 'PROOF_INVALID' });
  const p = o.value.proof;
  if (!isObject(p)) return err(gateError('PROOF_INVALID', `${where}: 'proof' must be an object {"kind", "bytes", "fairness"}`));
  const pf = new Fields(p, `${where}: proof`);
  const only = pf.only(['bytes', 'fairness', 'kind']);
  if (!only.ok) return err({ ...only.error, code: 'PROOF_INVALID' });
  const kind = pf.string('kind', /^[a-z][a-z0-9-]*$/);
  const pbytes = pf.string('bytes', /^[A-Za-z0-9+/]*={0,2}$/);
  if (!kind.ok) return err({ ...kind.error, code: 'PROOF_INVALID' });
  if (!pbytes.ok) return err({ ...pbytes.error, code: 'PROOF_INVALID' });
  const fo = p.fairness;
  if (!isObject(fo)) return err(gateError('PROOF_INVALID', `${where}: 'proof.fairness' must be an object {"actor", "key", "ts", "sig"}`));
  const ff = new Fields(fo, `${where}: proof.fairness`);
  const fOnly = ff.only(['actor', 'key', 'sig', 'ts']);
  if (!fOnly.ok) return err({ ...fOnly.error, code: 'PROOF_INVALID' });
  const actor = ff.string('actor', /^(?:user|agent|service):.+$/);
  const key = ff.string('key', /^ed25519:[0-9a-f]{64}$/);
  const sig = ff.string('sig', /^ed25519:[0-9a-f]{128}$/);
  const tsText = ff.string('ts');
  for (const r of [actor, key, sig, tsText]) if (!r.ok) return err({ ...r.error, code: 'PROOF_INVALID' });
  const ts = parseTime(tsText.ok ? tsText.value : '', `${where}: proof.fairness.ts`);
  if (!ts.ok) return err({ ...ts.error, code: 'PROOF_INVALID' });
  const v = (r: Result<string>): string => (r.ok ? r.value : '');
  return ok({
    ns: v(s.ns), resource: v(s.resource), checkpoint: v(s.checkpoint), bundle: v(s.bundle),
    inputsRoot: v(s.inputsRoot), outputRoot: v(s.outputRoot), policyRoot: v(s.policyRoot), foldRoot: v(s.foldRoot),
    proof: { kind: kind.value, bytes: pbytes.value, fairness: { actor: v(actor), key: v(key), sig: v(sig), ts: ts.value } },
  });
}

/**
 * The commitment backend's check of what the envelope holds by itself: its
 * bytes are the commitment to its statement, and its signature verifies
 * with its key. Whether the key is the actor's, and whether the roots are
 * the objects', are the caller's checks (checkRoots, the trust).
 */
export function checkCommitment(e: ProofEnvelope): ProofProblem[] {
  const out: ProofProblem[] = [];
  if (e.proof.kind !== COMMITMENT) return [{ field: 'proof.kind', message: `'${e.proof.kind}' has no verifier here (only '${COMMITMENT}' proofs are built; see docs/formats.md §11)` }];
  if (e.proof.bytes !== commitmentBytes(e)) out.push({ field: 'proof.bytes', message: 'is not the commitment (blake3) to the envelope\'s statement: a field was changed after it was committed' });
  const key = parsePublicKey(e.proof.fairness.key);
  const sig = parseSignature(e.proof.fairness.sig);
  const { sig: _sig, ...unsigned } = e.proof.fairness;
  const bytes = signedBytes(e, { kind: e.proof.kind, bytes: e.proof.bytes, fairness: unsigned });
  if (!key.ok || !sig.ok || !bytes.ok || !verify(key.value, bytes.value, sig.value)) out.push({ field: 'proof.fairness.sig', message: `does not verify with the key ${e.proof.fairness.key}` });
  return out;
}

/** Every field where the envelope differs from what the objects it names give. */
export function checkSubject(e: ProofSubject, want: ProofSubject): ProofProblem[] {
  const out: ProofProblem[] = [];
  const pairs: [string, string, string][] = [
    ['ns', e.ns, want.ns],
    ['resource', e.resource, want.resource],
    ['checkpoint', e.checkpoint, want.checkpoint],
    ['bundle', e.bundle, want.bundle],
    ['inputs_root', e.inputsRoot, want.inputsRoot],
    ['output_root', e.outputRoot, want.outputRoot],
    ['policy_root', e.policyRoot, want.policyRoot],
    ['fold_root', e.foldRoot, want.foldRoot],
  ];
  for (const [field, have, expected] of pairs) if (have !== expected) out.push({ field, message: `is ${have}, but the objects it names give ${expected}` });
  return out;
}

export function describeProblems(problems: readonly ProofProblem[]): string {
  return problems.map((p) => `${p.field} ${p.message}`).join('; ');
}
