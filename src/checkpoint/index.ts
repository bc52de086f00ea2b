/** State checkpoints with Proof-of-Fold: making and verifying them; see docs/formats.md §8. */
export { allAfter, computeCheckpoint, maxStamp, type Computed } from './compute';
export { checkpointMessage, chooseFold, journalHeads, makeCheckpoint, readCheckpoint, readWindows, type CheckpointRequest, type CheckpointResult, type Previous } from './make';
export { FOLD_STATE_FILE, PROOF_FILE, PROOF_TYPE, RESERVED_DIR, decodeProof, encodeProof, inputsRoot, type Proof, type Stamp, type WindowEntry } from './proof';
export { readWindow } from './window';
export { PUSH_JOURNALS_FIRST, resolveCheckpoint, verifyCheckpoint, type Verified } from './verify';
