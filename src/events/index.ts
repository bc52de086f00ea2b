/** Events: envelope and commit (pure), appending and verifying (git adapters); see docs/formats.md §6. */
export { EVENT_FILE, buildEventCommit, eventCommitWithSig, eventMessage, type EventObjects } from './commit';
export { TYPE_RE, checkEnvelope, checkEnvelopeText, decodeEnvelope, encodeEnvelope, type EncodedEnvelope, type Envelope } from './envelope';
export { appendEvents, type AppendContext, type Appended, type EventSpec } from './append';
export { resolveBinding, type Binding } from './context';
export { readEnvelopeAt, readEventFile, readRawEvent, type EventFileRead, type RawEvent } from './read';
export { ULID_RE, incrementUlid, isUlid, nextUlid, ulidTime } from '../canon/ulid';
export { checkFoldable } from './foldable';
export { VerifyMemo } from './memo';
export { verifyEvent, verifyJournal, type VerifiedEvent, type VerifyEventOptions } from './verify';
