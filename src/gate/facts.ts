/**
 * What the adapter learned from the repository about one ref update, handed
 * to the pure decision. Every check that needs git (ancestry, the commits a
 * push brings, their paths, the verification of events and checkpoints
 * against the objects) happens in the adapter; the results arrive here as
 * plain values, each failure already carrying its code. Whether the signers
 * of verified events and checkpoints are trusted is decided here, from the
 * active bundle's trust (authority.ts), not by the adapter.
 */
import type { ProductCode, ErrorCode } from '../core/codes';
import type { RefUpdate } from './ref-update';
import type { EpochFact } from './epoch';
import type { BusFacts } from './bus';
import type { GovFacts } from './gov';

export interface CommitFact {
  readonly id: string;
  readonly parents: number;
  /** Paths the commit changes against any of its parents (the union over every parent of a merge; all paths for a root). */
  readonly paths: readonly string[];
  /** Whether the commit carries a gpgsig header (a signed commit). */
  readonly signed: boolean;
}

/** A check that failed: the code a client sees, and why. */
export interface Failure {
  readonly code: ProductCode | ErrorCode;
  readonly reason: string;
  readonly hint?: string;
  /** The commit the failure is about, when there is one. */
  readonly commit?: string;
  /** The gate rule to name instead of the check's usual one (e.g. RULES.updateHookJournalFirst). */
  readonly ruleId?: string;
  /** A checkpoint window's end is on no server journal ref (yet): the hook that knows the push's other refs words it. */
  readonly cause?: 'journal-not-on-server';
}

export interface PushedEvent {
  readonly commit: string;
  readonly type: string;
  readonly ulid: string;
  readonly actor: string;
  readonly ns: string;
  /** The signing key, `ed25519:<hex>`. */
  readonly signer: string;
  /** Epoch seconds. */
  readonly ts: number;
  readonly caps: readonly string[];
}

export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';

/** An object new to the repository in this push: its type and size, and a path that names it when a tree does. */
export interface ObjectFact {
  readonly id: string;
  readonly type: ObjectType;
  readonly size: number;
  /** Absent for commits, tags, root trees and anything that is a ref tip or behind a tag. */
  readonly path?: string;
}

export type EventFact = { readonly ok: true; readonly event: PushedEvent } | ({ readonly ok: false } & Failure);

/** A verified checkpoint folded under an ancestor of the active bundle: the policy decides whether it may land. */
export interface OlderBundle {
  /** The checkpoint commit. */
  readonly commit: string;
  readonly policyRoot: string;
  /** Whether its Fold-Root is still a fold of the active bundle. */
  readonly foldRootMatches: boolean;
}

export type CheckFact = { readonly ok: true; readonly detail: string } | ({ readonly ok: false } & Failure);

/** Who signed a verified checkpoint's proof, for the gate to weigh against the active trust (authority.ts). */
export interface ProofSigner {
  /** The checkpoint commit. */
  readonly commit: string;
  readonly actor: string;
  /** `ed25519:<hex>`. */
  readonly key: string;
  /** The proof's namespace. */
  readonly ns: string;
  /** The proof's time, epoch seconds. */
  readonly ts: number;
}

/** A checkpoint refolded identically: who signed it, and whether it was folded under an older bundle. */
export type CheckpointFact = { readonly ok: true; readonly detail: string; readonly signer: ProofSigner; readonly olderBundle?: OlderBundle } | ({ readonly ok: false } & Failure);

export interface UpdateFacts {
  readonly update: RefUpdate;
  /** old is an ancestor of new (false for creates and deletes). */
  readonly fastForward: boolean;
  /** The commits checked: the whole old..new range on protected refs, else the new ones. Oldest first. */
  readonly commits: readonly CommitFact[];
  /** For journal refs: one per event commit in `commits`, in the same order. */
  readonly events: readonly EventFact[];
  /** For state refs: the Proof-of-Fold verification of each new checkpoint. */
  readonly checkpoints: readonly CheckpointFact[];
  /** For policy refs: whether the pushed bundle loads (its policy compiles to its root, its trust verifies). */
  readonly bundle?: CheckFact;
  /**
   * What the new tip is, as git's own cat-file answered: its type and, for
   * an annotated tag, the type of the tag's target (checked against the
   * target itself), e.g. ['commit'] or ['tag', 'commit']; reading stops at
   * the first tag whose target is a tag (['tag', 'tag']). Absent for deletes.
   */
  readonly tip?: readonly ObjectType[];
  /** Every object new to the repository that the update brings; gathered only when gatos.maxObjectBytes is set. */
  readonly objects?: readonly ObjectFact[];
  /** A failure gathering the facts at all (an unreadable object): refuses the update. */
  readonly failure?: Failure;
  /** Epoch anchors, and journal and state updates under one (src/push/epoch.ts, src/gate/epoch.ts). */
  readonly epoch?: EpochFact;
  /** For bus refs (refs/gatos/mbus*): what the bus rules decide on (src/gate/bus.ts). */
  readonly bus?: BusFacts;
  /** Governance statements for a governance ref or the grants a policy change may use (src/push/gov.ts). */
  readonly governance?: GovFacts;
  /** For refs/gatos/audit/proofs/<ns>: each new proof commit's envelope checked against the objects it names (src/push/proofs.ts). */
  readonly proofs?: readonly CheckFact[];
  /** Session commits and session merges (refs/gatos/sessions/**, and a state ref a session merges into): src/push/session.ts. */
  readonly session?: readonly CheckFact[];
}
