/**
 * The fold engine's public entry points, for the producer and the gate:
 * compile a source, load a compiled fold, feed it events in the one order,
 * and name its emitted state with state_root.
 */
export type { EmittedFiles, FoldEvent, FoldInput, FoldRuntime } from './contract';
export { FOLD_ENGINE, FOLD_MATH } from './engine-id';
export { encodeFoldArtifact, foldRootOf, readFoldEnvelope, BODY_KEY, FOLD_FORMAT, FOLD_ARTIFACT_VERSION, type FoldKind } from './artifact';
export { compileFoldSource, foldSourceKind, type FoldCompileOutcome } from './compile';
export { loadCompiledFold } from './load';
export { compareStamps, orderEvents, type EventStamp } from './order';
export { foldEventFromEnvelope, toFoldInput, type EventOrigin } from './event-input';
export { parseEventLines } from './jsonl';
export { checkEmitPath, checkEmitTree } from './emit-path';
export { serializeStateTree, stateRoot } from './state-root';
