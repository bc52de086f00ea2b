/**
 * The time budget and the progress of one decision. The budget is the rule
 * of src/gate/budget.ts (a base plus an allowance per object the push
 * brings, per host), known before the decision starts; a decision
 * that outlives it is abandoned and the push refused with GATE_ERROR, the
 * refusal naming the settings and what would have sufficed. The clock is a
 * safety net for the host (GitHub Enterprise allows 5 s for all hooks), not
 * part of any decision. The same counters drive the progress lines a large
 * push shows on `remote:`. Adapter (clock, timers).
 */
import { budgetLimitMs, type BudgetProgress, type TimeBudget } from '../gate';

/** What the decision reports as it goes (decide-push.ts, gather.ts). */
export interface Meter {
  /** A walk listed `n` more commits to check (the progress lines' total). */
  listed(n: number): void;
  /** Every walk has ended: the count is the push's whole. */
  allListed(): void;
  /** `n` more commits checked; `what` names them on the progress line ('events' on journals). */
  checked(n: number, what: 'events' | 'commits'): void;
}

/**
 * Pushes with at least this many commits to check show progress. git tells
 * a hook nothing about the client's terminal, so size is the rule: at 0.13
 * to 2 ms per commit, such a push takes from about a second to ten.
 */
export const PROGRESS_MIN_COMMITS = 5000;
/** At most one progress line per this many ms (git prints on each percent, and each second). */
const PROGRESS_EVERY_MS = 1000;

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export class DecisionMeter implements Meter {
  private commits = 0;
  private counted = false;
  private done = 0;
  private events = 0;
  private firstChecked: number | undefined;
  private lastPercent = -1;
  private lastPrint = 0;
  private what: 'events' | 'commits' = 'commits';
  private readonly start: number;

  /**
   * `elapsedMs`: time already spent when the meter starts (a hook counts from
   * its process's start, so Node's own start-up is inside the budget).
   * `write`: raw stderr (progress lines end in \r until the last); absent: no progress.
   */
  constructor(
    readonly budget: TimeBudget,
    /** Objects the push brings (push-objects.ts): the budget's unit. */
    private readonly objects: number,
    elapsedMs: number,
    private readonly write?: (text: string) => void,
  ) {
    this.start = nowMs() - elapsedMs;
  }

  listed(n: number): void {
    this.commits += n;
  }

  allListed(): void {
    this.counted = true;
  }

  checked(n: number, what: 'events' | 'commits'): void {
    this.firstChecked ??= this.elapsedMs();
    this.done += n;
    if (what === 'events') this.events += n;
    this.what = what;
    if (!this.write || !this.counted || this.commits < PROGRESS_MIN_COMMITS) return;
    const percent = Math.min(100, Math.floor((100 * this.done) / this.commits));
    const t = nowMs();
    if (this.done < this.commits && (percent === this.lastPercent || t - this.lastPrint < PROGRESS_EVERY_MS)) return;
    this.lastPercent = percent;
    this.lastPrint = t;
    const end = this.done >= this.commits ? ', done.\n' : '\r';
    this.write(`gatos gate: verifying ${this.what}: ${String(percent).padStart(3)}% (${this.done}/${this.commits})${end}`);
  }

  /** Events whose signatures and grants were checked so far (the decision log's events_verified). */
  get eventsVerified(): number {
    return this.events;
  }

  elapsedMs(): number {
    return nowMs() - this.start;
  }

  /** Milliseconds left before the budget runs out; undefined: no limit. */
  leftMs(): number | undefined {
    const limit = budgetLimitMs(this.budget, this.objects);
    return limit === undefined ? undefined : limit - this.elapsedMs();
  }

  progress(): BudgetProgress {
    return { elapsedMs: this.elapsedMs(), objects: this.objects, commits: this.commits, counted: this.counted, checked: this.done, ...(this.firstChecked !== undefined ? { firstCheckedMs: this.firstChecked } : {}) };
  }
}

/** setTimeout's longest delay; a longer budget re-arms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export type Timed<T> = { readonly done: true; readonly value: T } | { readonly done: false; readonly progress: BudgetProgress };

/** Runs `work` until it ends or the meter's budget runs out. */
export async function withBudget<T>(meter: DecisionMeter, work: () => Promise<T>): Promise<Timed<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Timed<T>>((resolve) => {
    const arm = (): void => {
      const left = meter.leftMs();
      if (left === undefined) return;
      if (left <= 0) resolve({ done: false, progress: meter.progress() });
      else timer = setTimeout(arm, Math.min(MAX_TIMER_MS, Math.ceil(left)));
    };
    arm();
  });
  try {
    return await Promise.race([work().then((value): Timed<T> => ({ done: true, value })), timeout]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
