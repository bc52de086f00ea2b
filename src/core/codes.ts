/**
 * Every error code the product reports. The first group is the GATOS
 * taxonomy a client sees on a refused push; the second names failures of
 * input that are refused before any decision is made.
 */
export const PRODUCT_CODES = [
  'POLICY_DENY',
  'CAP_EXPIRED',
  'FF_VIOLATION',
  'ACK_TIMEOUT',
  'DUP_COMMIT',
  'EPOCH_BROKEN',
  'PROOF_INVALID',
  /** A session merge whose merged state is not the join of the two sides under the fold's lattices (docs/sessions.md). */
  'SESSION_NOT_JOIN',
  /** A session merge over state no lattice covers where the sides differ: record a governance.conflict event (docs/sessions.md). */
  'SESSION_CONFLICT',
] as const;

export const INPUT_CODES = [
  /** Bytes that are not in the canonical form they claim (CBOR, JCS). */
  'ENCODING_INVALID',
  /** A digest, key, signature or id in the wrong textual form. */
  'VALUE_INVALID',
  /** A signature that does not verify. */
  'SIG_INVALID',
  /** A commit trailer missing or malformed. */
  'TRAILER_INVALID',
  /** A policy or fold source that does not compile. */
  'COMPILE_ERROR',
  /** A compiled artifact of an unknown version or shape. */
  'ARTIFACT_INVALID',
  /** A fold that ran out of fuel or memory, or failed at run time. */
  'FOLD_ERROR',
  /** git failed or answered something we could not read. */
  'GIT_ERROR',
  /** A missing file, bundle or configuration. */
  'NOT_FOUND',
  /** The gate itself failed (crash, time budget); the push is refused. */
  'GATE_ERROR',
  /** A command line that cannot be carried out as written. */
  'USAGE',
  /** A bus segment summary whose fields the window it closes does not give, or a rotation its topic's policy does not allow. */
  'SEGMENT_INVALID',
] as const;

export type ProductCode = (typeof PRODUCT_CODES)[number];
export type InputCode = (typeof INPUT_CODES)[number];
export type ErrorCode = ProductCode | InputCode;
