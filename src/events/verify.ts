/**
 * Verifying event commits (docs/formats.md §6): form, canonical bytes,
 * bindings, signature, the signer's trust, claimed capabilities and their
 * expiry, and on a whole journal the order of ULIDs. Every failure is a
 * GateError with the product's code. Adapter (reads git); the checks
 * themselves are plain functions of what was read.
 */
import { formatDigest } from '../canon/digest';
import { formatPublicKey, PUBLIC_KEY_LEN, SIGNATURE_LEN, verify } from '../canon/ed25519';
import { fromHex, toHex } from '../core/bytes';
import { derived } from '../git/parsed';
import type { ErrorCode } from '../core/codes';
import { err, gateError, ok, type Result } from '../core/result';
import { ACTIVE_POLICY_REF, actorIdentity, parseJournalRef } from '../actors';
import { loadBundle, type LoadedBundle } from '../bundle/load';
import type { Commit, GitRepo, Identity } from '../git';
import { describeTrailerProblems, EVENT_KEYS, parseEventTrailers } from '../trailers';
import { authorize } from '../trust';
import { eventTimeProblem, type TimeBounds } from '../gate/event-time';
import { eventMessage, isEventMessage } from './commit';
import { checkEnvelopeText, decodeEnvelope, type EncodedEnvelope } from './envelope';
import { checkFoldable, type KeepAnswer } from './foldable';
import { VerifyMemo } from './memo';
import { decodedEnvelope, readRawEvent, type EventFileRead } from './read';

export interface VerifyEventOptions {
  /** Epoch seconds. */
  readonly now: number;
  /** Check trust with the bundle the event binds (default) or with the active one. */
  readonly trust?: 'bound' | 'active';
  /** The event's commit, when the caller has read it already. */
  readonly commit?: Commit;
  /** Checks the signature elsewhere (another thread); the same ed25519 verify, the same answer. */
  readonly checkSignature?: (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => Promise<boolean>;
  /** readEventFile of `commit`, asked for by the caller with many others. */
  readonly file?: EventFileRead;
  /** false: never take the canonical-message shortcut (tests compare both ways). */
  readonly shortcut?: boolean;
  /**
   * The gate's active bundle: with it, every fold of the event's own bundle
   * and of this one that reads the journal must fold the event
   * (checkFoldable). Without it (gatos event verify) no fold runs.
   */
  readonly folds?: LoadedBundle;
  /** Clock bounds for `gatos event verify` (the gate applies them as rule gate/event-time instead). */
  readonly time?: TimeBounds;
  /** What this run verified so far (one per push or command): bundles loaded, envelopes verified (recorded here), the last journal parsed. */
  readonly memo?: VerifyMemo;
  /** false: do not keep this event's envelope in the memo (the gate, when no checkpoint in the push can read it). Default true. */
  readonly rememberEnvelope?: boolean;
}

export interface VerifiedEvent {
  readonly commit: string;
  readonly journal?: string;
  readonly encoded: EncodedEnvelope;
  /** The key that signed the envelope (the Signer trailer), `ed25519:<hex>`. */
  readonly signer: string;
  readonly parent?: string;
}

function fail(code: ErrorCode, commit: string, message: string, hint?: string): Result<never> {
  return err(gateError(code, `event ${commit}: ${message}`, hint ? { hint } : {}));
}

function sameIdentity(a: Identity, b: Identity): boolean {
  return a.name === b.name && a.email === b.email && a.seconds === b.seconds && a.tz === b.tz;
}

export async function verifyEvent(repo: GitRepo, id: string, journal: string | undefined, opts: VerifyEventOptions): Promise<Result<VerifiedEvent>> {
  const raw = await readRawEvent(repo, id, opts.commit, opts.file);
  if (!raw.ok) return raw;
  const { commit, envelopeBytes } = raw.value;
  const cid = commit.id;
  if (commit.parents.length > 1) return fail('PROOF_INVALID', cid, 'is a merge; journals are linear', 'journals move fast-forward only, one event per commit');
  const message = commit.message ?? '';
  const known = opts.shortcut === false ? undefined : canonicalEvent(message, envelopeBytes, repo.format);
  let enc: EncodedEnvelope;
  let t: { readonly sig: Uint8Array; readonly signer: Uint8Array };
  if (known) {
    enc = known.enc;
    t = known;
  } else {
    const trailers = parseEventTrailers(message, repo.format, { source: `commit ${cid.slice(0, 12)}` });
    if (!trailers.ok) return fail('TRAILER_INVALID', cid, `its trailers are not an event's:\n${describeTrailerProblems(trailers.error, message)}`, 'write events with gatos event add');
    const decoded = decodeEnvelope(envelopeBytes);
    if (!decoded.ok) return fail(decoded.error.code, cid, decoded.error.message, decoded.error.hint);
    enc = decoded.value;
    t = trailers.value;
    const { policy_root: policyRoot, fold_root: foldRoot } = enc.envelope;
    if (trailers.value.eventCid.text !== enc.cid) return fail('PROOF_INVALID', cid, `Event-CID ${trailers.value.eventCid.text} does not name its envelope (${enc.cid})`, 'the envelope or the trailer was changed after signing');
    if (trailers.value.policyRoot !== policyRoot) return fail('PROOF_INVALID', cid, `Policy-Root ${trailers.value.policyRoot} differs from the envelope's policy_root ${policyRoot}`);
    if (formatDigest(trailers.value.foldRoot) !== foldRoot) return fail('PROOF_INVALID', cid, `Fold-Root differs from the envelope's fold_root ${foldRoot}`);
  }
  const e = enc.envelope;
  const text = checkEnvelopeText(e);
  if (!text.ok) return fail(text.error.code, cid, text.error.message, text.error.hint);
  if (journal !== undefined) {
    const j = opts.memo ? opts.memo.journal(journal) : parseJournalRef(journal);
    if (!j.ok) return j;
    if (j.value.ns !== e.ns || j.value.actor.id !== e.actor) return fail('PROOF_INVALID', cid, `it is by ${e.actor} in namespace ${e.ns}, but sits on ${journal}`, 'an actor writes only to its own journal of the namespace');
  }
  const signed = opts.checkSignature ? await opts.checkSignature(t.signer, envelopeBytes, t.sig) : signatureHolds(t.signer, envelopeBytes, t.sig);
  if (!signed) return fail('SIG_INVALID', cid, `Sig does not verify over event.cbor with Signer ${formatPublicKey(t.signer)}`, 'the envelope or the signature was changed after signing');
  const who = actorIdentity(e.actor, e.ts);
  const expected = known ? ok(message) : eventMessage(enc, t.sig, t.signer);
  if (!sameIdentity(commit.author, who) || !sameIdentity(commit.committer, who) || !expected.ok || expected.value !== message || commit.extraHeaders.length > 0) {
    return fail('PROOF_INVALID', cid, 'its author, committer or message is not the one its envelope and signature determine', 'write events with gatos event add; do not amend them');
  }
  if (opts.time) {
    const late = eventTimeProblem(e.ts, e.ulid, opts.now, opts.time);
    if (late) return fail('POLICY_DENY', cid, late, 'check the clock of the machine that wrote it');
  }
  const loaded = opts.memo ? { loaded: opts.memo.bundles } : {};
  const bundle = await loadBundle(repo, e.policy_root, loaded);
  if (!bundle.ok) return fail(bundle.error.code, cid, bundle.error.message, bundle.error.hint);
  if (!bundle.value.manifest.folds.some((f) => f.foldRoot === e.fold_root)) return fail('PROOF_INVALID', cid, `its fold_root ${e.fold_root} is not a fold of bundle ${e.policy_root}`);
  let trustBundle: LoadedBundle = bundle.value;
  if (opts.trust === 'active') {
    const active = await repo.readRef(ACTIVE_POLICY_REF);
    if (!active.ok || !active.value) return fail('NOT_FOUND', cid, 'there is no active policy bundle', 'publish one with gatos policy publish');
    const ab = await loadBundle(repo, active.value, loaded);
    if (!ab.ok) return ab;
    trustBundle = ab.value;
  }
  const signer = known ? known.signerText : formatPublicKey(t.signer);
  const authority = authorize(trustBundle.trust, { actor: e.actor, key: signer, at: e.ts, ns: e.ns, caps: e.caps });
  if (!authority.ok) return fail(authority.code, cid, `${authority.reason} (trust of bundle ${trustBundle.commit})`, authority.hint);
  if (journal !== undefined && opts.folds) {
    const foldable = checkFoldable(foldingBundles(bundle.value, opts.folds), e, journal, cid, keptWithBytes(envelopeBytes));
    if (!foldable.ok) return foldable;
  }
  if (opts.rememberEnvelope !== false) opts.memo?.rememberEnvelope(cid, e);
  return ok({ commit: cid, encoded: enc, signer, ...(journal ? { journal } : {}), ...(commit.parents[0] ? { parent: commit.parents[0] } : {}) });
}

/** The bundles whose folds must fold an event: its own bundle's, then the active one's (checkFoldable). */
export function foldingBundles(own: LoadedBundle, active: LoadedBundle): LoadedBundle[] {
  return active.commit !== own.commit ? [own, active] : [own];
}

/**
 * Each fold's answer for an event kept with its event.cbor's bytes while
 * they are a loose object (src/git/parsed.ts; decision 0056): a function of
 * the bytes and of what foldableKey names, all in the key. The daemon's
 * prefetch folds a pushed event before its decision asks.
 */
export function keptWithBytes(bytes: Uint8Array): KeepAnswer {
  return (key, derive) => derived(bytes, key, derive);
}

/**
 * verify(signer, bytes, sig), once for the lifetime of the loose object
 * `bytes` are (src/git/parsed.ts): a function of the key, the bytes and the
 * signature, which are all in the key it is kept under.
 */
export function signatureHolds(signer: Uint8Array, bytes: Uint8Array, sig: Uint8Array): boolean {
  return derived(bytes, `ed25519 ${toHex(signer)} ${toHex(sig)}`, () => verify(signer, bytes, sig));
}

/** The signature and key an event's message carries where eventMessage writes them, if it does. */
export function eventSignature(message: string): { readonly sig: Uint8Array; readonly signer: Uint8Array } | undefined {
  const sig = hexAfter(message, SIG_LINE, SIGNATURE_LEN);
  const signer = hexAfter(message, SIGNER_LINE, PUBLIC_KEY_LEN);
  return sig && signer ? { sig: sig.bytes, signer: signer.bytes } : undefined;
}

const SIG_LINE = `\n${EVENT_KEYS.sig}: ed25519:`;
const SIGNER_LINE = `\n${EVENT_KEYS.signer}: ed25519:`;

/** The `len` bytes whose hex follows `line` in `message`, and that hex, if there is such a line. */
function hexAfter(message: string, line: string, len: number): { bytes: Uint8Array; hex: string } | undefined {
  const at = message.indexOf(line);
  if (at < 0) return undefined;
  const start = at + line.length;
  if (message.charCodeAt(start + 2 * len) !== 10) return undefined;
  const hex = message.slice(start, start + 2 * len);
  const bytes = fromHex(hex);
  return bytes ? { bytes, hex } : undefined;
}

/**
 * The shortcut for what the producer writes: an event's message follows
 * entirely from its envelope, signature and key (eventMessage). Take the
 * signature and key from where that message puts them, decode the envelope,
 * and compare the commit's message with the one eventMessage would write
 * (isEventMessage); if they are equal, every trailer is
 * present, well formed and bound to the envelope (Event-CID, Policy-Root,
 * Fold-Root), which is all parsing the trailers would establish. Any
 * difference, or a Policy-Root of the other object format, returns
 * undefined and the full parse runs, to name the problem. The signature and
 * key go into that comparison as the hex they were read from:
 * lowercase hex (all fromHex reads) is what formatSignature and
 * formatPublicKey write for those bytes.
 */
function canonicalEvent(message: string, envelopeBytes: Uint8Array, format: GitRepo['format']): { enc: EncodedEnvelope; sig: Uint8Array; signer: Uint8Array; signerText: string } | undefined {
  const sig = hexAfter(message, SIG_LINE, SIGNATURE_LEN);
  const signer = hexAfter(message, SIGNER_LINE, PUBLIC_KEY_LEN);
  if (!sig || !signer) return undefined;
  const decoded = decodedEnvelope(envelopeBytes);
  if (!decoded.ok || decoded.value.envelope.policy_root.length !== (format === 'sha1' ? 40 : 64)) return undefined;
  const signerText = `ed25519:${signer.hex}`;
  return isEventMessage(message, decoded.value, `ed25519:${sig.hex}`, signerText) ? { enc: decoded.value, sig: sig.bytes, signer: signer.bytes, signerText } : undefined;
}

/** Every event on a journal ref, oldest first; ULIDs must strictly increase. */
export async function verifyJournal(repo: GitRepo, journal: string, opts: VerifyEventOptions): Promise<Result<VerifiedEvent[]>> {
  const tip = await repo.readRef(journal);
  if (!tip.ok) return err(tip.error);
  if (!tip.value) return err(gateError('NOT_FOUND', `${journal} does not exist`, { hint: 'list journals with git for-each-ref refs/gatos/journal' }));
  const ids: string[] = [];
  for await (const id of repo.walk({ include: [tip.value], order: 'reverse-topo' })) {
    if (!id.ok) return err(id.error);
    ids.push(id.value);
  }
  const out: VerifiedEvent[] = [];
  let prev: VerifiedEvent | undefined;
  const each = { ...opts, memo: opts.memo ?? new VerifyMemo() };
  for (const id of ids) {
    const v = await verifyEvent(repo, id, journal, each);
    if (!v.ok) return v;
    if (prev && v.value.encoded.envelope.ulid <= prev.encoded.envelope.ulid) {
      return fail('DUP_COMMIT', id, `its ULID ${v.value.encoded.envelope.ulid} is not after ${prev.encoded.envelope.ulid} of the event before it`, 'each event on a journal needs a new, greater ULID');
    }
    if (prev && v.value.parent !== prev.commit) return fail('PROOF_INVALID', id, 'the journal is not linear');
    prev = v.value;
    out.push(v.value);
  }
  return ok(out);
}

