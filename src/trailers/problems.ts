/**
 * What is wrong with a set of trailers. A reader collects every problem
 * before answering, so one refused push names all of them at once.
 */
import { formatDiagnostic } from '../core/diagnostic';
import type { GateError } from '../core/result';

export type TrailerProblemKind =
  /** A required trailer is absent. */
  | 'missing'
  /** The value does not parse as the trailer's type. */
  | 'malformed'
  /** A trailer that must appear once appears more often, or a repeatable one repeats a value. */
  | 'repeated'
  /** Trailers that parse alone but contradict each other. */
  | 'conflict';

export interface TrailerProblem extends GateError {
  readonly code: 'TRAILER_INVALID';
  /** The trailer's key as the schema spells it, e.g. 'State-Root'. */
  readonly trailer: string;
  readonly kind: TrailerProblemKind;
}

/** Every problem rendered like a compiler error, against the message it came from. */
export function describeTrailerProblems(problems: readonly TrailerProblem[], message: string): string {
  return problems
    .map((p) =>
      p.location
        ? formatDiagnostic({ severity: 'error', code: p.code, message: p.message, location: p.location, ...(p.hint ? { hint: p.hint } : {}) }, message)
        : `error: ${p.message} [${p.code}]${p.hint ? `\n  hint: ${p.hint}` : ''}`,
    )
    .join('\n');
}
