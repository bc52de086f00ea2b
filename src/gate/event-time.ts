/**
 * Event times against push time. A key rotated out stays able to sign: its
 * holder can date an event before the rotation, and the trust graph (which
 * judges a key at the event's own `ts`) would accept it. Bounding how far an
 * event may lie before the push (gatos.maxPastSkewSeconds) closes that
 * window to the bound: a backdated event is refused once the push is later
 * than its date plus the bound. Events too far in the future are refused by
 * gatos.maxFutureSkewSeconds. Both under rule gate/event-time. Pure.
 */
import { formatTime } from '../trust';
import type { GateConfig } from './config';
import type { Denial } from './decide';
import type { EventFact } from './facts';
import { RULES } from './rules';

export function eventTimeDenials(ref: string, events: readonly EventFact[], now: number, config: Pick<GateConfig, 'maxPastSkewSeconds' | 'maxFutureSkewSeconds'>): Omit<Denial, 'enforced'>[] {
  const out: Omit<Denial, 'enforced'>[] = [];
  for (const e of events) {
    if (!e.ok) continue;
    const { ts, commit } = e.event;
    if (config.maxPastSkewSeconds !== undefined && ts < now - config.maxPastSkewSeconds) {
      out.push({ ref, code: 'POLICY_DENY', ruleId: RULES.eventTime.id, commit, reason: `event ${commit} is dated ${formatTime(ts)}, ${now - ts} s before the push (${formatTime(now)}); this repository accepts events at most ${config.maxPastSkewSeconds} s old (gatos.maxPastSkewSeconds)`, hint: RULES.eventTime.hint });
    } else if (ts > now + config.maxFutureSkewSeconds) {
      out.push({ ref, code: 'POLICY_DENY', ruleId: RULES.eventTime.id, commit, reason: `event ${commit} is dated ${formatTime(ts)}, ${ts - now} s after the push (${formatTime(now)}); at most ${config.maxFutureSkewSeconds} s of clock skew is accepted (gatos.maxFutureSkewSeconds)`, hint: RULES.eventTime.hint });
    }
  }
  return out;
}
