/**
 * The rgs request contexts the gate evaluates (schema: docs/rgs.md). One per
 * ref update, with the pusher as actor; one per new event, with the event's
 * signing actor as actor (its grants are what the event claims). Pure.
 */
import { parseActor } from '../actors';
import { labelsOf, type Intent } from '../rgs';
import type { TrustSet } from '../trust';
import type { ActiveBundle } from './bundle';
import type { CommitFact, PushedEvent } from './facts';
import type { RefClass } from './ref-class';
import { nsOf } from './ref-class';
import type { UpdateKind } from './ref-update';
import type { Pusher, Transport } from './pusher';

export interface RequestEnv {
  readonly pusher: Pusher;
  readonly now: number;
  readonly transport: Transport;
  readonly clientIp?: string;
  readonly remote?: string;
  readonly pushOptions: readonly string[];
  /** The `push_cert` attribute (pre-receive only; see push-cert.ts). */
  readonly pushCert?: Record<string, string | boolean>;
}

type Json = Record<string, unknown>;

/** The intent of a ref update: its plane turns an append into checkpoint or policy_change. */
export function refIntent(kind: Exclude<UpdateKind, 'noop'>, cls: RefClass): Intent {
  if (kind === 'force' || kind === 'delete') return kind;
  if (cls.plane === 'state') return 'checkpoint';
  if (cls.plane === 'policy') return 'policy_change';
  return kind;
}

/** The capability table of an actor in a namespace: every cap held through an effective grant, to its latest expiry (expired ones kept, so rules can say CAP_EXPIRED). */
export function capsTable(trust: TrustSet, actor: string, ns: string | undefined, now: number): Record<string, number> {
  const table: Record<string, number> = {};
  for (const g of trust.caps.grants) {
    if (g.subject !== actor || now < g.iat) continue;
    if (g.audience.length > 0 && (ns === undefined || !g.audience.includes(ns))) continue;
    if (!trust.caps.isEffective(g.id)) continue;
    for (const cap of g.caps) table[cap] = Math.max(table[cap] ?? 0, g.exp);
  }
  return table;
}

/** trust[actor].level for every actor of the graph. */
export function trustTable(trust: TrustSet): Record<string, { level: number }> {
  const out: Record<string, { level: number }> = {};
  for (const id of [...trust.graph.actors.keys()].sort()) out[id] = { level: (trust.graph.actors.get(id) as { level: number }).level };
  return out;
}

function actorRecord(id: string, trust: TrustSet): Json | undefined {
  const a = parseActor(id);
  if (!a.ok) return undefined;
  const rec = trust.graph.actors.get(id);
  return { id, kind: a.value.kind, name: a.value.name, trust: rec?.level ?? 0, groups: [...(rec?.groups ?? [])] };
}

function common(env: RequestEnv, ref: string, cls: RefClass, bundle: ActiveBundle): Json {
  // Labels come from the active policy's labels table, by the ref's path (docs/rgs.md, "Labels").
  const r: Json = { ref, now: env.now, transport: env.transport, push_options: [...env.pushOptions], trust: trustTable(bundle.trust), labels: labelsOf(bundle.policy, ref) };
  const ns = nsOf(cls);
  if (ns !== undefined) r.ns = ns;
  if (env.clientIp !== undefined) r.client_ip = env.clientIp;
  if (env.remote !== undefined) r.remote = env.remote;
  if (env.pushCert !== undefined) r.push_cert = env.pushCert;
  return r;
}

function sortedUnique(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort();
}

export function refRequest(intent: Intent, ref: string, cls: RefClass, commits: readonly CommitFact[], bundle: ActiveBundle, env: RequestEnv): Json {
  const r = common(env, ref, cls, bundle);
  r.intent = intent;
  r.paths = sortedUnique(commits.flatMap((c) => c.paths));
  r.commits = { count: commits.length, unsigned: commits.filter((c) => !c.signed).length, merges: commits.filter((c) => c.parents > 1).length };
  const actor = env.pusher.actor ? actorRecord(env.pusher.actor.id, bundle.trust) : undefined;
  if (actor) {
    r.actor = actor;
    r.caps = capsTable(bundle.trust, env.pusher.actor?.id as string, r.ns as string | undefined, env.now);
  }
  return r;
}

export function eventRequest(ev: PushedEvent, ref: string, cls: RefClass, bundle: ActiveBundle, env: RequestEnv): Json {
  const r = common(env, ref, cls, bundle);
  r.intent = 'event';
  r.ns = ev.ns;
  r.event = { type: ev.type, signer: ev.actor, ulid: ev.ulid, ns: ev.ns };
  const actor = actorRecord(ev.actor, bundle.trust);
  if (actor) r.actor = actor;
  r.caps = capsTable(bundle.trust, ev.actor, ev.ns, env.now);
  return r;
}
