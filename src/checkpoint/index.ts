/** State checkpoints with Proof-of-Fold: making and verifying them; see docs/formats.md §8. */
export { computeCheckpoint } from './compute';
export { journalHeads, makeCheckpoint, readCheckpoint, readWindows } from './make';
export { FOLD_STATE_FILE, PROOF_FILE, decodeProof, encodeProof, inputsRoot, type Proof } from './proof';
export { PUSH_JOURNALS_FIRST, resolveCheckpoint, verifyCheckpoint } from './verify';
