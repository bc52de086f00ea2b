/**
 * The time budget of one decision, as a rule an operator can reason about:
 * a base plus an allowance per commit the gate checks (each journal event is
 * one commit), with defaults per host (`gatos.host`). The hooks and `gatos
 * gate check` apply the same rule; the refusal names the settings and, when
 * the gate had measured its pace, a value that would have sufficed. Pure: the
 * caller measures the time (docs/decisions/0024-time-budget-per-commit.md).
 */

/** The hosts `gatos.host` names (install records it; docs/hosts/). */
export const GATE_HOSTS = ['plain', 'gitolite', 'gitlab', 'gitea', 'forgejo', 'ghes'] as const;
export type GateHost = (typeof GATE_HOSTS)[number];

export const isGateHost = (s: string): s is GateHost => (GATE_HOSTS as readonly string[]).includes(s);

export interface TimeBudget {
  /** Milliseconds for everything but the per-commit work (start-up, bundle, walks, policy); undefined: no time limit at all. */
  readonly baseMs: number | undefined;
  /** Milliseconds added for each commit the gate checks. */
  readonly perCommitMs: number;
  /** Where each part comes from, for messages: a setting, or the host's default. */
  readonly baseFrom: string;
  readonly perCommitFrom: string;
}

interface HostDefault {
  readonly baseMs: number | undefined;
  readonly perCommitMs: number;
}

/**
 * Per host. GitHub Enterprise stops every pre-receive hook after 5 s in all:
 * the gate refuses at 4.5 s from its own start, with its own message and
 * audit entry, and no allowance can buy time there. Every other host sets no
 * limit of its own: 4 s plus 2 ms per commit, about ten times what a commit
 * costs on a quiet machine (0.13 to 0.3 ms), so a large push is accepted on
 * a busy host too and a stalled gate still ends (decision 0024).
 */
const HOST_DEFAULTS: Record<GateHost, HostDefault> = {
  plain: { baseMs: 4000, perCommitMs: 2 },
  gitolite: { baseMs: 4000, perCommitMs: 2 },
  gitlab: { baseMs: 4000, perCommitMs: 2 },
  gitea: { baseMs: 4000, perCommitMs: 2 },
  forgejo: { baseMs: 4000, perCommitMs: 2 },
  ghes: { baseMs: 4500, perCommitMs: 0 },
};

export const DEFAULT_HOST: GateHost = 'plain';
/** GitHub Enterprise Server's limit for all pre-receive hooks together. */
export const GHES_HOOK_LIMIT_MS = 5000;

/** The budget from the host and the operator's two settings (undefined: the host's default; baseMs null: `none`). */
export function timeBudget(host: GateHost, baseMs: number | null | undefined, perCommitMs: number | undefined): TimeBudget {
  const d = HOST_DEFAULTS[host];
  const dflt = `the default of gatos.host=${host}`;
  return {
    baseMs: baseMs === undefined ? d.baseMs : baseMs === null ? undefined : baseMs,
    perCommitMs: perCommitMs ?? d.perCommitMs,
    baseFrom: baseMs === undefined ? dflt : 'gatos.timeBudgetMs',
    perCommitFrom: perCommitMs === undefined ? dflt : 'gatos.timeBudgetPerCommitMs',
  };
}

/** The limit for a push of `commits` commits to check, in ms; undefined: none. */
export function budgetLimitMs(b: TimeBudget, commits: number): number | undefined {
  return b.baseMs === undefined ? undefined : Math.round(b.baseMs + b.perCommitMs * commits);
}

/** 100000 -> "100,000" (no locale: same bytes everywhere). */
export function num(n: number): string {
  if (!Number.isInteger(n)) return String(n);
  const s = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}

/** "4000 ms + 2 ms x 100,000 commits = 204,000 ms" */
export function budgetFormula(b: TimeBudget, commits: number): string {
  const limit = budgetLimitMs(b, commits);
  if (limit === undefined) return 'no time limit';
  return `${num(b.baseMs as number)} ms + ${num(b.perCommitMs)} ms x ${num(commits)} commits = ${num(limit)} ms`;
}

/** What the gate had done when its time ran out. */
export interface BudgetProgress {
  readonly elapsedMs: number;
  /** Commits listed for checking so far (the walks may not all have ended). */
  readonly commits: number;
  /** Whether every update's walk had ended, so `commits` is the push's whole count. */
  readonly counted: boolean;
  /** Commits checked so far (events verified). */
  readonly checked: number;
  /** Elapsed ms when the first commit was checked; undefined: none was. */
  readonly firstCheckedMs?: number;
}

/** Rounds up to a value an operator would type: 2 significant digits. */
function roundUp(n: number): number {
  if (n <= 0) return 0;
  const step = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1);
  return Math.ceil(n / step) * step;
}

/**
 * The refusal's reason and hint when the budget ran out: the rule with its
 * numbers and, from the pace measured so far, a value that would have
 * sufficed. The estimate assumes the unchecked commits go at the pace of the
 * checked ones, plus 25%; before any commit was checked only the base can
 * be judged, and the hint says the figure is a floor.
 */
export function budgetExceeded(b: TimeBudget, p: BudgetProgress, host: GateHost): { reason: string; hint: string } {
  const what = p.counted ? `${num(p.commits)} commits to check` : p.commits === 0 ? 'before the commits to check were counted' : `at least ${num(p.commits)} commits to check (still counting)`;
  const done = p.checked > 0 ? `; it had checked ${num(p.checked)} of them` : '';
  const reason = `the gate did not decide within its time budget: ${budgetFormula(b, p.commits)} (base from ${b.baseFrom}, per commit from ${b.perCommitFrom}), ${p.counted || p.commits > 0 ? 'for ' : ''}${what}${done} after ${num(Math.round(p.elapsedMs))} ms`;
  if (host === 'ghes') {
    return { reason, hint: `GitHub Enterprise stops every pre-receive hook after ${num(GHES_HOOK_LIMIT_MS)} ms in all, so no setting helps there: push fewer events at once (split the new commits over several pushes)` };
  }
  const base = b.baseMs ?? 0;
  const where = '(in the bare repository; gatos gate check applies the same rule)';
  if (p.counted && p.commits > 0 && p.checked > 0 && p.firstCheckedMs !== undefined) {
    const pace = (p.elapsedMs - p.firstCheckedMs) / p.checked;
    const estimate = 1.25 * (p.firstCheckedMs + pace * p.commits);
    const perCommit = Math.ceil((10 * Math.max(0, estimate - base)) / p.commits) / 10;
    if (p.firstCheckedMs < base && perCommit > b.perCommitMs) {
      return { reason, hint: `at the pace measured, about ${num(Math.round(estimate))} ms in all were needed: git config gatos.timeBudgetPerCommitMs ${perCommit} would have sufficed ${where}; or push fewer commits at once` };
    }
  }
  const floor = roundUp(1.25 * Math.max(p.elapsedMs, base) + (p.counted ? 0 : base));
  return { reason, hint: `the base ran out before the commits were checked: git config gatos.timeBudgetMs ${floor} at least ${where}; see where the time goes with GATOS_TRACE=1` };
}
