/**
 * The push-gate's pure core: ref updates -> intents -> requests -> decisions
 * -> verdict, refusal text and audit entry. No disk, process, clock or
 * environment: `now` and every repository fact are passed in (src/hooks
 * gathers them). See docs/gate.md.
 */
export { checkUpdate, parseUpdateLines, updateKind, type RefUpdate, type UpdateKind } from './ref-update';
export { AUDIT_POLICY_REF, AUDIT_PREFIX, classifyRef, nsOf, type RefClass } from './ref-class';
export { ALWAYS_FF_ONLY, DEFAULT_ACTOR_ENV, SETTING_NAMES, TIP_SHAPES, readGateConfig, tipShapes, type ConfigEntries, type TipShape, type GateConfig, type GateMode, type OutputFormat } from './config';
export { pushOptions, resolvePusher, transportOf, type EnvRecord, type Pusher, type Transport } from './pusher';
export { remoteOf, parseNetworkClass, type NetworkClass } from './remote';
export type { CheckFact, CheckpointFact, CommitFact, EventFact, Failure, ObjectFact, ObjectType, OlderBundle, ProofSigner, UpdateFacts, PushedEvent } from './facts';
export { CHECKPOINT_CAP, authorizeFacts } from './authority';
export type { ActiveBundle, FoldDecl } from './bundle';
export { capsTable, eventRequest, refIntent, refRequest, trustTable, type RequestEnv } from './request';
export { decideUpdate, type Denial, type RefDecision } from './decide';
export { RULES } from './rules';
export { HOOK_EXIT, exitCodeOf, gateFailure, verdictOf, type Verdict } from './verdict';
export { refusalLines, type AuditOutcome, type RefusalScope } from './refusal';
export { AUDIT_BYTES_KEY, AUDIT_ENTRY_FILE, AUDIT_ENTRY_TYPE, AUDIT_IDENTITY, auditEntry, auditMessage, bytesSafe, needsAudit, textOf, type AuditContext, type HookName } from './audit-entry';
export { RECORD_MAX_AGE_S, RECORD_VERSION, SESSION_PATTERN, recordAllows, recordKey, recordText, type RecordQuery, type VerdictRecord } from './record';
export { keyActor, pushCertAttribute, readPushCert, type PushCert } from './push-cert';
export { DEFAULT_HOST, GHES_HOOK_LIMIT_MS, budgetExceeded, budgetFormula, budgetLimitMs, timeBudget, type BudgetProgress, type TimeBudget } from './budget';
export { checkGateYaml, checkGitSettings, problemLine, type SettingProblem } from './settings-check';
