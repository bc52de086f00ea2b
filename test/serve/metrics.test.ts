/** The Prometheus text the daemon serves (src/serve/metrics.ts). Pure. */
import { Counter, GateMetrics, Histogram, decisionLabels, escapeLabel, exposition } from '../../src/serve/metrics';

describe('the exposition text', () => {
  it('writes HELP, TYPE and sorted series, label values escaped', () => {
    const c = new Counter({ name: 'x_total', help: 'things', type: 'counter' });
    c.inc({ repo: '/b' });
    c.inc({ repo: '/a', code: 'X' }, 2);
    c.inc({ repo: '/b' });
    expect(exposition([c])).toBe('# HELP x_total things\n# TYPE x_total counter\nx_total{code="X",repo="/a"} 2\nx_total{repo="/b"} 2\n');
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });

  it('writes a cumulative histogram with +Inf, sum and count', () => {
    const h = new Histogram({ name: 'd_seconds', help: 'h', type: 'histogram' }, [0.1, 1]);
    h.observe(0.05);
    h.observe(0.5);
    h.observe(3);
    expect(h.lines()).toEqual(['d_seconds_bucket{le="0.1"} 1', 'd_seconds_bucket{le="1"} 2', 'd_seconds_bucket{le="+Inf"} 3', 'd_seconds_sum 3.55', 'd_seconds_count 3']);
  });

  it('counts the cold decisions into gatos_decisions_total', () => {
    const m = new GateMetrics();
    const allowed = { repo: '/r', outcome: 'allowed', code: '', rule: '' };
    m.decisions.inc(allowed);
    m.coldDecisions.inc(allowed, 2);
    m.coldDecisions.inc({ ...allowed, outcome: 'denied', code: 'POLICY_DENY', rule: 'gate/event' });
    expect(m.text()).toContain('gatos_decisions_total{code="",outcome="allowed",repo="/r",rule=""} 3\n');
    expect(m.text()).toContain('gatos_decisions_total{code="POLICY_DENY",outcome="denied",repo="/r",rule="gate/event"} 1\n');
    expect(m.decisions.value(allowed)).toBe(1);
    for (const name of ['gatos_decision_seconds', 'gatos_events_verified_total', 'gatos_audit_write_failures_total', 'gatos_active_bundle_info', 'gatos_cold_decisions_total', 'gatos_budget_exceeded_total', 'gatos_decisions_ahead_total', 'gatos_request_waits_total']) expect(m.text()).toContain(`# TYPE ${name} `);
  });
});

describe('a decision\'s labels', () => {
  it('name the outcome and the first enforced denial', () => {
    expect(decisionLabels('/r', { accepted: true, denials: [] })).toEqual({ repo: '/r', outcome: 'allowed', code: '', rule: '' });
    const denials = [
      { code: 'A', ruleId: 'gate/a', enforced: false },
      { code: 'B', ruleId: 'gate/b', enforced: true },
    ];
    expect(decisionLabels('/r', { accepted: false, denials })).toEqual({ repo: '/r', outcome: 'denied', code: 'B', rule: 'gate/b' });
    expect(decisionLabels('/r', { accepted: false, denials: [], gateError: { code: 'GATE_ERROR' } })).toEqual({ repo: '/r', outcome: 'error', code: 'GATE_ERROR', rule: '' });
  });
});
