/**
 * The request context a policy is checked against at compile time and
 * evaluated over at push time. The gate fills it in; every attribute is
 * optional at run time, and a rule that reads an absent one denies.
 * Adding an attribute is backward compatible; changing or removing one
 * needs a new .rgc version (docs/rgs.md, "Versioning").
 */
import { BOOL, CAPS, INT, SET, STRING, enumOf, type RgsType } from './types';
import { ACTOR_KINDS } from '../actors/actor';

/** What a push or event asks for. */
export const INTENTS = ['create', 'write', 'fast_forward', 'force', 'delete', 'event', 'checkpoint', 'policy_change'] as const;
export type Intent = (typeof INTENTS)[number];

/** The actor kinds are the actors' own (src/actors), re-exported for the language. */
export { ACTOR_KINDS };

export const ACTOR_TYPE: RgsType = {
  kind: 'record',
  name: 'actor',
  fields: {
    id: STRING,
    kind: enumOf(ACTOR_KINDS),
    name: STRING,
    trust: INT,
    groups: SET,
  },
};

export const EVENT_TYPE: RgsType = {
  kind: 'record',
  name: 'event',
  fields: { type: STRING, signer: STRING, ulid: STRING, ns: STRING },
};

export const COMMITS_TYPE: RgsType = {
  kind: 'record',
  name: 'commits',
  fields: { count: INT, unsigned: INT, merges: INT },
};

/** The checkpoints of a state-ref update against the active bundle (every one of them, when several are pushed). */
export const CHECKPOINT_TYPE: RgsType = {
  kind: 'record',
  name: 'checkpoint',
  fields: { policy_root_matches_active: BOOL, fold_root_matches_active: BOOL },
};

/** A signed push's certificate, as receive-pack verified it (pre-receive only). */
export const PUSH_CERT_TYPE: RgsType = {
  kind: 'record',
  name: 'push_cert',
  fields: { verified: BOOL, actor: STRING, signer: STRING, status: STRING, nonce_status: STRING },
};

/** The namespace's current epoch: the latest anchor's number and time. */
export const EPOCH_TYPE: RgsType = { kind: 'record', name: 'epoch', fields: { seq: INT, start: INT } };

export const TRUST_ENTRY_TYPE: RgsType = { kind: 'record', name: 'trust_entry', fields: { level: INT } };

/** Top-level attributes, with one line each for the reference. */
export const CONTEXT: Readonly<Record<string, { readonly type: RgsType; readonly doc: string }>> = {
  intent: { type: enumOf(INTENTS), doc: 'what the push or event does to the ref' },
  ref: { type: STRING, doc: "full ref name, e.g. 'refs/gatos/journal/finance/user/alice'" },
  paths: { type: SET, doc: 'paths changed by the new commits (empty for a delete)' },
  ns: { type: STRING, doc: "GATOS namespace of the ref, e.g. 'finance'" },
  actor: { type: ACTOR_TYPE, doc: 'who pushes: id (user:alice), kind, name, trust level, groups' },
  caps: { type: CAPS, doc: 'capabilities granted to the actor: name -> expiry epoch (seconds) or null' },
  labels: { type: SET, doc: "labels of the ref, from the policy's labels table by the ref's path, e.g. 'private'" },
  remote: { type: STRING, doc: "the network class the push comes from (gatos.network, gatos.remote; else 'local' or 'external'), e.g. 'internal'" },
  transport: { type: STRING, doc: "ssh, http, file or local" },
  client_ip: { type: STRING, doc: 'IPv4 or IPv6 address of the client, for in_cidr' },
  event: { type: EVENT_TYPE, doc: 'the event being appended (intent event): type, signer, ulid, ns' },
  checkpoint: { type: CHECKPOINT_TYPE, doc: 'state-ref updates: whether every new checkpoint names the active bundle as Policy-Root and one of its folds as Fold-Root (false: folded under an older bundle of its lineage)' },
  commits: { type: COMMITS_TYPE, doc: 'new commits: count, how many are unsigned, how many are merges' },
  push_cert: { type: PUSH_CERT_TYPE, doc: "signed push (pre-receive only): verified (status G, our nonce, key mapped to an actor by gatos.pushCertKey), actor (from the key, never the signer text), signer, status (G U B ... N), nonce_status; unsigned: verified false, status 'N'" },
  push_options: { type: SET, doc: 'push options (git push -o) as given' },
  now: { type: INT, doc: 'current time as integer epoch seconds, supplied by the caller' },
  approvals: { type: INT, doc: 'number of valid approvals for the proposal behind this change' },
  trust: { type: { kind: 'map', value: TRUST_ENTRY_TYPE }, doc: 'trust table: actor id -> { level }' },
  epoch: { type: EPOCH_TYPE, doc: "the namespace's current epoch (docs/epochs.md): seq (1 for the first anchor) and start, its anchor's time in epoch seconds, e.g. before_epoch(epoch.start + 86400); absent where the namespace has no anchor" },
  approvers: { type: SET, doc: 'actors whose approvals of the proposal behind this change verified (signed by a key valid at the approval, unexpired, bound to the proposal digest and the active bundle, from an unrevoked grant whose Proof-of-Consensus holds); one per actor' },
  groups: { type: { kind: 'map', value: SET }, doc: "groups of the active trust graph: group name -> member actor ids, e.g. groups['leads']" },
};

export const CONTEXT_NAMES: readonly string[] = Object.keys(CONTEXT).sort();
