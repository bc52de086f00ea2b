/**
 * Decisions the hooks made without the daemon (the cold path), for
 * gatos_cold_decisions_total and gatos_decisions_total. Read from the
 * repository's decision log when it is scraped. Adapter (filesystem).
 */
import type { Outcome } from './metrics';

export interface ColdDecision {
  readonly outcome: Outcome;
  readonly code: string;
  readonly rule: string;
}

/** The cold decisions of the repository at `gitDir`, oldest first. */
export type ColdSource = (gitDir: string) => readonly ColdDecision[];

export const coldDecisions: ColdSource = () => [];
