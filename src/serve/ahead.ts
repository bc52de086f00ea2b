/**
 * Deciding a push before its hook asks (decision 0057). git unpacks a push
 * into its quarantine, checks the objects' connectivity (about 10 ms for a
 * one-event push) and only then starts pre-receive; the warm daemon reads
 * the quarantine meanwhile (src/serve/prefetch-watch.ts). Here it also
 * guesses the push's update lines and environment from the repository's
 * last push (the same client extending the same refs: a journal's usual
 * push) and decides them, exactly as a request would be decided, with no
 * side effect: no audit entry, no decision log, no verdict record, no
 * bundle loaded (only the one the daemon keeps warm). It starts no git
 * process and reads no object larger than the daemon keeps: a decision that
 * would need either ends there, undecided, and its request decides as
 * before (docs/security.md, eighth pass, which also bounds how often one
 * quarantine is guessed from and decided).
 *
 * When the request comes, the decision made ahead stands in for the one the
 * request would make only if every input is the same: the update lines byte
 * for byte, every variable of the environment it read and every one of
 * git's (env-reads.ts, decision 0061), the working directory, the second it is
 * decided in, the very settings object (src/push/settings-cache.ts hands
 * out the same one only while nothing git reads them from changed), every
 * ref the decision read still at the value it read (the active bundle's
 * among them), every ref listing the same, and no git process started
 * (whose answers nothing here follows). Everything else it read is an object
 * named by its hash. Any difference, or any doubt, and the request is
 * decided as if nothing had been guessed. Adapter (git, filesystem, clock).
 */
import type { GateConfig } from '../gate';
import { parseUpdateLines } from '../gate';
import { openRepo, type GitRepo, type ObjectFormat } from '../git';
import type { LooseCache } from '../git/loose';
import { RepoReads } from '../git/observe';
import type { GateBundle } from '../push/active-bundle';
import { decidePush, type PushOutcome } from '../push/decide-push';
import { PREFETCH_MAX_INFLATED } from '../push/prefetch';
import { DecisionMeter, withBudget } from '../push/watchdog';
import { VerifyMemo } from '../events/memo';
import type { Result } from '../core/result';
import { keepNewest } from '../core/newest';
import { EnvReads } from './env-reads';

/**
 * A last push of more update lines than this is not guessed from: each guess reads every ref it named, and a ref that
 * is not loose costs a parse of packed-refs (0.8 ms with 1,000 refs packed, 12 ms with 15,000, load 3.6), on up to
 * four reads of every push's quarantine (docs/security.md, 8.6). A journal's usual push names one ref.
 */
export const AHEAD_MAX_UPDATES = 8;

/**
 * How often one quarantine is guessed from and decided ahead. The daemon reads a quarantine again after each pause in
 * git's writes, and git unpacks a small push as its bytes arrive, so a pusher sending slowly chooses how many reads
 * there are: each read guesses (reading every quarantine object and every ref the last push named) and each guess
 * decided the push again, every event written so far (docs/security.md, 8.2 and 8.7). git writes a small push's
 * objects 1-2 ms apart: a read or two guesses it whole.
 */
export class AheadTries {
  private readonly byQuarantine = new Map<string, { guesses: number; decisions: number; asked: boolean }>();

  constructor(
    readonly maxGuesses = 4,
    readonly maxDecisions = 2,
    /** Quarantines remembered at most, the oldest forgotten first (one whose push git refused never has a request). */
    private readonly kept = 64,
  ) {}

  private of(quarantine: string): { guesses: number; decisions: number; asked: boolean } {
    let t = this.byQuarantine.get(quarantine);
    if (!t) {
      t = { guesses: 0, decisions: 0, asked: false };
      keepNewest(this.byQuarantine, quarantine, t, this.kept);
    }
    return t;
  }

  /** Whether another read of `quarantine` may be guessed from. */
  guess(quarantine: string): boolean {
    const t = this.of(quarantine);
    if (t.guesses >= this.maxGuesses) return false;
    t.guesses++;
    return true;
  }

  /** The number of this decision of `quarantine` (1, 2, ...), or 0 when it had its decisions. */
  decide(quarantine: string): number {
    const t = this.of(quarantine);
    if (t.decisions >= this.maxDecisions) return 0;
    return ++t.decisions;
  }

  /** Its request came: nothing more is guessed or decided for `quarantine` (git moving its objects out reads it again). */
  asked(quarantine: string): void {
    const t = this.of(quarantine);
    t.guesses = this.maxGuesses;
    t.decisions = this.maxDecisions;
    t.asked = true;
  }

  /** Whether the request of `quarantine` came already (a decision made ahead that ends after it is of no use). */
  wasAsked(quarantine: string): boolean {
    return this.byQuarantine.get(quarantine)?.asked === true;
  }
}

/** A decision made ahead, and every input it was made from. */
export interface Ahead {
  readonly stdin: string;
  /** What the decision read of the environment it guessed (decision 0061): the request's must agree there, and in git's variables. */
  readonly envReads: EnvReads;
  readonly cwd: string;
  readonly now: number;
  readonly config: GateConfig;
  readonly reads: RepoReads;
  readonly outcome: PushOutcome;
  /** Events the decision verified (the metrics count them when it is used). */
  readonly events: number;
}

/** What a request brings, as the daemon read it, to compare with a decision made ahead. */
export interface Asked {
  readonly stdin: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly now: number;
  readonly config: GateConfig;
}

/** The last push the daemon decided for a repository: what the next one is guessed from. */
export interface LastPush {
  readonly stdin: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly gitDir: string;
}

export interface QuarantineCommit {
  readonly id: string;
  readonly parents: readonly string[];
}

/**
 * Each tip among a quarantine's commits (one no other of them has as a
 * parent) with the commit its first-parent line leaves the quarantine at:
 * the ref it extends held that commit. A line that loops, or a commit with
 * no parent, has none.
 */
export function quarantineTips(commits: readonly QuarantineCommit[]): Map<string, string> {
  const byId = new Map(commits.map((c) => [c.id, c] as const));
  const parents = new Set(commits.flatMap((c) => c.parents));
  const tips = new Map<string, string>();
  for (const c of commits) {
    if (parents.has(c.id)) continue;
    let at: QuarantineCommit | undefined = c;
    for (let steps = 0; at && steps <= commits.length; steps++) {
      const first: string | undefined = at.parents[0];
      if (first === undefined) break;
      const inside = byId.get(first);
      if (!inside) {
        tips.set(c.id, first);
        break;
      }
      at = inside;
    }
  }
  return tips;
}

/** The refs update lines name (`<old> <new> <ref>`), each once, in their order. */
function refsNamed(lines: string): string[] {
  const refs = new Set<string>();
  for (const line of lines.split('\n')) {
    const ref = line.split(' ')[2];
    if (ref !== undefined) refs.add(ref);
  }
  return [...refs];
}

/**
 * The update lines of a push that extends the refs the last push updated,
 * in the same order: a ref whose current value is where a quarantine tip
 * leaves the quarantine moves from that value to the tip. Refs the last
 * push created or deleted, and refs no tip extends, are left out; undefined
 * when no ref is.
 */
export function guessUpdateLines(last: string, tips: ReadonlyMap<string, string>, current: ReadonlyMap<string, string | undefined>): string | undefined {
  const lines: string[] = [];
  for (const ref of refsNamed(last)) {
    const at = current.get(ref);
    if (at === undefined) continue;
    for (const [tip, base] of tips) if (base === at) lines.push(`${at} ${tip} ${ref}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : undefined;
}

/**
 * The environment the next push's hook would get, after the last push's:
 * the same, but for the quarantine git names (GIT_QUARANTINE_PATH, and
 * GIT_OBJECT_DIRECTORY where it named the same folder). undefined when the
 * last push had no quarantine.
 */
export function envFor(last: Readonly<Record<string, string>>, quarantine: string): Record<string, string> | undefined {
  const was = last.GIT_QUARANTINE_PATH;
  if (!was) return undefined;
  const env: Record<string, string> = { ...last, GIT_QUARANTINE_PATH: quarantine };
  if (last.GIT_OBJECT_DIRECTORY === was) env.GIT_OBJECT_DIRECTORY = quarantine;
  return env;
}

/**
 * The record of what a decision made ahead reads of `env` (decision 0061). The variables the settings name for the
 * pusher (gatos.actorEnv) are read whole by resolvePusher, so they are kept whole even where another reader takes
 * only a part (docs/security.md, tenth pass).
 */
export function envReadsFor(env: Readonly<Record<string, string>>, config: GateConfig): EnvReads {
  return new EnvReads(env, config.actorEnv);
}

/** Whether every input of `ahead` is the request's (the refs read again through the request's own view). */
export async function stillHolds(ahead: Ahead, asked: Asked, repo: GitRepo): Promise<boolean> {
  if (ahead.stdin !== asked.stdin || ahead.now !== asked.now || ahead.cwd !== asked.cwd || ahead.config !== asked.config) return false;
  if (!ahead.envReads.sameIn(asked.env)) return false;
  const r = ahead.reads;
  if (r.processes > 0 || r.doubts > 0) return false;
  for (const [ref, value] of r.refs) {
    const now = await repo.readRef(ref);
    if (!now.ok || now.value !== value) return false;
  }
  for (const l of r.lists) {
    const now = await repo.forEachRef(l.patterns);
    if (!now.ok || JSON.stringify(now.value) !== l.answer) return false;
  }
  return true;
}

/** Whether `text` holds more than `max` lines (ending in a newline), counted only up to max + 1. */
function moreLinesThan(text: string, max: number): boolean {
  let at = -1;
  for (let n = 0; n <= max; n++) {
    at = text.indexOf('\n', at + 1);
    if (at < 0) return false;
  }
  return true;
}

export interface AheadInput {
  readonly quarantine: string;
  readonly last: LastPush;
  readonly format: ObjectFormat;
  readonly looseCache: LooseCache;
  readonly nowMs: number;
  readonly settings: (repo: GitRepo, env: Readonly<Record<string, string>>) => Promise<Result<GateConfig>>;
  /** The active bundle; an error leaves the push undecided (never a refusal made ahead). */
  readonly activeBundle: (repo: GitRepo, memo: VerifyMemo) => Promise<Result<GateBundle>>;
  /** Quarantines holding more loose objects are left to their requests. */
  readonly maxObjects: number;
  /**
   * The quarantine's loose objects as the read that started this decision listed them a moment before
   * (readQuarantine, decision 0063): none where the request would not count exactly those. Which objects were listed
   * never reaches a verdict: each is read and checked by its id, and a decision made ahead stands only for the very
   * update lines the request brings.
   */
  readonly ids: readonly string[];
  /**
   * Asked once a push is guessed, before deciding it: false leaves it undecided (the daemon's bound on the decisions
   * made ahead per quarantine, docs/security.md 8.2). Absent: decided.
   */
  readonly start?: () => boolean;
}

/** The push in `quarantine`, decided ahead; undefined when no guess can be made or the decision cannot be vouched for. */
export async function decideAhead(input: AheadInput): Promise<Ahead | undefined> {
  const env = envFor(input.last.env, input.quarantine);
  if (!env || moreLinesThan(input.last.stdin, AHEAD_MAX_UPDATES)) return undefined;
  const ids = input.ids;
  if (ids.length === 0 || ids.length > input.maxObjects) return undefined;
  // No git process: a decision that needs one is never used, so it ends at the first (docs/security.md, 8.1).
  const reads = new RepoReads(true);
  // Objects only up to what the daemon keeps: a larger one would need cat-file, so the decision ends there (8.3).
  const opened = await openRepo(input.last.gitDir, { env, format: input.format, cwd: input.last.cwd, looseCache: input.looseCache, reads, maxInflated: PREFETCH_MAX_INFLATED });
  if (!opened.ok) return undefined;
  const repo = opened.value;
  try {
    const commits: QuarantineCommit[] = [];
    for (const id of ids) {
      // Trees and blobs answer with an error (read from the quarantine's files, no process).
      const c = await repo.readCommit(id);
      if (c.ok) commits.push({ id, parents: c.value.parents });
    }
    const tips = quarantineTips(commits);
    // No commit leaves the quarantine yet (git wrote its blobs first): nothing to guess, and no ref to read.
    if (tips.size === 0) return undefined;
    const current = new Map<string, string | undefined>();
    for (const ref of refsNamed(input.last.stdin)) {
      const r = await repo.readRef(ref);
      if (r.ok) current.set(ref, r.value);
    }
    const stdin = guessUpdateLines(input.last.stdin, tips, current);
    if (stdin === undefined) return undefined;
    const updates = parseUpdateLines(input.format, stdin);
    if (!updates.ok || (input.start && !input.start())) return undefined;
    const settings = await input.settings(repo, env);
    if (!settings.ok) return undefined;
    const config = settings.value;
    const memo = new VerifyMemo();
    const now = Math.floor(input.nowMs / 1000);
    // The decision's reads of the environment are recorded (decision 0061); the settings are compared as the very object
    // the cache hands out for the request's environment, and the repository view reads only git's variables.
    const envReads = envReadsFor(env, config);
    const seen = envReads.view();
    // The budget's unit, the push's objects: a push decided ahead is one of loose objects only (a pack in the
    // quarantine leaves none loose, and nothing to decide here), so the ones listed, without a third listing.
    const meter = new DecisionMeter(config.budget, ids.length, 0);
    // A bundle that could not be had is the request's to load (the daemon hands a decision made ahead only the one it
    // keeps warm): no refusal made here may stand in for its decision (docs/security.md, 8.5).
    const bundle = input.activeBundle(repo, memo).then((b) => {
      if (!b.ok) reads.doubts++;
      return b;
    });
    const timed = await withBudget(meter, () => decidePush({ hook: 'pre-receive', repo, updates: updates.value, env: seen, now, config, bundle, memo, meter }));
    if (!timed.done || reads.processes > 0 || reads.doubts > 0) return undefined;
    return { stdin, envReads, cwd: input.last.cwd, now, config, reads, outcome: timed.value, events: meter.eventsVerified };
  } finally {
    await repo.close();
  }
}
