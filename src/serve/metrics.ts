/**
 * The daemon's metrics and their Prometheus text exposition (format 0.0.4:
 * https://prometheus.io/docs/instrumenting/exposition_formats/). Written
 * here rather than bundled from prom-client: the daemon needs counters, one
 * histogram and an info gauge, about 100 lines, where prom-client adds its
 * own registry, default process metrics and ~100 KB to the bundle
 * (docs/decisions/0025-daemon-transport.md). Output is deterministic:
 * families in a fixed order, series sorted by their label text. Pure.
 */

export type Labels = Readonly<Record<string, string>>;

/** Label values escaped as the text format requires: backslash, double quote, line feed. */
export function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? '' : `{${keys.map((k) => `${k}="${escapeLabel(labels[k] as string)}"`).join(',')}}`;
}

/** Numbers as Prometheus writes them: integers plainly, +Inf spelled out. */
function num(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Number.isNaN(v)) return 'NaN';
  return String(v);
}

interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
}

export class Counter {
  private readonly series = new Map<string, number>();
  constructor(readonly family: Family) {}

  inc(labels: Labels = {}, by = 1): void {
    const k = labelText(labels);
    this.series.set(k, (this.series.get(k) ?? 0) + by);
  }

  /** Sets a series outright (a count kept elsewhere, read when scraped). */
  set(labels: Labels, value: number): void {
    this.series.set(labelText(labels), value);
  }

  clear(): void {
    this.series.clear();
  }

  /** A copy with the series of `other` added (counts kept apart, e.g. the cold hooks' decisions). */
  plus(other: Counter): Counter {
    const c = new Counter(this.family);
    for (const [k, v] of this.series) c.series.set(k, v);
    for (const [k, v] of other.series) c.series.set(k, (c.series.get(k) ?? 0) + v);
    return c;
  }

  value(labels: Labels = {}): number {
    return this.series.get(labelText(labels)) ?? 0;
  }

  lines(): string[] {
    return [...this.series.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${this.family.name}${k} ${num(v)}`);
  }
}

/** Upper bounds in seconds: a warm decision takes milliseconds, a large push seconds. */
export const DECISION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly family: Family,
    private readonly buckets: readonly number[] = DECISION_BUCKETS,
  ) {
    this.counts = buckets.map(() => 0);
  }

  observe(v: number): void {
    this.sum += v;
    this.count++;
    for (const [i, le] of this.buckets.entries()) if (v <= le) this.counts[i] = (this.counts[i] ?? 0) + 1;
  }

  lines(): string[] {
    const n = this.family.name;
    return [...this.buckets.map((le, i) => `${n}_bucket{le="${num(le)}"} ${this.counts[i] ?? 0}`), `${n}_bucket{le="+Inf"} ${this.count}`, `${n}_sum ${num(this.sum)}`, `${n}_count ${this.count}`];
  }
}

type Metric = Counter | Histogram;

/** The families in exposition order. */
export function exposition(metrics: readonly Metric[]): string {
  const out: string[] = [];
  for (const m of metrics) {
    out.push(`# HELP ${m.family.name} ${m.family.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${m.family.name} ${m.family.type}`, ...m.lines());
  }
  return `${out.join('\n')}\n`;
}

/** Every metric the daemon exposes (docs/daemon.md lists them). */
export class GateMetrics {
  readonly decisions = new Counter({ name: 'gatos_decisions_total', help: 'Push decisions by repository, outcome (allowed, denied, error), and the first denial\'s code and rule (empty when allowed); daemon and cold hook together', type: 'counter' });
  readonly seconds = new Histogram({ name: 'gatos_decision_seconds', help: 'Time the daemon spent deciding a push, from its request to its verdict', type: 'histogram' });
  readonly events = new Counter({ name: 'gatos_events_verified_total', help: 'Events verified by the daemon\'s decisions', type: 'counter' });
  readonly auditFailures = new Counter({ name: 'gatos_audit_write_failures_total', help: 'Decisions whose audit entry could not be written', type: 'counter' });
  readonly bundle = new Counter({ name: 'gatos_active_bundle_info', help: 'The active policy bundle each served repository decides with: its commit and each fold root (value 1)', type: 'gauge' });
  readonly cold = new Counter({ name: 'gatos_cold_decisions_total', help: 'Decisions made by the hook without the daemon (from the repository\'s decision log)', type: 'counter' });
  /** The cold decisions by outcome, code and rule: exposed inside gatos_decisions_total. */
  readonly coldDecisions = new Counter(this.decisions.family);
  readonly budget = new Counter({ name: 'gatos_budget_exceeded_total', help: 'Decisions abandoned because they outlived the time budget (refused)', type: 'counter' });
  readonly ahead = new Counter({ name: 'gatos_decisions_ahead_total', help: 'Pushes decided before their request came (made), and by whether their request found every input unchanged (used) or not (discarded: decided again); pushes guessed but not decided ahead (skipped: their quarantine had its tries, or guesses kept missing), or decided in a way that cannot be vouched for (abandoned: it needed git, a read failed, the budget ran out)', type: 'counter' });
  readonly requestWaits = new Counter({ name: 'gatos_request_waits_total', help: 'Waits of the daemon on the CPU for a request once a push was decided ahead (on its long time slice or under SCHED_IDLE, at most 5 ms each), by the repository of that push and whether a request came (taken) or the time ran out (timed_out)', type: 'counter' });
  readonly scheduling = new Counter({ name: 'gatos_daemon_scheduling_info', help: 'How the daemon was scheduled at start: its --sched, the policy it runs under (normal or idle), its time slice in ns where it set one (empty: the kernel\'s) and whether it waits on the CPU for requests (value 1)', type: 'gauge' });

  /** The exposition; gatos_decisions_total holds the daemon's decisions and the cold ones. */
  text(): string {
    return exposition([this.decisions.plus(this.coldDecisions), this.seconds, this.events, this.auditFailures, this.bundle, this.cold, this.budget, this.ahead, this.requestWaits, this.scheduling]);
  }
}

/** The labels of one decision: its outcome and the first denial (or gate error). */
export function decisionLabels(repo: string, v: { accepted: boolean; gateError?: { code: string }; denials: readonly { code: string; ruleId: string; enforced: boolean }[] }): Labels {
  if (v.gateError) return { repo, outcome: 'error', code: v.gateError.code, rule: v.denials[0]?.ruleId ?? '' };
  const first = v.denials.find((d) => d.enforced) ?? v.denials[0];
  return { repo, outcome: v.accepted ? 'allowed' : 'denied', code: v.accepted ? '' : (first?.code ?? ''), rule: v.accepted ? '' : (first?.ruleId ?? '') };
}
