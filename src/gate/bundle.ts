/** The active policy bundle, as the decision needs it. Pure: the adapter reads and loads it. */
import type { CompiledPolicy } from '../rgs';
import type { TrustSet } from '../trust';

export interface FoldDecl {
  readonly id: string;
  readonly foldRoot: string;
  readonly engine: string;
  readonly inputs: readonly string[];
}

export interface ActiveBundle {
  /** The bundle commit id (what Policy-Root trailers name). */
  readonly commit: string;
  /** sha256:<hex> of compiled/policy.rgc. */
  readonly policyCodeRoot: string;
  readonly policy: CompiledPolicy;
  readonly trust: TrustSet;
  readonly folds: readonly FoldDecl[];
}
