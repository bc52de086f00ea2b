/**
 * The clock and randomness of client commands, in one place. GATOS_NOW
 * (an RFC 3339 UTC time) pins the clock for reproducible runs (tests, the
 * walkthrough); otherwise it is the system's. Adapter.
 */
import { randomBytes } from 'node:crypto';
import { err, gateError, ok, type Result } from '../core/result';
import { parseTime } from '../trust';

export function nowSeconds(env: NodeJS.ProcessEnv = process.env): Result<number> {
  const pinned = env.GATOS_NOW;
  if (pinned !== undefined && pinned !== '') {
    const t = parseTime(pinned, 'GATOS_NOW');
    return t.ok ? t : err(gateError('USAGE', t.error.message, { hint: t.error.hint }));
  }
  return ok(Math.floor(Date.now() / 1000));
}

export function random80(): Uint8Array {
  return new Uint8Array(randomBytes(10));
}

