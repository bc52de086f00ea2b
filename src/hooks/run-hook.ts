/**
 * One run of a hook, start to exit status: read the updates, decide within
 * the time budget, audit any denial outside the quarantine, print the
 * refusal on stderr (git shows it on `remote:` lines), leave verdict records
 * for the update hook, and run the operator's own chained hook after an
 * accepting decision. Every failure refuses (fail closed). Adapter.
 */
import { childProcess } from '../git/child-process';
import { accessSync, constants } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { ACTIVE_POLICY_REF } from '../actors';
import type { Result } from '../core/result';
import {
  DEFAULT_ACTOR_ENV,
  auditEntry,
  budgetExceeded,
  auditMessage,
  exitCodeOf,
  gateFailure,
  needsAudit,
  readGateConfig,
  refusalLines,
  type EnvRecord,
  type GateConfig,
  type HookName,
  type RefUpdate,
  type AuditOutcome,
  type Verdict,
} from '../gate';
import { VerifyMemo } from '../events/memo';
import { AUDIT_POLICY_REF } from '../gate/ref-class';
import { formatOfId, openRepo, type GitRepo, type ObjectFormat } from '../git';
import type { LooseCache } from '../git/loose';
import { activeGateBundle, type GateBundle } from '../push/active-bundle';
import { appendAudit } from '../push/audit-writer';
import { auditContextOf, decidePush, type PushOutcome } from '../push/decide-push';
import { policyAfterPush, receivePackSession, takeRecord, updateHookInstalled, uptimeSeconds, writeRecords } from './records';
import { pushObjects } from '../push/push-objects';
import { recordedSettings } from '../push/settings-record';
import { SignaturePool } from '../push/sig-pool';
import { EVENT_WORKERS_MIN_CORES, EventWorkers } from '../push/event-pool';
import { traceOf } from '../push/trace';
import { DecisionMeter, withBudget } from '../push/watchdog';
import { logDecision } from '../ops/decision-log';

export interface HookRun {
  readonly hook: Exclude<HookName, 'check'>;
  readonly gitDir: string;
  readonly env: EnvRecord & NodeJS.ProcessEnv;
  /** Parses the updates once the object format is known (stdin for pre-receive, argv for update). */
  readonly updates: (format: ObjectFormat) => Result<RefUpdate[]>;
  /**
   * An object id git handed the hook (any of stdin's or the arguments'), whose
   * length tells the object format without a `git rev-parse`; absent or of
   * another length: git is asked.
   */
  readonly sampleId?: string;
  /**
   * The running Node file (a worker thread runs it again); the operator's
   * chained hook is `<its folder>/<hook>.gatos-chained`, whatever the file's
   * own name (hooks/update runs hooks/update.cjs).
   */
  readonly self?: string;
  /** The raw stdin, passed on to a chained pre-receive. */
  readonly stdin?: string | Buffer;
  readonly args?: readonly string[];
  readonly print: (line: string) => void;
  /** Raw stderr, for progress lines (which end in \r); absent: no progress. */
  readonly write?: (text: string) => void;
  /** Epoch milliseconds; the decision uses whole seconds. */
  readonly clockMs: () => number;
  /** The daemon (src/serve): what differs when the run is not a hook process of its own. Absent: a hook process. */
  readonly served?: ServedRun;
}

/** A run decided by `gatos serve` for a hook client (src/serve/daemon.ts); everything else is as in the hook process. */
export interface ServedRun {
  /** The hook client's working directory (git runs hooks in the repository). */
  readonly cwd: string;
  /** The receive-pack process (the client's parent), naming the session of the verdict records. */
  readonly receivePack: number;
  /** Milliseconds already spent on this push before the daemon started on it (the budget counts them). */
  readonly elapsedMs: () => number;
  /** The active bundle, kept warm across pushes (checked against the ref on each push). */
  readonly activeBundle: (repo: GitRepo, memo: VerifyMemo) => Promise<Result<GateBundle>>;
  /** Told once what was decided, for the daemon's metrics. */
  readonly observe: (o: Observed) => void;
  /** The gate's settings, kept between pushes while their files are unchanged (src/push/settings-cache.ts). */
  readonly settings?: (repo: GitRepo) => Promise<Result<GateConfig>>;
  /** Loose objects kept between pushes, each only for the very file it was read from (src/git/loose.ts). */
  readonly looseCache?: LooseCache;
  /** Whether the gate's update hook is installed (records.ts), kept while its files are unchanged; absent: read each time. */
  readonly updateHookInstalled?: (gitDir: string) => boolean;
  /**
   * Work that may wait until the verdict was sent (the decision log's line); absent: done at once. A throw
   * there is the daemon's to report in its own log (the client has its verdict already).
   */
  readonly afterReply?: (work: () => void) => void;
  /**
   * Runs, or skips, the clean-up of older verdict records: the daemon runs it after its reply and at most once
   * every few seconds per repository (decision 0054); absent: at once, on every push.
   */
  readonly pruneRecords?: (prune: () => void) => void;
  /**
   * The push decided before the request came (src/serve/ahead.ts), when every input of that decision is this
   * request's; undefined: decide it now.
   */
  readonly decidedAhead?: (repo: GitRepo, config: GateConfig, now: number) => Promise<{ readonly outcome: PushOutcome; readonly events: number } | undefined>;
}

export interface Observed {
  readonly verdict: Verdict;
  readonly status: number;
  readonly audit: AuditOutcome;
  readonly budgetExceeded: boolean;
  /** Events verified (the meter's count when it counted events). */
  readonly events: number;
}

const FALLBACK = readGateConfig([]);

function fallbackConfig(): GateConfig {
  if (FALLBACK.ok) return FALLBACK.value;
  throw new Error(`default gate settings do not parse (${DEFAULT_ACTOR_ENV.join(',')})`);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function record(repo: GitRepo, outcome: PushOutcome, print: (l: string) => void, config: GateConfig): Promise<AuditOutcome> {
  if (!needsAudit(outcome.verdict)) return 'none';
  const entry = auditEntry(outcome.verdict, outcome.audit);
  // GitHub Enterprise Server documents no way for a hook to write the repository, and a write that fails
  // slowly (retries) would spend the 5 s all hooks share: the entry goes where the hook's output goes (docs/hosts/ghes.md).
  if (config.host === 'ghes') {
    print(`gatos gate: audit entry (not in ${AUDIT_POLICY_REF}): ${JSON.stringify(entry)}`);
    return 'not-recorded';
  }
  const a = await appendAudit(repo, entry, auditMessage(outcome.verdict, outcome.audit), outcome.audit.now);
  if (a.ok) return 'recorded';
  print(`gatos gate: WARNING: the audit entry could not be written: ${a.error.code}: ${a.error.message}`);
  return 'not-recorded';
}

function runChained(run: HookRun): number {
  if (!run.self) return 0;
  const chained = path.join(path.dirname(run.self), `${run.hook}.gatos-chained`);
  try {
    accessSync(chained, constants.X_OK);
  } catch {
    return 0;
  }
  const r = childProcess().spawnSync(chained, [...(run.args ?? [])], { input: run.stdin ?? '', stdio: ['pipe', 'inherit', 'inherit'], env: run.env });
  return r.status ?? 1;
}

/**
 * The event workers of a hook process (src/push/event-pool.ts), opening the
 * repository as this run did; none on a machine of fewer than
 * EVENT_WORKERS_MIN_CORES cores, where the main thread and the signature
 * thread already keep both busy at less CPU (decision 0041).
 * GATOS_EVENT_WORKERS_MIN: the fewest events that start them, on any
 * machine (tests set 1 to decide small pushes on the workers too).
 */
function eventWorkers(run: HookRun, repo: GitRepo): EventWorkers | undefined {
  if (!run.self) return undefined;
  const min = Number(run.env.GATOS_EVENT_WORKERS_MIN);
  const forced = Number.isSafeInteger(min) && min > 0;
  if (!forced && availableParallelism() < EVENT_WORKERS_MIN_CORES) return undefined;
  return new EventWorkers(run.self, { gitDir: run.gitDir, env: run.env, format: repo.format, ...(run.served ? { cwd: run.served.cwd } : {}) }, undefined, forced ? min : undefined);
}

export async function runHook(run: HookRun): Promise<number> {
  const trace = traceOf(run.env, run.hook);
  const nowMs = run.clockMs();
  const now = Math.floor(nowMs / 1000);
  const format = formatOfId(run.sampleId);
  const opened = await openRepo(run.gitDir, { env: run.env, ...(format ? { format } : {}), ...(run.served ? { cwd: run.served.cwd } : {}), ...(run.served?.looseCache ? { looseCache: run.served.looseCache } : {}) });
  trace.mark('open the repository');
  if (!opened.ok) {
    for (const l of refusalLines(gateFailure('GATE_ERROR', `the repository cannot be opened: ${opened.error.message}`, []), 'text', 'not-recorded')) run.print(l);
    return exitCodeOf(gateFailure('GATE_ERROR', '', []));
  }
  const repo = opened.value;
  let config = fallbackConfig();
  let outcome: PushOutcome | undefined;
  let updates: RefUpdate[] = [];
  let meter: DecisionMeter | undefined;
  /** Events verified by a decision made ahead (decidedAhead), when one stood in for this run's. */
  let eventsAhead = 0;
  let overBudget = false;
  /**
   * One line in the decision log (docs/operators.md); a log that cannot be written is warned about and changes
   * nothing. The daemon writes it after its reply, off the push's path (decision 0054): the warning then goes to the
   * daemon's own log, as a throw its after-reply runner reports.
   */
  const logged = (o: PushOutcome, status: number, audit: AuditOutcome): void => {
    const atMs = run.clockMs();
    const facts = { atMs, hook: run.hook, via: run.served ? ('daemon' as const) : ('cold' as const), verdict: o.verdict, exit: status, audit: o.audit, auditOutcome: audit, durationMs: atMs - nowMs, eventsVerified: meter?.eventsVerified ?? eventsAhead, budgetExceeded: overBudget };
    const gitDir = repo.gitDir;
    const settings = config.decisionLog;
    const write = (warn: (line: string) => void): void => {
      try {
        const w = logDecision(gitDir, facts, settings);
        if (!w.ok) warn(`gatos gate: WARNING: the decision log could not be written (the verdict stands): ${w.error.message}`);
      } catch (e) {
        warn(`gatos gate: WARNING: the decision log could not be written (the verdict stands): ${message(e)}`);
      }
    };
    const later = run.served?.afterReply;
    if (later)
      later(() =>
        write((line) => {
          throw new Error(line);
        }),
      );
    else write(run.print);
  };
  const fail = (reason: string, hint?: string): PushOutcome => {
    const verdict: Verdict = gateFailure('GATE_ERROR', reason, updates, hint);
    return { verdict, audit: auditContextOf({ hook: run.hook, repo, updates, env: run.env, now, config }) };
  };
  // The worker threads start only if a push brings enough events to pay for them.
  const pool = run.self ? new SignaturePool(run.self) : undefined;
  const workers = run.self ? eventWorkers(run, repo) : undefined;
  /** The final verdict is audited, printed and turned into a status once per run, whichever path reached it. */
  let concluded: Promise<number> | undefined;
  const conclude = (o: PushOutcome): Promise<number> => (concluded ??= finish(o));
  const finish = async (o: PushOutcome): Promise<number> => {
    let audit: AuditOutcome;
    try {
      audit = await record(repo, o, run.print, config);
    } catch (e) {
      run.print(`gatos gate: WARNING: the audit entry could not be written: ${message(e)}`);
      audit = 'not-recorded';
    }
    trace.mark('audit');
    // The update hook refuses its one ref; in a non-atomic push git may have written others already.
    for (const l of refusalLines(o.verdict, config.output, audit, run.hook === 'update' ? 'ref' : 'push')) run.print(l);
    const status = exitCodeOf(o.verdict);
    run.served?.observe({ verdict: o.verdict, status, audit, budgetExceeded: overBudget, events: meter?.eventsVerified ?? eventsAhead });
    logged(o, status, audit);
    trace.mark('decision log');
    if (status === 0 && run.hook === 'pre-receive' && o.policyRoot && (run.served?.updateHookInstalled ?? updateHookInstalled)(repo.gitDir)) {
      const session = receivePackSession(run.served?.receivePack);
      const uptimeS = uptimeSeconds();
      try {
        if (!session || uptimeS === undefined) throw new Error('the receive-pack process cannot be named from /proc');
        writeRecords({ gitDir: repo.gitDir, updates, session, policyBefore: o.policyRoot, policyAfter: policyAfterPush(updates, o.policyRoot, repo.zeroId), nowMs, uptimeS, ...(run.served?.pruneRecords ? { pruneLater: run.served.pruneRecords } : {}) });
      } catch (e) {
        run.print(`gatos gate: note: no verdict records (${message(e)}); the update hook will decide again`);
      }
    }
    if (pool?.answered) trace.note(`${pool.answered} signatures checked on a second thread`);
    await Promise.all([repo.close(), pool?.close(), workers?.close()]);
    trace.mark('verdict records, close');
    trace.report(run.print);
    return status === 0 ? runChained(run) : status;
  };
  // pre-receive always needs the active bundle, and loading it needs no settings: start it now.
  // One memo for this push: the active bundle loaded here is the one its events find (src/events/memo.ts).
  const memo = new VerifyMemo();
  // A hook process of its own keeps the decoded bundle on disk (src/push/bundle-record.ts); the daemon keeps it in memory.
  const loadActive = run.served?.activeBundle ?? ((r: GitRepo, m: VerifyMemo) => activeGateBundle(r, m, { record: true, trace }));
  // Not when a decision made ahead may stand in: its check reads the active ref itself.
  let bundle = run.hook === 'pre-receive' && !run.served?.decidedAhead ? loadActive(repo, memo) : undefined;
  // Awaited by decidePush, or never when the push is decided without it; a throw must not end the process.
  bundle?.catch(() => undefined);
  try {
    const parsed = run.updates(repo.format);
    if (!parsed.ok) outcome = fail(parsed.error.message);
    else updates = parsed.value;
    // The daemon keeps them in memory; a hook process of its own keeps git's answer on disk (settings-record.ts).
    const settings = await (run.served?.settings ?? ((r: GitRepo) => recordedSettings(r, run.env)))(repo);
    if (!settings.ok) outcome ??= fail(settings.error.message);
    else config = settings.value;
    trace.mark('read the updates and settings');
    if (!outcome && run.hook === 'update' && updates.length === 1) {
      // pre-receive's decision for this push, whatever bundle the push has made active since (src/gate/record.ts).
      const active = await repo.readRef(ACTIVE_POLICY_REF);
      const session = receivePackSession();
      const uptimeS = uptimeSeconds();
      const taken = active.ok && active.value !== undefined && session !== undefined && uptimeS !== undefined && takeRecord(repo.gitDir, updates[0] as RefUpdate, session, active.value, uptimeS);
      trace.mark('look for pre-receive\'s verdict record');
      if (taken) {
        trace.report(run.print);
        return runChained(run);
      }
    }
    const ahead = !outcome && run.served?.decidedAhead ? await run.served.decidedAhead(repo, config, now) : undefined;
    if (ahead) {
      outcome = ahead.outcome;
      eventsAhead = ahead.events;
      trace.mark('the decision made ahead, every input unchanged (decision 0057)');
    }
    if (!outcome) {
      bundle ??= loadActive(repo, memo);
      // The budget's unit, known before deciding: the objects in the push's quarantine (git's count of new objects without one).
      const objects = await pushObjects(repo, run.env, updates);
      if (!objects.ok) throw new Error(`the objects of the push could not be counted: ${objects.error.message}`);
      // Counted from the process's start: a host's limit (GitHub Enterprise's 5 s) covers Node's start-up too.
      meter = new DecisionMeter(config.budget, objects.value, run.served?.elapsedMs() ?? process.uptime() * 1000, run.write);
      const input = { hook: run.hook, repo, updates, env: run.env, now, config, trace, bundle, memo, meter, ...(pool ? { signatures: pool.check } : {}), ...(workers ? { eventWorkers: workers } : {}) };
      const timed = await withBudget(meter, () => decidePush(input));
      if (timed.done) outcome = timed.value;
      else {
        overBudget = true;
        const over = budgetExceeded(config.budget, timed.progress, config.host);
        outcome = fail(over.reason, over.hint);
      }
      trace.mark('decide');
    }
  } catch (e) {
    outcome = fail(`the gate failed: ${message(e)}`);
  }
  return conclude(outcome);
}
