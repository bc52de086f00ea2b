/**
 * Errors as values. Callers that must react to a failure get a Result and a
 * code to switch on; exceptions are reserved for programming errors.
 */
import type { ErrorCode } from './codes';
import type { SourceLocation } from './diagnostic';

export interface GateError {
  readonly code: ErrorCode;
  readonly message: string;
  /** What the user can do about it. */
  readonly hint?: string;
  /** Where in the user's input the problem is, when it comes from a file. */
  readonly location?: SourceLocation;
}

export type Result<T, E = GateError> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

export function gateError(code: ErrorCode, message: string, extra: { hint?: string; location?: SourceLocation } = {}): GateError {
  return { code, message, ...extra };
}

/** Unwraps a Result where a failure is a bug, not a user's mistake. */
export function expectOk<T>(r: Result<T, GateError>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}
