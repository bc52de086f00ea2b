/**
 * The local decision log's line: one JSON object per decision, allowed or
 * refused, from either hook or the daemon (docs/operators.md, "Decision
 * log"). Its settings (`gatos.decisionLog*`), the line format with its
 * size cap, and the line parser a reader (gatos doctor, the daemon's
 * /metrics) uses. Pure: the adapter (src/ops/decision-log.ts) passes the
 * clock, the repository path and the counters in, and writes the bytes.
 */
import { refResource } from './resource';
import type { JsonValue } from '../canon/jcs';
import type { ErrorCode } from '../core/codes';
import { bytesSafe, type AuditContext } from './audit-entry';
import type { AuditOutcome } from './refusal';
import type { Verdict } from './verdict';

export const DECISION_LOG_VERSION = 1;

/**
 * The longest line written (newline included): Linux's PIPE_BUF. One
 * O_APPEND write() of it never interleaves with another writer's, on any
 * file system or pipe a log may sit on. A decision whose line would be
 * longer drops its per-ref detail and says how much it dropped.
 */
export const DECISION_LINE_MAX_BYTES = 4096;

export interface DecisionLogSettings {
  /** gatos.decisionLog: on (default) or off. */
  readonly enabled: boolean;
  /** gatos.decisionLogMaxBytes: the log is rotated before a line would take it past this. */
  readonly maxBytes: number;
  /** gatos.decisionLogKeep: rotated files kept beside it (decisions.log.1 newest .. .N oldest). */
  readonly keep: number;
}

export const DEFAULT_DECISION_LOG: DecisionLogSettings = { enabled: true, maxBytes: 16 * 1024 * 1024, keep: 4 };
/** Bounds of the settings (checked by readGateConfig, so a typo refuses pushes and `gatos config check` says so). */
export const DECISION_LOG_MIN_BYTES = 65536;
export const DECISION_LOG_MAX_KEEP = 100;

/**
 * Who decided: the hook's own Node process, or the warm daemon. The update
 * hook honouring pre-receive's verdict record makes no decision and writes
 * no line (pre-receive's line covers the push).
 */
export type DecisionPath = 'cold' | 'daemon';

export interface DecisionFacts {
  /** Epoch milliseconds when the decision ended. */
  readonly atMs: number;
  /** The bare repository's path as the writer resolved it. */
  readonly repo: string;
  readonly hook: AuditContext['hook'];
  readonly via: DecisionPath;
  readonly verdict: Verdict;
  /** Exit status of the hook (0 accepted, 1 denied, 2 gate failure). */
  readonly exit: number;
  readonly audit: AuditContext;
  readonly auditOutcome: AuditOutcome;
  readonly durationMs: number;
  readonly eventsVerified: number;
  readonly budgetExceeded: boolean;
}

const orNull = (v: string | undefined): JsonValue => (v === undefined ? null : bytesSafe(v));

const unique = (xs: readonly string[]): string[] => [...new Set(xs)];

/**
 * One decision as its log line, newline included, at most
 * DECISION_LINE_MAX_BYTES bytes. Field order is fixed, so the same decision
 * gives the same bytes. Strings that are not canonical text (ref names are
 * bytes) are written as the audit entry writes them ({"bytes_b64": ...}).
 */
export function decisionLine(f: DecisionFacts): string {
  const v = f.verdict;
  const enforced = v.denials.find((d) => d.enforced);
  const code: ErrorCode | undefined = v.gateError?.code ?? enforced?.code;
  const denials = v.denials.map((d): JsonValue => ({ ref: bytesSafe(d.ref), code: d.code, rule: d.ruleId, enforced: d.enforced }));
  const rules = unique([...v.denials.map((d) => d.ruleId), ...v.decisions.flatMap((d) => d.allowedBy)]);
  const refs = unique(f.audit.updates.map((u) => u.ref));
  // The seed's resource field, gatos://<repo>/<ns>/<path>, one per ref (as in the audit entry; null without a repo name).
  const repoName = f.audit.repoName;
  const resourceOf = (ref: string): JsonValue => (repoName === undefined ? null : bytesSafe(refResource(repoName, ref)));
  const head = {
    version: DECISION_LOG_VERSION,
    time: new Date(f.atMs).toISOString(),
    repo: bytesSafe(f.repo),
    hook: f.hook,
    via: f.via,
    mode: f.audit.mode,
    outcome: v.accepted ? 'accepted' : 'refused',
    exit: f.exit,
    code: code ?? null,
  };
  const tail = {
    actor: orNull(f.audit.actor),
    host_user: orNull(f.audit.hostUser),
    policy_root: orNull(f.audit.policyRoot),
    policy_code_root: orNull(f.audit.policyCodeRoot),
    fold_root: f.audit.foldRoot ?? null,
    duration_ms: Math.max(0, Math.round(f.durationMs)),
    events_verified: f.eventsVerified,
    budget_exceeded: f.budgetExceeded,
    audit: f.auditOutcome,
  };
  const full = `${JSON.stringify({ ...head, rules, refs: refs.map(bytesSafe), resources: refs.map(resourceOf), denials, ...tail })}\n`;
  if (Buffer.byteLength(full) <= DECISION_LINE_MAX_BYTES) return full;
  // Too long for one atomic write: keep the counts, then as many refs, then rules, as fit (in push order).
  const keptRefs: string[] = [];
  const keptRules: string[] = [];
  const line = (): string => `${JSON.stringify({ ...head, rules: keptRules, refs: keptRefs.map(bytesSafe), resources: keptRefs.map(resourceOf), denials: [], ...tail, truncated: { rules: rules.length, refs: refs.length, denials: v.denials.length } })}\n`;
  for (const r of refs) {
    keptRefs.push(r);
    if (Buffer.byteLength(line()) > DECISION_LINE_MAX_BYTES) {
      keptRefs.pop();
      break;
    }
  }
  for (const r of rules) {
    keptRules.push(r);
    if (Buffer.byteLength(line()) > DECISION_LINE_MAX_BYTES) {
      keptRules.pop();
      break;
    }
  }
  return line();
}

/** What a reader needs of one line (the daemon's counters, gatos doctor). */
export interface DecisionRecord {
  readonly time: string;
  readonly repo: string;
  readonly hook: string;
  readonly via: string;
  readonly outcome: 'accepted' | 'refused';
  readonly code: string | null;
  readonly rules: readonly string[];
  readonly denials: readonly { readonly ref: string; readonly code: string; readonly rule: string; readonly enforced: boolean }[];
  readonly policyRoot: string | null;
  readonly foldRoot: string | null;
  readonly durationMs: number;
  readonly eventsVerified: number;
  readonly budgetExceeded: boolean;
  readonly audit: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strOrNull = (v: unknown): string | null | undefined => (v === null ? null : typeof v === 'string' ? v : undefined);
const count = (v: unknown): number | undefined => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : undefined);
const display = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

/** One line of the log (without its newline) read back; undefined when it is not a line this version writes. */
export function parseDecisionLine(text: string): DecisionRecord | undefined {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const r = o as Record<string, unknown>;
  const outcome = r.outcome === 'accepted' || r.outcome === 'refused' ? r.outcome : undefined;
  const [time, hook, via, audit] = [str(r.time), str(r.hook), str(r.via), str(r.audit)];
  const [code, policyRoot, foldRoot] = [strOrNull(r.code), strOrNull(r.policy_root), strOrNull(r.fold_root)];
  const [durationMs, eventsVerified] = [count(r.duration_ms), count(r.events_verified)];
  if (r.version !== DECISION_LOG_VERSION || !outcome || time === undefined || hook === undefined || via === undefined || audit === undefined) return undefined;
  if (code === undefined || policyRoot === undefined || foldRoot === undefined || durationMs === undefined || eventsVerified === undefined || typeof r.budget_exceeded !== 'boolean') return undefined;
  if (!Array.isArray(r.rules) || !Array.isArray(r.denials)) return undefined;
  const rules = r.rules.filter((x): x is string => typeof x === 'string');
  const denials = r.denials.flatMap((d: unknown) => {
    if (d === null || typeof d !== 'object') return [];
    const x = d as Record<string, unknown>;
    return typeof x.code === 'string' && typeof x.rule === 'string' ? [{ ref: display(x.ref), code: x.code, rule: x.rule, enforced: x.enforced === true }] : [];
  });
  return { time, repo: display(r.repo), hook, via, outcome, code, rules, denials, policyRoot, foldRoot, durationMs, eventsVerified, budgetExceeded: r.budget_exceeded, audit };
}
