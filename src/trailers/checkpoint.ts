/**
 * The trailers of a state checkpoint commit (GATOS draft, "State checkpoint
 * trailers"), read in one call that reports every missing, malformed,
 * repeated or contradictory trailer at once.
 *
 * Required: State-Root, Ledger-Head, Policy-Root, Fold-Root, Fold-Engine.
 * Optional: Policy-Code-Root, Fold-Version, Fold-Math, Fold-RNG,
 *           Inputs-Root, Ledger-Start.
 * Multi-journal folds: Ledger-Head repeats, once per journal folded, in
 * strictly ascending order of the ids (one canonical message per set), and
 * then Inputs-Root is required and Ledger-Start is refused (see
 * docs/trailers.md). Every other trailer appears at most once.
 */
import { formatDigest, type Digest } from '../canon/digest';
import { err, ok, type Result } from '../core/result';
import { formatFoldEngine, parseFoldEngine, type FoldEngine } from './fold-engine';
import type { TrailerInput } from './format';
import type { TrailerProblem } from './problems';
import { TrailerReader, type ReadOptions } from './reader';
import {
  formatFoldMath,
  formatVersionedName,
  parseCommitId,
  parseDigestOf,
  parseFoldMath,
  parseFoldVersion,
  parseVersionedName,
  type FoldMath,
  type ObjectFormat,
  type VersionedName,
} from './values';

export const CHECKPOINT_KEYS = {
  stateRoot: 'State-Root',
  ledgerHead: 'Ledger-Head',
  policyRoot: 'Policy-Root',
  foldRoot: 'Fold-Root',
  foldEngine: 'Fold-Engine',
  policyCodeRoot: 'Policy-Code-Root',
  foldVersion: 'Fold-Version',
  foldMath: 'Fold-Math',
  foldRng: 'Fold-RNG',
  inputsRoot: 'Inputs-Root',
  ledgerStart: 'Ledger-Start',
} as const;

export interface CheckpointTrailers {
  /** blake3 of the canonical state. */
  readonly stateRoot: Digest;
  /** The last journal commit folded, one per journal, ascending. */
  readonly ledgerHeads: readonly [string, ...string[]];
  /** The commit of the effective policy bundle. */
  readonly policyRoot: string;
  /** sha256 of the compiled fold bytes. */
  readonly foldRoot: Digest;
  readonly foldEngine: FoldEngine;
  /** sha256 of the compiled policy bytes (.rgc). */
  readonly policyCodeRoot?: Digest;
  readonly foldVersion?: string;
  readonly foldMath?: FoldMath;
  /** Present only when the fold used the RNG; equal to Fold-Engine's rng. */
  readonly foldRng?: VersionedName;
  /** blake3 over the fold's inputs; required when several journals are folded. */
  readonly inputsRoot?: Digest;
  /** The first journal commit of this checkpoint's window (single journal only). */
  readonly ledgerStart?: string;
}

const K = CHECKPOINT_KEYS;

export function parseCheckpointTrailers(message: string, objectFormat: ObjectFormat, options: ReadOptions = {}): Result<CheckpointTrailers, TrailerProblem[]> {
  const r = new TrailerReader(message, options);
  const commit = (text: string) => parseCommitId(text, objectFormat);
  const oidHint = `<${objectFormat === 'sha1' ? 40 : 64}-hex commit id>`;

  const stateRoot = r.required(K.stateRoot, parseDigestOf('blake3'), 'blake3:<64 hex>');
  const heads = r.atLeastOne(K.ledgerHead, commit, oidHint);
  const policyRoot = r.required(K.policyRoot, commit, oidHint);
  const foldRoot = r.required(K.foldRoot, parseDigestOf('sha256'), 'sha256:<64 hex>');
  const foldEngine = r.required(K.foldEngine, parseFoldEngine, 'echo@<semver>+elc@<semver>+num=q32.32+rng=pcg32@<version>');
  const policyCodeRoot = r.optional(K.policyCodeRoot, parseDigestOf('sha256'));
  const foldVersion = r.optional(K.foldVersion, parseFoldVersion);
  const foldMath = r.optional(K.foldMath, parseFoldMath);
  const foldRng = r.optional(K.foldRng, parseVersionedName);
  const inputsRoot = r.optional(K.inputsRoot, parseDigestOf('blake3'));
  const ledgerStart = r.optional(K.ledgerStart, commit);

  // Several journals: a canonical order, no duplicates, and a root over the inputs.
  for (let i = 1; i < heads.length; i++) {
    const prev = heads[i - 1] as (typeof heads)[number];
    const cur = heads[i] as (typeof heads)[number];
    if (cur.value === prev.value) {
      r.add(K.ledgerHead, 'repeated', `'${K.ledgerHead}' names ${cur.value} twice (lines ${prev.at.line} and ${cur.at.line})`, cur.at, 'name each journal head once');
    } else if (cur.value < prev.value) {
      r.add(K.ledgerHead, 'conflict', `'${K.ledgerHead}' lines are not in ascending order: ${cur.value} (line ${cur.at.line}) comes after ${prev.value} (line ${prev.at.line})`, cur.at, 'list one Ledger-Head per journal, sorted by commit id, so every writer produces the same message');
    }
  }
  const ledgerHeadCount = r.count(K.ledgerHead);
  if (ledgerHeadCount > 1) {
    if (r.count(K.inputsRoot) === 0) {
      r.missing(K.inputsRoot, `'${K.inputsRoot}' is required when a checkpoint folds several journals (${ledgerHeadCount} '${K.ledgerHead}' lines)`, `add '${K.inputsRoot}: blake3:<64 hex>' over the merged inputs`);
    }
    if (ledgerStart) {
      r.add(K.ledgerStart, 'conflict', `'${K.ledgerStart}' names one journal's window but the checkpoint folds ${ledgerHeadCount} journals`, ledgerStart.at, `drop '${K.ledgerStart}': with several journals the window starts at the previous checkpoint's heads`);
    }
  }

  // Optional trailers must agree with Fold-Engine, which is what the verifier runs.
  if (foldEngine && foldMath && foldMath.value.num !== foldEngine.value.num) {
    r.add(K.foldMath, 'conflict', `'${K.foldMath}' says ${foldMath.value.num} but '${K.foldEngine}' says num=${foldEngine.value.num}`, foldMath.at, 'both must name the same number model');
  }
  if (foldEngine && foldRng && formatVersionedName(foldRng.value) !== formatVersionedName(foldEngine.value.rng)) {
    r.add(K.foldRng, 'conflict', `'${K.foldRng}' says ${formatVersionedName(foldRng.value)} but '${K.foldEngine}' says rng=${formatVersionedName(foldEngine.value.rng)}`, foldRng.at, 'both must name the same RNG and version');
  }

  if (r.problems.length > 0 || !stateRoot || !policyRoot || !foldRoot || !foldEngine || heads.length === 0) return err(r.problems);
  return ok({
    stateRoot: stateRoot.value,
    ledgerHeads: heads.map((h) => h.value) as [string, ...string[]],
    policyRoot: policyRoot.value,
    foldRoot: foldRoot.value,
    foldEngine: foldEngine.value,
    ...(policyCodeRoot ? { policyCodeRoot: policyCodeRoot.value } : {}),
    ...(foldVersion ? { foldVersion: foldVersion.value } : {}),
    ...(foldMath ? { foldMath: foldMath.value } : {}),
    ...(foldRng ? { foldRng: foldRng.value } : {}),
    ...(inputsRoot ? { inputsRoot: inputsRoot.value } : {}),
    ...(ledgerStart ? { ledgerStart: ledgerStart.value } : {}),
  });
}

/** The trailers of `c` in the canonical order (the draft's order, then ours); feed them to formatTrailers. */
export function checkpointTrailerInputs(c: CheckpointTrailers): TrailerInput[] {
  const out: TrailerInput[] = [{ key: K.stateRoot, value: formatDigest(c.stateRoot) }];
  for (const h of [...c.ledgerHeads].sort()) out.push({ key: K.ledgerHead, value: h });
  out.push(
    { key: K.policyRoot, value: c.policyRoot },
    { key: K.foldRoot, value: formatDigest(c.foldRoot) },
    { key: K.foldEngine, value: formatFoldEngine(c.foldEngine) },
  );
  if (c.policyCodeRoot) out.push({ key: K.policyCodeRoot, value: formatDigest(c.policyCodeRoot) });
  if (c.foldVersion !== undefined) out.push({ key: K.foldVersion, value: c.foldVersion });
  if (c.foldMath) out.push({ key: K.foldMath, value: formatFoldMath(c.foldMath) });
  if (c.foldRng) out.push({ key: K.foldRng, value: formatVersionedName(c.foldRng) });
  if (c.inputsRoot) out.push({ key: K.inputsRoot, value: formatDigest(c.inputsRoot) });
  if (c.ledgerStart !== undefined) out.push({ key: K.ledgerStart, value: c.ledgerStart });
  return out;
}
