/**
 * The contract between the fold engine and everything that runs folds (the
 * producer's checkpoint command, the gate's verifier). Both fold kinds (YAML
 * reducers and EchoLua) implement FoldRuntime; nothing outside src/fold
 * needs to know which kind it holds.
 *
 * Incremental by construction: the gate resumes from the last verified
 * checkpoint with `loadState` and feeds only the new events to `step`.
 * Folding a stream in one pass or in any number of resumptions must give
 * identical bytes from `saveState` and `emit`.
 */
import type { PrefixedDigest } from '../canon/digest';
import type { Result } from '../core/result';

/**
 * A value inside an event as a fold sees it. Integers are always bigint
 * (exact 64-bit); there are no floats: an event that carries one is refused
 * with FOLD_ERROR before any fold runs.
 */
export type FoldInput =
  | null
  | boolean
  | bigint
  | string
  | Uint8Array
  | readonly FoldInput[]
  | { readonly [key: string]: FoldInput };

/** One event on a journal, in the order the fold must see it. */
export interface FoldEvent {
  /** The journal ref it was read from, e.g. refs/gatos/journal/finance/user/alice. */
  readonly journal: string;
  /** The commit that carries it. */
  readonly commit: string;
  readonly ulid: string;
  readonly type: string;
  readonly actor: string;
  readonly payload: FoldInput;
}

/** Emitted state: repository-relative path -> canonical JSON bytes of that file. */
export type EmittedFiles = ReadonlyMap<string, Uint8Array>;

export interface FoldRuntime<S = unknown> {
  readonly kind: 'yaml' | 'echolua';
  /** sha256 of the compiled bytes, `sha256:<hex>`. */
  readonly foldRoot: PrefixedDigest;
  /** The Fold-Engine trailer value this runtime implements. */
  readonly engine: string;
  /** Journal ref globs the fold reads (from its definition). */
  readonly inputs: readonly string[];
  /**
   * Whether the compiled fold can draw from the engine's RNG (decided from
   * the compiled bytes alone, never from a run): a checkpoint folded by it
   * carries `Fold-RNG`, and one that is not carries none.
   */
  readonly usesRng: boolean;
  init(): S;
  /**
   * Folds a batch. A runtime from loadCompiledFold folds the batch in the
   * event order of src/fold/order.ts whatever order it arrives in, refuses
   * the same event twice, and skips events from journals its `inputs` do
   * not match (src/fold/batch.ts, the same for both kinds). May update
   * `state` in place: treat it as consumed, and after an error discard it.
   */
  step(state: S, events: readonly FoldEvent[]): Result<S>;
  emit(state: S): Result<EmittedFiles>;
  /** Whether emit(state) succeeds, and its error if not, without making the files' bytes (the gate's dry-run, decision 0013). */
  checkEmit(state: S): Result<void>;
  /** Canonical DAG-CBOR of the state, stored beside a checkpoint so the next one can resume. */
  saveState(state: S): Uint8Array;
  loadState(bytes: Uint8Array): Result<S>;
}
