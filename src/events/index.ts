/** Events: envelope and commit (pure), appending and verifying (git adapters); see docs/formats.md §6. */
export { eventMessage } from './commit';
export { decodeEnvelope, encodeEnvelope, type Envelope } from './envelope';
export { appendEvents, type EventSpec } from './append';
export { resolveBinding } from './context';
export { readEnvelopeAt, readEventFile, type EventFileRead } from './read';
export { incrementUlid, nextUlid, ulidTime } from '../canon/ulid';
export { VerifyMemo } from './memo';
export { verifyEvent, verifyJournal } from './verify';
