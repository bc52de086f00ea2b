/**
 * The push-gate's pure core: ref updates -> intents -> requests -> decisions
 * -> verdict, refusal text and audit entry. No disk, process, clock or
 * environment: `now` and every repository fact are passed in (src/hooks
 * gathers them). See docs/gate.md.
 */
export { checkUpdate, parseUpdateLines, updateKind, type RefUpdate } from './ref-update';
export { AUDIT_POLICY_REF, classifyRef } from './ref-class';
export { DEFAULT_ACTOR_ENV, readGateConfig, type ConfigEntries, type GateConfig } from './config';
export { pushOptions, resolvePusher, transportOf, type EnvRecord } from './pusher';
export { remoteOf } from './remote';
export type { CheckFact, CheckpointFact, CommitFact, EventFact, Failure, ObjectFact, OlderBundle, UpdateFacts } from './facts';
export { CHECKPOINT_CAP } from './authority';
export type { ActiveBundle } from './bundle';
export { type RequestEnv } from './request';
export { decideUpdate } from './decide';
export { RULES } from './rules';
export { HOOK_EXIT, exitCodeOf, gateFailure, verdictOf, type Verdict } from './verdict';
export { refusalLines, type AuditOutcome } from './refusal';
export { AUDIT_ENTRY_FILE, AUDIT_IDENTITY, auditEntry, auditMessage, needsAudit, textOf, type AuditContext, type HookName } from './audit-entry';
export { parseAuditEntry, type AuditEntryView } from './audit-read';
export { RECORD_MAX_AGE_S, SESSION_PATTERN, recordAllows, recordKey, recordLeaf, recordText } from './record';
export { pushCertAttribute, readPushCert } from './push-cert';
export { budgetExceeded, budgetFormula, budgetLimitMs, timeBudget, type BudgetProgress, type TimeBudget } from './budget';
export { checkGateYaml, checkGitSettings, problemLine, type SettingProblem } from './settings-check';
