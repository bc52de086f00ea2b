/**
 * Event times against push time (rule gate/event-time, POLICY_DENY):
 * gatos.maxPastSkewSeconds refuses backdated events (what a stolen,
 * rotated-out key would sign), gatos.maxFutureSkewSeconds is honoured as
 * set. Real pushes into a regulated repository, which sets a one-day bound.
 */
import { readGateConfig } from '../../src/gate/config';
import { eventTimeDenials } from '../../src/gate/event-time';
import { formatTime } from '../../src/trust';
import { GateWorld, ulidAt } from '../helpers/gate-world';
import { expectRefused } from '../helpers/gate-scenarios';

describe('eventTimeDenials (pure)', () => {
  const ev = (ts: number) => ({ ok: true as const, event: { commit: 'c'.repeat(40), type: 't', ulid: ulidAt(ts), actor: 'user:a', ns: 'n', signer: 's', ts, caps: [] } });
  const now = 1_700_000_000;

  test('the bounds are inclusive; unset past bound means no limit', () => {
    const cfg = { maxPastSkewSeconds: 100, maxFutureSkewSeconds: 10 };
    expect(eventTimeDenials('r', [ev(now - 100), ev(now + 10), ev(now)], now, cfg)).toEqual([]);
    expect(eventTimeDenials('r', [ev(now - 101)], now, cfg).map((d) => [d.code, d.ruleId])).toEqual([['POLICY_DENY', 'gate/event-time']]);
    expect(eventTimeDenials('r', [ev(now + 11)], now, cfg).map((d) => d.ruleId)).toEqual(['gate/event-time']);
    expect(eventTimeDenials('r', [ev(0)], now, { maxFutureSkewSeconds: 10 })).toEqual([]);
  });

  test('gatos.maxPastSkewSeconds is read as whole seconds', () => {
    const c = readGateConfig([['gatos.maxpastskewseconds', '86400']]);
    expect(c.ok && c.value.maxPastSkewSeconds).toBe(86400);
    expect(readGateConfig([['gatos.maxpastskewseconds', '1d']]).ok).toBe(false);
  });
});

describe('backdated and future events over a real push (sha1, regulated)', () => {
  let w: GateWorld;
  let alice: string;
  const journal = (ns: string) => `refs/gatos/journal/${ns}/user/alice`;

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1' }).setup();
    alice = w.client('user:alice');
  });

  test('install set the regulated bound of one day', () => {
    expect(w.git(w.root, ['--git-dir', w.gitDir, 'config', 'gatos.maxPastSkewSeconds']).stdout.trim()).toBe('86400');
  });

  test('an event signed two days before the push is refused (POLICY_DENY, gate/event-time), audited', () => {
    // A valid key and grant at the event's own time: only its age gives it away.
    w.addEvent(alice, 'user:alice', 'ops1', [], { GATOS_NOW: formatTime(w.now - 2 * 86400) });
    expectRefused(w, () => w.push(alice, 'user:alice', [journal('ops1')]), 'POLICY_DENY', 'gate/event-time');
    expect(w.auditEntries().at(-1)?.denials.find((d) => d.rule === 'gate/event-time')?.reason).toMatch(/s before the push .* at most 86400 s old \(gatos\.maxPastSkewSeconds\)$/);
  });

  test('an event an hour old is accepted', () => {
    w.addEvent(alice, 'user:alice', 'ops2', [], { GATOS_NOW: formatTime(w.now - 3600) });
    const r = w.push(alice, 'user:alice', [journal('ops2')]);
    expect(r.stderr).not.toContain('DENIED');
    expect(r.status).toBe(0);
  });

  test('gatos.maxFutureSkewSeconds is honoured: 60 s set, an event 2 minutes ahead is refused', () => {
    w.git(w.root, ['--git-dir', w.gitDir, 'config', 'gatos.maxFutureSkewSeconds', '60']);
    w.addEvent(alice, 'user:alice', 'ops3', [], { GATOS_NOW: formatTime(Math.floor(Date.now() / 1000) + 120) });
    expectRefused(w, () => w.push(alice, 'user:alice', [journal('ops3')]), 'POLICY_DENY', 'gate/event-time');
  });
});
