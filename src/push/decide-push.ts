/**
 * Deciding a push: load the active bundle and the settings, name the pusher,
 * gather each update's facts and decide it. Shared by both hooks and by
 * `gatos gate check`. Any failure becomes a refusing verdict with its code:
 * the gate never accepts what it could not decide. Adapter.
 */
import {
  RULES,
  decideUpdate,
  gateFailure,
  pushOptions,
  pushCertAttribute,
  readPushCert,
  resolvePusher,
  transportOf,
  remoteOf,
  verdictOf,
  type AuditContext,
  type CheckpointFact,
  type EnvRecord,
  type GateConfig,
  type HookName,
  type RefUpdate,
  type RequestEnv,
  type UpdateFacts,
  type Verdict,
} from '../gate';
import { VerifyMemo } from '../events/memo';
import { proposalBaseOf } from '../gate/gov';
import { classifyRef } from '../gate/ref-class';
import { repoNameFor } from './repo-name';
import type { GitRepo } from '../git';
import type { Result } from '../core/result';
import { activeGateBundle, bundleAt, type GateBundle } from './active-bundle';
import { oneUpdatePerRef } from '../gate/ref-once';
import { gatherFacts, walkUpdate, type Walk } from './gather';
import type { EventWorkers } from './event-pool';
import type { SignatureCheck } from './sig-pool';
import type { Trace } from './trace';
import type { Meter } from './watchdog';

export interface PushInput {
  readonly hook: HookName;
  readonly repo: GitRepo;
  readonly updates: readonly RefUpdate[];
  readonly env: EnvRecord;
  /** Epoch seconds, read once per push and recorded in the decision. */
  readonly now: number;
  readonly config: GateConfig;
  /** Phase timings (GATOS_TRACE=1); never changes the decision. */
  readonly trace?: Trace;
  /** Event signatures checked on another thread (the hooks); absent: on this one. */
  readonly signatures?: SignatureCheck;
  /** activeGateBundle(repo, memo), when the caller started it early (it needs no settings). */
  readonly bundle?: Promise<Result<GateBundle>>;
  /** This push's memo (the one `bundle` was loaded with); absent: a new one. Never shared between pushes. */
  readonly memo?: VerifyMemo;
  /** Told how many commits the walks list and how many are checked (the time budget, progress lines). */
  readonly meter?: Meter;
  /** A large update's events verified on worker threads (the hooks); absent: on this thread. */
  readonly eventWorkers?: EventWorkers;
}

export interface PushOutcome {
  readonly verdict: Verdict;
  readonly audit: AuditContext;
  /** The active bundle commit the push was decided under, its compiled policy's root and its fold_root. */
  readonly policyRoot?: string;
  readonly policyCodeRoot?: string;
  readonly foldRoot?: string;
}

function pushCert(env: EnvRecord, config: GateConfig): AuditContext['pushCert'] {
  const c = readPushCert(env, config);
  return c ? { signer: c.signer, key: c.key, status: c.status, nonceStatus: c.nonceStatus, actor: c.actor, verified: c.verified } : undefined;
}

export function auditContextOf(input: PushInput, policy?: { root: string; codeRoot: string; foldRoot: string }): AuditContext {
  const pusher = resolvePusher(input.env, input.config);
  const t = transportOf(input.env);
  const cert = pushCert(input.env, input.config);
  return {
    hook: input.hook,
    now: input.now,
    mode: input.config.mode,
    transport: t.transport,
    updates: input.updates,
    repoName: repoNameFor(input.repo, input.config),
    ...(pusher.actor ? { actor: pusher.actor.id } : {}),
    ...(pusher.hostName ? { hostUser: pusher.hostName } : {}),
    ...(pusher.source ? { actorSource: pusher.source } : {}),
    ...(t.clientIp ? { clientIp: t.clientIp } : {}),
    ...(policy ? { policyRoot: policy.root, policyCodeRoot: policy.codeRoot, foldRoot: policy.foldRoot } : {}),
    ...(cert ? { pushCert: cert } : {}),
  };
}

/**
 * Each update's walk (git only), one after another so a push of many refs
 * runs one git at a time, all while the active bundle loads: the walk's git
 * processes start and run on the other core instead of after the bundle.
 * A walk that throws rejects its own promise only where it is awaited.
 */
function startWalks(input: PushInput): Promise<Walk>[] {
  let previous: Promise<unknown> = Promise.resolve();
  const walks = input.updates.map((u) => {
    const w = previous.then(() => walkUpdate(input.repo, u, input.config));
    previous = w.catch(() => undefined);
    // The budget grows with the commits each walk lists.
    void w.then((done) => input.meter?.listed(done.ids?.length ?? 0), () => undefined);
    return w;
  });
  void previous.then(() => input.meter?.allListed());
  return walks;
}

export async function decidePush(input: PushInput): Promise<PushOutcome> {
  // receive-pack writes a namespaced push under refs/namespaces/<ns>/ but names its refs without it; every read of
  // the server's refs here would see another repository's, so the push is not decided at all (fail closed).
  const ns = input.env.GIT_NAMESPACE;
  if (ns) return { verdict: gateFailure('GATE_ERROR', `the host runs this push in the git namespace '${ns}', whose refs the gate does not read`, input.updates, 'serve each GATOS repository as its own bare repository, without GIT_NAMESPACE'), audit: auditContextOf(input) };
  const memo = input.memo ?? new VerifyMemo();
  const loading = input.bundle ?? activeGateBundle(input.repo, memo);
  const walks = startWalks(input);
  // Left unawaited when the bundle fails; a rejection there must not end the process.
  for (const w of walks) w.catch(() => undefined);
  const bundle = await loading;
  input.trace?.mark('load the active bundle (and walk the updates meanwhile)');
  if (!bundle.ok) {
    await Promise.allSettled(walks);
    const verdict = gateFailure('GATE_ERROR', `the active policy bundle cannot be used: ${bundle.error.message}`, input.updates);
    return { verdict, audit: auditContextOf(input) };
  }
  const b = bundle.value;
  const t = transportOf(input.env);
  const env: RequestEnv = {
    pusher: resolvePusher(input.env, input.config),
    now: input.now,
    transport: t.transport,
    pushOptions: input.hook === 'pre-receive' ? pushOptions(input.env) : [],
    // The update hook never sees the certificate: leave the attribute out there, so a policy that requires it denies.
    ...(input.hook !== 'update' ? { pushCert: pushCertAttribute(readPushCert(input.env, input.config)) } : {}),
    ...(t.clientIp ? { clientIp: t.clientIp } : {}),
    remote: remoteOf(t, input.config.networks, input.config.remote),
  };
  const decisions = [];
  const pushed = new Map(input.updates.filter((u) => u.newId !== input.repo.zeroId).map((u) => [u.ref, u.newId] as const));
  for (const [i, u] of input.updates.entries()) {
    const facts = await gatherFacts(input.repo, u, b, memo, input.config, input.now, pushed, input.trace, input.signatures, walks[i], input.meter, input.eventWorkers);
    const judge = await judgeOf(input.repo, u, facts, b, memo);
    decisions.push(decideUpdate(input.hook === 'update' ? updateHookAlone(facts) : facts, judge, input.config, env));
    input.trace?.mark(`evaluate the policy for ${u.ref}`);
  }
  const foldRoot = b.foldRoot;
  return { verdict: verdictOf(oneUpdatePerRef(decisions)), audit: auditContextOf(input, { root: b.commit, codeRoot: b.policyCodeRoot, foldRoot }), policyRoot: b.commit, policyCodeRoot: b.policyCodeRoot, foldRoot };
}

/**
 * The bundle that decides `u`: the active one, except for the rest of a
 * policy change whose activation already landed, which the bundle that
 * judged the proposal decides (proposalBaseOf). A base that cannot be
 * loaded leaves the active bundle, which refuses the update as before.
 */
async function judgeOf(repo: GitRepo, u: RefUpdate, facts: UpdateFacts, active: GateBundle, memo: VerifyMemo): Promise<GateBundle> {
  const base = proposalBaseOf(u, classifyRef(u.ref), facts.governance, active.commit);
  if (base === undefined) return active;
  const judge = await bundleAt(repo, base, memo);
  return judge.ok ? judge.value : active;
}

/**
 * The update hook decides one ref and cannot know the push's other refs: in
 * an --atomic push no ref moves before every update hook ran, so a
 * checkpoint over journal commits this push brings finds them on no server
 * ref. It cannot be proven complete here (the journal's own update may yet
 * be refused), so it is refused, saying why and what works.
 */
function updateHookAlone(facts: UpdateFacts): UpdateFacts {
  if (!facts.checkpoints.some((c) => !c.ok && c.cause === 'journal-not-on-server')) return facts;
  const checkpoints = facts.checkpoints.map((c): CheckpointFact =>
    !c.ok && c.cause === 'journal-not-on-server'
      ? { ...c, ruleId: RULES.updateHookJournalFirst.id, reason: `${c.reason}; with only the update hook installed, push the journal first, then the checkpoint (the update hook sees one ref of the push, and in an --atomic push no journal ref has moved yet when it runs)`, hint: RULES.updateHookJournalFirst.hint }
      : c,
  );
  return { ...facts, checkpoints };
}
