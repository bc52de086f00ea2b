/**
 * Event times against push time: one rule (gate/event-time), one code
 * (POLICY_DENY), one place (this file). A key rotated out stays able to
 * sign: its holder can date an event before the rotation, and the trust
 * graph (which judges a key at the event's own `ts`) would accept it.
 * Bounding how far an event may lie before the push
 * (gatos.maxPastSkewSeconds, set by every template) closes that window to
 * the bound. Events too far in the future are refused by
 * gatos.maxFutureSkewSeconds, whatever value the operator sets.
 *
 * The ULID is minted by the same clock at the same moment as `ts`, so its
 * time must lie within the clock skew of `ts` (either side; a second more
 * ahead for ts's dropped milliseconds): a ULID centuries ahead would win
 * every last-writer-wins merge, one far behind would sort the event before
 * history it never saw. Pure.
 */
import { formatTime } from '../trust';
import { ulidTime } from '../canon/ulid';
import type { GateConfig } from './config';
import type { Denial } from './decide';
import type { EventFact } from './facts';
import { RULES } from './rules';

/** gatos.maxFutureSkewSeconds when unset: five minutes of clock skew between machines. */
export const DEFAULT_MAX_FUTURE_SKEW_SECONDS = 300;

export type TimeBounds = Pick<GateConfig, 'maxPastSkewSeconds' | 'maxFutureSkewSeconds'>;

/** Why an event dated `ts` with ULID `ulid` is out of bounds at `now` (epoch seconds), or undefined. */
export function eventTimeProblem(ts: number, ulid: string, now: number, b: TimeBounds): string | undefined {
  if (b.maxPastSkewSeconds !== undefined && ts < now - b.maxPastSkewSeconds) {
    return `it is dated ${formatTime(ts)}, ${now - ts} s before the push (${formatTime(now)}); this repository accepts events at most ${b.maxPastSkewSeconds} s old (gatos.maxPastSkewSeconds)`;
  }
  if (ts > now + b.maxFutureSkewSeconds) {
    return `it is dated ${formatTime(ts)}, ${ts - now} s after the push (${formatTime(now)}); at most ${b.maxFutureSkewSeconds} s of clock skew is accepted (gatos.maxFutureSkewSeconds)`;
  }
  const ms = ulidTime(ulid);
  const skewMs = b.maxFutureSkewSeconds * 1000;
  if (ms > ts * 1000 + skewMs + 999 || ms < ts * 1000 - skewMs) {
    const apart = Math.round(Math.abs(ms - ts * 1000) / 1000);
    return `its ULID ${ulid} carries the time ${new Date(ms).toISOString()}, ${apart} s ${ms > ts * 1000 ? 'after' : 'before'} its ts ${formatTime(ts)}; a ULID's time must lie within the clock skew of ts (${b.maxFutureSkewSeconds} s, gatos.maxFutureSkewSeconds)`;
  }
  return undefined;
}

export function eventTimeDenials(ref: string, events: readonly EventFact[], now: number, config: TimeBounds): Omit<Denial, 'enforced'>[] {
  const out: Omit<Denial, 'enforced'>[] = [];
  for (const e of events) {
    if (!e.ok) continue;
    const { ts, commit, ulid } = e.event;
    const problem = eventTimeProblem(ts, ulid, now, config);
    if (problem) out.push({ ref, code: 'POLICY_DENY', ruleId: RULES.eventTime.id, commit, reason: `event ${commit}: ${problem}`, hint: RULES.eventTime.hint });
  }
  return out;
}
