/**
 * The time budget of one decision, as a rule an operator can reason about:
 * a base plus an allowance per object the push brings (a journal event is
 * three: its commit, tree and event.cbor), with defaults per host (`gatos.host`). The hooks and `gatos
 * gate check` apply the same rule; the refusal names the settings and, when
 * the gate had measured its pace, a value that would have sufficed. Pure: the
 * caller measures the time (docs/decisions/0024-time-budget-per-object.md).
 */

import type { HostName } from './hosts';

export interface TimeBudget {
  /** Milliseconds for what every push costs (start-up, the active bundle, the policy); undefined: no time limit at all. */
  readonly baseMs: number | undefined;
  /** Milliseconds added for each object the push brings. */
  readonly perObjectMs: number;
  /** Where each part comes from, for messages: a setting, or the host's default. */
  readonly baseFrom: string;
  readonly perObjectFrom: string;
}

interface HostDefault {
  readonly baseMs: number | undefined;
  readonly perObjectMs: number;
}

/**
 * Per host. GitHub Enterprise stops every pre-receive hook after 5 s in all:
 * the gate refuses at 4.5 s from its own start, with its own message and
 * audit entry, and no allowance can buy time there. Every other host sets no
 * limit of its own: 4 s plus 1 ms per object (3 ms per event), about twice
 * what an event cost on this project's 2-core machine at load 16 and ten to
 * twenty times what it costs on a quiet one, so a large push is accepted on
 * a busy host and a stalled gate still ends (decision 0024).
 */
const HOST_DEFAULTS: Record<HostName, HostDefault> = {
  plain: { baseMs: 4000, perObjectMs: 1 },
  gitolite: { baseMs: 4000, perObjectMs: 1 },
  gitlab: { baseMs: 4000, perObjectMs: 1 },
  gitea: { baseMs: 4000, perObjectMs: 1 },
  forgejo: { baseMs: 4000, perObjectMs: 1 },
  ghes: { baseMs: 4500, perObjectMs: 0 },
};

export const DEFAULT_HOST: HostName = 'plain';
/** GitHub Enterprise Server's limit for all pre-receive hooks together. */
export const GHES_HOOK_LIMIT_MS = 5000;

/** The budget from the host and the operator's two settings (undefined: the host's default; baseMs null: `none`). */
export function timeBudget(host: HostName, baseMs: number | null | undefined, perObjectMs: number | undefined): TimeBudget {
  const d = HOST_DEFAULTS[host];
  const dflt = `the default of gatos.host=${host}`;
  return {
    baseMs: baseMs === undefined ? d.baseMs : baseMs === null ? undefined : baseMs,
    perObjectMs: perObjectMs ?? d.perObjectMs,
    baseFrom: baseMs === undefined ? dflt : 'gatos.timeBudgetMs',
    perObjectFrom: perObjectMs === undefined ? dflt : 'gatos.timeBudgetPerObjectMs',
  };
}

/** The limit for a push of `objects` objects, in ms; undefined: none. */
export function budgetLimitMs(b: TimeBudget, objects: number): number | undefined {
  return b.baseMs === undefined ? undefined : Math.round(b.baseMs + b.perObjectMs * objects);
}

/** 100000 -> "100,000" (no locale: same bytes everywhere). */
export function num(n: number): string {
  if (!Number.isInteger(n)) return String(n);
  const s = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return n < 0 ? `-${s}` : s;
}

/** "4,000 ms + 1 ms x 300,000 objects = 304,000 ms" */
export function budgetFormula(b: TimeBudget, objects: number): string {
  const limit = budgetLimitMs(b, objects);
  if (limit === undefined) return 'no time limit';
  return `${num(b.baseMs as number)} ms + ${num(b.perObjectMs)} ms x ${num(objects)} objects = ${num(limit)} ms`;
}

/** What the gate had done when its time ran out. */
export interface BudgetProgress {
  readonly elapsedMs: number;
  /** Objects the push brings: the budget's unit. */
  readonly objects: number;
  /** Commits the walks listed for checking so far, and whether every walk had ended. */
  readonly commits: number;
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
 * be judged, and the hint gives a floor.
 */
export function budgetExceeded(b: TimeBudget, p: BudgetProgress, host: HostName | undefined): { reason: string; hint: string } {
  const where = !p.counted && p.commits === 0 ? 'before the commits to check were listed' : `with ${num(p.checked)} of ${p.counted ? '' : 'at least '}${num(p.commits)} commits checked`;
  const reason = `the gate did not decide within its time budget: ${budgetFormula(b, p.objects)} (base from ${b.baseFrom}, per object from ${b.perObjectFrom}); it stopped after ${num(Math.round(p.elapsedMs))} ms, ${where}`;
  if (host === 'ghes') {
    return { reason, hint: `GitHub Enterprise stops every pre-receive hook after ${num(GHES_HOOK_LIMIT_MS)} ms in all, so no setting helps there: push fewer events at once (split the new commits over several pushes)` };
  }
  const base = b.baseMs ?? 0;
  const tail = '(in the bare repository; gatos gate check applies the same rule)';
  if (p.counted && p.commits > 0 && p.checked > 0 && p.objects > 0 && p.firstCheckedMs !== undefined) {
    const pace = (p.elapsedMs - p.firstCheckedMs) / p.checked;
    const estimate = 1.25 * (p.firstCheckedMs + pace * p.commits);
    const perObject = Math.ceil((100 * Math.max(0, estimate - base)) / p.objects) / 100;
    if (p.firstCheckedMs < base && perObject > b.perObjectMs) {
      return { reason, hint: `at the pace measured, about ${num(Math.round(estimate))} ms in all were needed: git config gatos.timeBudgetPerObjectMs ${perObject} would have sufficed ${tail}; or push fewer events at once` };
    }
  }
  const floor = roundUp(1.25 * Math.max(p.elapsedMs, base) + (p.counted ? 0 : base));
  return { reason, hint: `the base ran out before the commits were checked: git config gatos.timeBudgetMs ${floor} at least ${tail}; see where the time goes with GATOS_TRACE=1` };
}
