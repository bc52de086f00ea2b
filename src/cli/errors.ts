/**
 * How a command reports a user's mistake: a code, a message and a hint,
 * printed without a stack trace, and an exit status from the table in
 * docs/cli.md.
 */
import type { ErrorCode } from '../core/codes';
import type { GateError } from '../core/result';

export const EXIT = {
  OK: 0,
  /** The command ran and the answer is negative: a denial, a failed verification. */
  NEGATIVE: 1,
  /** The command line or its input cannot be used. */
  USAGE: 2,
  /** Something outside the user's input failed (git, the disk, a bug). */
  INTERNAL: 3,
} as const;

export class CliError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    readonly exitCode: number = EXIT.USAGE,
  ) {
    super(message);
  }

  static from(e: GateError, exitCode: number = EXIT.USAGE): CliError {
    return new CliError(e.code, e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.message}` : e.message, e.hint, exitCode);
  }
}

/** Sets the status a handler wants without throwing (e.g. a verify that says 'no'). */
export function setExitCode(code: number): void {
  process.exitCode = code;
}
