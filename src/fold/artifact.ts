/**
 * The compiled fold artifact (`.rgf`), shared by both fold kinds: one
 * canonical DAG-CBOR map
 *
 *   { "format": "gatos/fold", "v": 1, "kind": "yaml" | "echolua",
 *     "inputs": [<journal ref glob>, ...], "elc": <ELC program> }
 *
 * Both kinds carry the same IR (ELC) under "elc"; `kind` records the source
 * language. No other top-level key is allowed. fold_root = sha256 of the
 * exact bytes. A YAML artifact from before the one IR (its body under
 * "yaml") is refused with a hint to recompile (docs/decisions/0020).
 */
import { decodeStrict, encodeCanonical, type CborValue } from '../canon/cbor';
import { sha256Text, type PrefixedDigest } from '../canon/digest';
import { err, gateError, ok, type Result } from '../core/result';
import { checkRefGlob } from './glob';

export const FOLD_FORMAT = 'gatos/fold';
export const FOLD_ARTIFACT_VERSION = 1;
export const FOLD_KINDS = ['yaml', 'echolua'] as const;
export type FoldKind = (typeof FOLD_KINDS)[number];
/** Where each kind keeps its body. */
export const BODY_KEY: Readonly<Record<FoldKind, string>> = { yaml: 'elc', echolua: 'elc' };

export interface FoldEnvelope {
  readonly kind: FoldKind;
  readonly inputs: readonly string[];
  /** The kind's body, as decoded. */
  readonly body: unknown;
}

/** The artifact bytes for a kind, its inputs and its body. */
export function encodeFoldArtifact(kind: FoldKind, inputs: readonly string[], body: CborValue): Uint8Array {
  return encodeCanonical({ format: FOLD_FORMAT, v: FOLD_ARTIFACT_VERSION, kind, inputs, [BODY_KEY[kind]]: body });
}

export function foldRootOf(bytes: Uint8Array): PrefixedDigest {
  return sha256Text(bytes);
}

function invalid(message: string, hint = 'recompile the fold with `gatos foldc`'): Result<never> {
  return err(gateError('ARTIFACT_INVALID', message, { hint }));
}

/** Decodes strictly and checks the common envelope; the body is left to the kind. */
export function readFoldEnvelope(bytes: Uint8Array): Result<FoldEnvelope & { readonly decoded: Readonly<Record<string, unknown>> }> {
  const decoded = decodeStrict(bytes, 'compiled fold');
  if (!decoded.ok) return decoded;
  const d = decoded.value;
  if (typeof d !== 'object' || d === null || Array.isArray(d) || d instanceof Uint8Array) return invalid('a compiled fold must be a CBOR map');
  const m = d as Readonly<Record<string, unknown>>;
  if (m.format !== FOLD_FORMAT) return invalid(`not a compiled fold: 'format' is ${JSON.stringify(m.format) ?? 'missing'}, expected '${FOLD_FORMAT}'`, 'pass a .rgf file written by `gatos foldc`');
  if (m.v !== FOLD_ARTIFACT_VERSION) {
    return invalid(`compiled fold version ${JSON.stringify(m.v) ?? 'missing'} is not supported (this engine reads v${FOLD_ARTIFACT_VERSION})`, 'recompile the fold with this version of `gatos foldc`');
  }
  const kind = m.kind;
  if (typeof kind !== 'string' || !(FOLD_KINDS as readonly string[]).includes(kind)) return invalid(`unknown fold kind ${JSON.stringify(kind) ?? 'missing'}; expected ${FOLD_KINDS.join(' or ')}`);
  const k = kind as FoldKind;
  if (k === 'yaml' && 'yaml' in m && !('elc' in m)) {
    return invalid(
      'this YAML fold was compiled before YAML folds were lowered to ELC (its body is normalized YAML); this engine runs only ELC',
      'recompile the source with `gatos foldc`; its fold_root changes, so re-pin it where it is named (docs/decisions/0020)',
    );
  }
  const allowed = new Set(['format', 'v', 'kind', 'inputs', BODY_KEY[k]]);
  const extra = Object.keys(m).filter((key) => !allowed.has(key));
  if (extra.length) return invalid(`unexpected key(s) in a compiled ${k} fold: ${extra.join(', ')}`);
  if (!(BODY_KEY[k] in m)) return invalid(`a compiled ${k} fold has no '${BODY_KEY[k]}' body`);
  const inputs = m.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every((g) => typeof g === 'string' && checkRefGlob(g).ok)) {
    return invalid("'inputs' must be a non-empty list of journal ref globs");
  }
  return ok({ kind: k, inputs: inputs as string[], body: m[BODY_KEY[k]], decoded: m });
}

export function isFoldKind(kind: string): kind is FoldKind {
  return (FOLD_KINDS as readonly string[]).includes(kind);
}
