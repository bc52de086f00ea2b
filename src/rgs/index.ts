/**
 * The .rgs policy language: compile sources to canonical .rgc bytes, load
 * them strictly, evaluate requests to Allow / Deny, explain decisions.
 * Pure: no disk, clock or environment; the caller supplies `now`.
 */
export { compilePolicy, type CompileOutput } from './compile';
export { loadPolicy, type CompiledPolicy } from './load';
export { labelsOf } from './labels';
export { evaluate, type Decision, type DryRunDeny } from './decide';
export { explain, type Explanation, type RuleTrace, type ExprTrace } from './explain';
export { CONTEXT, INTENTS, ACTOR_KINDS, type Intent } from './schema';
export { checkRequest, type RequestProblem } from './request';
export { type SourceFile } from './source';
export { DEFAULT_DENY_ID } from './names';
export { RGC_FORMAT, RGC_VERSION } from './ir';
export type { Request } from './values';
export { describeDecision, describeExpectation, isFixtureFile, parseFixtures, runFixture, type Expectation, type Fixture } from './fixtures';
