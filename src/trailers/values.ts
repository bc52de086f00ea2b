/**
 * Strict parsers for the values GATOS writes into trailers. Each returns a
 * Result with code VALUE_INVALID and a hint; the trailer-set readers wrap
 * these into TRAILER_INVALID problems that name the trailer.
 */
import { parseDigest, type Digest, type DigestAlg } from '../canon/digest';
import { parsePublicKey, parseSignature } from '../canon/ed25519';
import { hexLength, type ObjectFormat } from '../core/object-id';
import { err, gateError, ok, type Result } from '../core/result';

export type { Digest, DigestAlg };

export type { ObjectFormat };

/** A full commit id of `format`: lowercase hex of the exact length, never the zero id. */
export function parseCommitId(text: string, format: ObjectFormat): Result<string> {
  const want = hexLength(format);
  const hint = `write the full ${want}-digit lowercase hex id of the commit (a ${format} repository); abbreviations and ref names are not accepted`;
  if (!/^[0-9a-f]*$/.test(text)) {
    const what = /^[0-9a-fA-F]+$/.test(text) ? 'uppercase hex' : 'characters that are not hex';
    return err(gateError('VALUE_INVALID', `'${clip(text)}' is not a commit id: it contains ${what}`, { hint }));
  }
  if (text.length !== want) {
    const other = (['sha1', 'sha256'] as const).find((f) => hexLength(f) === text.length);
    return err(gateError('VALUE_INVALID', `'${clip(text)}' is not a commit id of this ${format} repository: expected ${want} hex digits, found ${text.length}${other ? ` (a ${other} id)` : ''}`, { hint }));
  }
  if (/^0+$/.test(text)) {
    return err(gateError('VALUE_INVALID', `'${text}' is the zero id, which names no commit`, { hint }));
  }
  return ok(text);
}

/** A prefixed digest whose algorithm the trailer fixes. */
export function parseDigestOf(alg: DigestAlg): (text: string) => Result<Digest> {
  return (text) => parseDigest(text, alg);
}

export const parseEd25519PublicKey = parsePublicKey;
export const parseEd25519Signature = parseSignature;

/** The one signature algorithm GATOS accepts; anything else is refused, never skipped. */
export function parseSigAlg(text: string): Result<'ed25519'> {
  if (text === 'ed25519') return ok('ed25519');
  return err(gateError('VALUE_INVALID', `'${clip(text)}' is not a supported signature algorithm`, { hint: "the only algorithm is 'ed25519' (lowercase)" }));
}

/** `name@version`, as in `pcg32@1`: the RNG id of Fold-RNG and of Fold-Engine's `rng=`. */
export interface VersionedName {
  readonly name: string;
  readonly version: string;
}

const NAME_RE = /^[a-z][a-z0-9]*$/;
/** Dot-separated numbers without leading zeros: `1`, `1.2`, `0.10.3`. */
const DOTTED_RE = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

export function parseVersionedName(text: string): Result<VersionedName> {
  const at = text.indexOf('@');
  const name = at < 0 ? text : text.slice(0, at);
  const version = at < 0 ? '' : text.slice(at + 1);
  if (at < 0 || !NAME_RE.test(name) || !DOTTED_RE.test(version)) {
    return err(gateError('VALUE_INVALID', `'${clip(text)}' is not '<name>@<version>'`, {
      hint: "write a lowercase name, '@' and a version of dot-separated numbers, e.g. 'pcg32@1'",
    }));
  }
  return ok({ name, version });
}

export function formatVersionedName(v: VersionedName): string {
  return `${v.name}@${v.version}`;
}

/** Fold-Math: `fixed-q<i>.<f>`, optionally `@<libversion>` (the EchoLua profile's form). */
export interface FoldMath {
  /** The number model as Fold-Engine's `num=` names it, e.g. `q32.32`. */
  readonly num: string;
  readonly libVersion?: string;
}

const FOLD_MATH_RE = /^fixed-(q(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*))(?:@((?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*))?$/;

export function parseFoldMath(text: string): Result<FoldMath> {
  const m = FOLD_MATH_RE.exec(text);
  if (!m) {
    return err(gateError('VALUE_INVALID', `'${clip(text)}' is not a fold math id`, { hint: "write 'fixed-q32.32', optionally followed by '@<library version>'" }));
  }
  const num = m[1] as string;
  return ok(m[2] === undefined ? { num } : { num, libVersion: m[2] });
}

export function formatFoldMath(m: FoldMath): string {
  return `fixed-${m.num}${m.libVersion === undefined ? '' : `@${m.libVersion}`}`;
}

/** Fold-Version: the fold's schema version, dot-separated numbers (`1`, `2.1`, `1.0.3`). */
export function parseFoldVersion(text: string): Result<string> {
  if (DOTTED_RE.test(text) && text.split('.').length <= 3) return ok(text);
  return err(gateError('VALUE_INVALID', `'${clip(text)}' is not a fold schema version`, { hint: "write one to three dot-separated numbers without leading zeros, e.g. '1' or '2.1'" }));
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
