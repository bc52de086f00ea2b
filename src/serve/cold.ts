/**
 * Decisions the hooks made without the daemon (the cold path), for
 * gatos_cold_decisions_total and gatos_decisions_total: read from each
 * served repository's decision log (src/ops/decision-log.ts), what it holds
 * when the daemon starts and, on each scrape, what was appended since (a
 * cursor follows rotation). Lines the daemon wrote itself (via "daemon") are
 * counted where they are decided, not here. Adapter (filesystem).
 */
import type { DecisionRecord } from '../gate/decision-log';
import { GATE_FAILURE_CODES } from '../gate/verdict';
import type { ErrorCode } from '../core/codes';
import { decisionLogPath, readDecisionLog, type DecisionCursor } from '../ops/decision-log';
import type { Labels } from './metrics';

/** The labels of gatos_decisions_total for one cold decision of the log. */
export function coldLabels(repo: string, r: DecisionRecord): Labels {
  if (r.outcome === 'accepted') return { repo, outcome: 'allowed', code: '', rule: '' };
  const first = r.denials.find((d) => d.enforced) ?? r.denials[0];
  const code = r.code ?? first?.code ?? '';
  const error = GATE_FAILURE_CODES.has(code as ErrorCode);
  return { repo, outcome: error ? 'error' : 'denied', code, rule: first?.rule ?? r.rules[0] ?? '' };
}

/** Reads one repository's log from where the last read ended. */
export class ColdReader {
  private cursor: DecisionCursor | undefined;

  constructor(private readonly gitDir: string) {}

  /** The cold decisions appended since the last call (all of the log on the first); none when it cannot be read. */
  next(): DecisionRecord[] {
    const r = readDecisionLog(decisionLogPath(this.gitDir), this.cursor);
    if (!r.ok) return [];
    this.cursor = r.value.cursor;
    return r.value.records.filter((d) => d.via === 'cold');
  }
}
