/**
 * rgs against Cedar: a 20-rule push-gate policy written twice (.rgs and
 * Cedar), the same 10,000 requests through both in one run, decisions and
 * deciding rule ids asserted identical, decisions per second and the ratio.
 * Requests are built for both engines before timing; Cedar's policy set is
 * pre-parsed (statefulIsAuthorized), ours is compiled and loaded once.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { compilePolicy, evaluate, loadPolicy, type CompiledPolicy, type Decision } from '../src/rgs';
import { timeMs, type BenchSuite } from './harness';
import { seededRandom as rng } from '../test/helpers/seeded-random';
import { median } from './stats';

/** Each rule: id, .rgs body, and its Cedar form (scope W, requirement A, deny D). */
interface BenchRule {
  readonly id: string;
  readonly rgs: string;
  readonly cedar: { readonly when?: string; readonly allow?: string; readonly deny?: string };
}

const C = 'context';
const cap = (c: string) => `(${C}.caps has "${c}" && ${C}.caps["${c}"] > ${C}.now)`;
const ipIn = (block: string) => `${C}.client_ip.isInRange(ip("${block}"))`;
const intentIn = (...xs: string[]) => `[${xs.map((x) => `"${x}"`).join(', ')}].contains(${C}.intent)`;

export const BENCH_RULES: readonly BenchRule[] = [
  { id: 'journal-append-only', rgs: 'when: { ref: "refs/gatos/journal/**", intent: [force, delete] }\ndeny_if: true', cedar: { when: `${C}.ref like "refs/gatos/journal/*" && ${intentIn('force', 'delete')}`, deny: 'true' } },
  { id: 'audit-readonly', rgs: 'when: { ref: "refs/gatos/audit/**" }\ndeny_if: true', cedar: { when: `${C}.ref like "refs/gatos/audit/*"`, deny: 'true' } },
  { id: 'policies-ff-only', rgs: 'when: { ref: "refs/gatos/policies/**", intent: [force, delete] }\ndeny_if: true', cedar: { when: `${C}.ref like "refs/gatos/policies/*" && ${intentIn('force', 'delete')}`, deny: 'true' } },
  { id: 'state-ff-only', rgs: 'when: { ref: "refs/gatos/state/**", intent: [force, delete] }\ndeny_if: true', cedar: { when: `${C}.ref like "refs/gatos/state/*" && ${intentIn('force', 'delete')}`, deny: 'true' } },
  {
    id: 'finance-append',
    rgs: `when: { intent: [write, create], files: "gatos/journal/finance/**" }\nallow_if:\n  - "caps includes 'journal:append'"\n  - "actor.trust >= 2"\ndeny_if: "labels contains 'private' and remote != 'internal'"`,
    cedar: { when: `${intentIn('write', 'create')} && ${C}.dirs.contains("gatos/journal/finance")`, allow: `${cap('journal:append')} && ${C}.actor.trust >= 2`, deny: `${C}.labels.contains("private") && ${C}.remote != "internal"` },
  },
  { id: 'journal-write', rgs: `when: { intent: [write, create], ref: "refs/gatos/journal/**" }\nallow_if: "has_cap('journal:append')"`, cedar: { when: `${intentIn('write', 'create')} && ${C}.ref like "refs/gatos/journal/*"`, allow: cap('journal:append') } },
  {
    id: 'branches-users',
    rgs: `when: { intent: [write, fast_forward, create], ref: "refs/heads/**" }\nallow_if: "actor.kind == 'user' and in_cidr(client_ip, '10.0.0.0/8')"`,
    cedar: { when: `${intentIn('write', 'fast_forward', 'create')} && ${C}.ref like "refs/heads/*"`, allow: `${C}.actor.kind == "user" && ${ipIn('10.0.0.0/8')}` },
  },
  { id: 'main-protected', rgs: 'when: { ref: refs/heads/main, intent: [force, delete] }\ndeny_if: true', cedar: { when: `${C}.ref == "refs/heads/main" && ${intentIn('force', 'delete')}`, deny: 'true' } },
  { id: 'release-tags', rgs: `when: { ref: "refs/tags/**", intent: create }\nallow_if: "in_group('release') and approvals >= 1"`, cedar: { when: `${C}.ref like "refs/tags/*" && ${C}.intent == "create"`, allow: `${C}.actor.groups.contains("release") && ${C}.approvals >= 1` } },
  { id: 'tag-immutable', rgs: 'when: { ref: "refs/tags/**", intent: [write, force, delete] }\ndeny_if: true', cedar: { when: `${C}.ref like "refs/tags/*" && ${intentIn('write', 'force', 'delete')}`, deny: 'true' } },
  { id: 'agents-network', rgs: `when: { kind: agent }\ndeny_if: "not in_cidr(client_ip, '10.20.0.0/16')"`, cedar: { when: `${C}.actor.kind == "agent"`, deny: `!${ipIn('10.20.0.0/16')}` } },
  { id: 'agents-sunset', rgs: 'when: { kind: agent }\ndeny_if: "after_epoch(1800000000)"\ncode: CAP_EXPIRED', cedar: { when: `${C}.actor.kind == "agent"`, deny: `${C}.now >= 1800000000` } },
  {
    id: 'service-state',
    rgs: `when: { ref: "refs/gatos/state/**", intent: [write, fast_forward, checkpoint] }\nallow_if: "actor.kind == 'service' and has_cap('state:checkpoint')"`,
    cedar: { when: `${C}.ref like "refs/gatos/state/*" && ${intentIn('write', 'fast_forward', 'checkpoint')}`, allow: `${C}.actor.kind == "service" && ${cap('state:checkpoint')}` },
  },
  { id: 'policy-change', rgs: `when: { intent: policy_change }\nallow_if: "approvals >= 2 and in_group('leads')"`, cedar: { when: `${C}.intent == "policy_change"`, allow: `${C}.approvals >= 2 && ${C}.actor.groups.contains("leads")` } },
  { id: 'pii-internal', rgs: `when: { label: pii }\ndeny_if: "remote != 'internal'"`, cedar: { when: `${C}.labels.contains("pii")`, deny: `${C}.remote != "internal"` } },
  { id: 'secrets-path', rgs: 'when: { files: "secrets/**" }\ndeny_if: true', cedar: { when: `${C}.dirs.contains("secrets")`, deny: 'true' } },
  { id: 'low-trust', rgs: 'deny_if: "actor.trust < 1"', cedar: { deny: `${C}.actor.trust < 1` } },
  { id: 'events', rgs: `when: { intent: event }\nallow_if: "has_cap('event:append') and actor.trust >= 1"`, cedar: { when: `${C}.intent == "event"`, allow: `${cap('event:append')} && ${C}.actor.trust >= 1` } },
  { id: 'docs-anyone', rgs: `when: { intent: [write, fast_forward], ref: "refs/heads/docs/**" }\nallow_if: "actor.kind in ['user', 'agent']"`, cedar: { when: `${intentIn('write', 'fast_forward')} && ${C}.ref like "refs/heads/docs/*"`, allow: `["user", "agent"].contains(${C}.actor.kind)` } },
  { id: 'quarantine-net', rgs: `deny_if: "in_cidr(client_ip, '192.168.66.0/24')"`, cedar: { deny: ipIn('192.168.66.0/24') } },
];

export function rgsSource(rules: readonly BenchRule[] = BENCH_RULES): string {
  return `rules:\n${rules.map((r) => `  - id: ${r.id}\n${r.rgs.split('\n').map((l) => `    ${l}`).join('\n')}\n`).join('')}`;
}

/** One Cedar policy per effect: a permit for the requirement, forbids for a failed requirement and for a deny. */
export function cedarPolicies(rules: readonly BenchRule[] = BENCH_RULES): Record<string, string> {
  const out: Record<string, string> = {};
  const head = (effect: string) => `${effect} (principal, action, resource)`;
  for (const r of rules) {
    const w = r.cedar.when ?? 'true';
    if (r.cedar.deny) out[`${r.id}#deny`] = `${head('forbid')} when { ${w} && (${r.cedar.deny}) };`;
    if (r.cedar.allow) {
      out[`${r.id}#permit`] = `${head('permit')} when { ${w} && (${r.cedar.allow}) };`;
      out[`${r.id}#require`] = `${head('forbid')} when { ${w} } unless { ${r.cedar.allow} };`;
    }
  }
  return out;
}

export interface BenchRequest {
  readonly ours: Record<string, unknown>;
  readonly cedar: { principal: { type: string; id: string }; action: { type: string; id: string }; resource: { type: string; id: string }; context: Record<string, unknown> };
}

export function benchRequests(n: number, seed = 42): BenchRequest[] {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const intents = ['create', 'write', 'fast_forward', 'force', 'delete', 'event', 'checkpoint', 'policy_change'];
  const refs = ['refs/heads/main', 'refs/heads/feature/x', 'refs/heads/docs/guide', 'refs/tags/v1.2.0', 'refs/gatos/journal/finance/user/alice', 'refs/gatos/journal/ops/agent/ci', 'refs/gatos/audit/policy', 'refs/gatos/policies/active', 'refs/gatos/state/finance'];
  const pathPool = ['gatos/journal/finance/2024/01.json', 'gatos/journal/ops/a.json', 'docs/guide.md', 'src/main.ts', 'secrets/prod/key.pem', 'README.md'];
  const ips = ['10.1.2.3', '10.20.5.6', '192.168.66.7', '172.16.0.1', '10.20.0.9'];
  const capPool = ['journal:append', 'state:checkpoint', 'event:append'];
  const groupPool = ['release', 'leads', 'ops'];
  const out: BenchRequest[] = [];
  for (let i = 0; i < n; i++) {
    const kind = pick(['user', 'user', 'agent', 'service']);
    const name = pick(['alice', 'bob', 'ci', 'deployer']);
    const now = 1_700_000_000 + Math.floor(rand() * 200_000_000);
    const caps: Record<string, number> = {};
    for (const c of capPool) if (rand() < 0.6) caps[c] = now + Math.floor(rand() * 2_000_000) - 500_000;
    const paths = pathPool.filter(() => rand() < 0.25);
    const ours = {
      intent: pick(intents),
      ref: pick(refs),
      paths,
      ns: 'finance',
      actor: { id: `${kind}:${name}`, kind, name, trust: Math.floor(rand() * 4), groups: groupPool.filter(() => rand() < 0.4) },
      caps,
      labels: ['private', 'pii', 'public'].filter(() => rand() < 0.3),
      remote: pick(['internal', 'internal', 'github']),
      client_ip: pick(ips),
      now,
      approvals: Math.floor(rand() * 3),
    };
    const dirs = new Set<string>();
    for (const p of paths) {
      const segs = p.split('/');
      for (let k = 1; k < segs.length; k++) dirs.add(segs.slice(0, k).join('/'));
    }
    const context = { ...ours, paths: [...paths], dirs: [...dirs].sort(), client_ip: { __extn: { fn: 'ip', arg: ours.client_ip } } };
    out.push({ ours, cedar: { principal: { type: 'Actor', id: ours.actor.id }, action: { type: 'Action', id: ours.intent }, resource: { type: 'Ref', id: ours.ref }, context } });
  }
  return out;
}

interface CedarModule {
  preparsePolicySet(id: string, policies: { staticPolicies: Record<string, string> }): { type: string; errors?: unknown };
  statefulIsAuthorized(call: unknown): { type: 'success'; response: { decision: 'allow' | 'deny'; diagnostics: { reason: string[]; errors: unknown[] } } } | { type: 'failure'; errors: unknown[] };
}

/** Loaded at run time from node_modules: its nodejs build reads its .wasm beside itself, so it cannot be bundled. */
function loadCedar(): CedarModule {
  const req = createRequire(path.join(process.cwd(), 'package.json'));
  return req('@cedar-policy/cedar-wasm/nodejs') as CedarModule;
}

/** The rule ids a decision names, for comparing the two engines ('' for a default deny). */
function ourIds(d: Decision): string {
  if (d.effect === 'allow') return `allow:${d.ruleIds.join(',')}`;
  return d.ruleId === 'default-deny' ? 'deny:' : `deny:${d.allDenyIds.join(',')}`;
}

function cedarIds(decision: 'allow' | 'deny', reasons: readonly string[]): string {
  const ids = [...new Set(reasons.map((r) => r.split('#')[0] as string))].sort();
  return `${decision}:${ids.join(',')}`;
}

const ROUNDS = 9;
const OURS_PASSES_PER_ROUND = 9;

function spread(xs: readonly number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const f = (x: number | undefined) => (x ?? NaN).toFixed(1);
  return `${f(s[0])}/${f(median(s))}/${f(s[s.length - 1])}`;
}

export const rgsSuite: BenchSuite = {
  name: 'rgs',
  async run() {
    const compiled = compilePolicy([{ file: 'bench.rgs', text: rgsSource() }]);
    if (!compiled.ok) throw new Error(`bench policy does not compile: ${compiled.error[0]?.message ?? ''}`);
    const loaded = loadPolicy(compiled.value.bytes);
    if (!loaded.ok) throw new Error(loaded.error.message);
    const policy: CompiledPolicy = loaded.value;
    const cedar = loadCedar();
    const prep = cedar.preparsePolicySet('bench', { staticPolicies: cedarPolicies() });
    if (prep.type !== 'success') throw new Error(`cedar policies do not parse: ${JSON.stringify(prep.errors)}`);
    const requests = benchRequests(10_000);
    const cedarCall = (r: BenchRequest) => cedar.statefulIsAuthorized({ ...r.cedar, preparsedPolicySetId: 'bench', entities: [] });

    // Identical decisions, and identical deciding rule ids, for every request.
    let allows = 0;
    for (const r of requests) {
      const ours = evaluate(policy, r.ours);
      const theirs = cedarCall(r);
      if (theirs.type !== 'success' || theirs.response.diagnostics.errors.length > 0) throw new Error(`cedar failed on ${JSON.stringify(r.ours)}: ${JSON.stringify(theirs)}`);
      const a = ourIds(ours);
      const b = cedarIds(theirs.response.decision, theirs.response.diagnostics.reason);
      if (a !== b) throw new Error(`decisions differ on ${JSON.stringify(r.ours)}: rgs ${a}, cedar ${b}`);
      if (ours.effect === 'allow') allows++;
    }

    // Timed in alternation: every round runs rgs and Cedar back to back over the
    // same requests, so a change in machine load hits both; the medians of the
    // per-pass rates are compared. A pass of rgs is ~100x shorter than Cedar's, so
    // it runs several passes per round to give as many samples as wall time.
    const oursPass = () => {
      for (const r of requests) evaluate(policy, r.ours);
    };
    const cedarPass = () => {
      for (const r of requests) cedarCall(r);
    };
    for (let i = 0; i < 5; i++) oursPass();
    cedarPass();
    const oursMsSamples: number[] = [];
    const cedarMsSamples: number[] = [];
    const roundRatios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const ours: number[] = [];
      for (let i = 0; i < OURS_PASSES_PER_ROUND; i++) ours.push(await timeMs(oursPass, 1, 0));
      const theirs = await timeMs(cedarPass, 1, 0);
      oursMsSamples.push(...ours);
      cedarMsSamples.push(theirs);
      // Paired in time: both engines of one round saw the same machine load.
      roundRatios.push(theirs / median(ours));
    }
    const oursRate = requests.length / (median(oursMsSamples) / 1000);
    const cedarRate = requests.length / (median(cedarMsSamples) / 1000);
    const ratio = median(roundRatios);
    return [
      {
        figure: `20-rule push-gate policy, ${requests.length} requests (rgs evaluate over .rgc)`,
        value: oursRate,
        unit: 'decisions/s',
        reference: 'Cedar 4 wasm, same policy and requests, pre-parsed',
        referenceValue: cedarRate,
        ratio,
        target: '>= 100x',
        met: ratio >= 100,
        note: `decisions and deciding rule ids identical for all ${requests.length} requests (${allows} allow, ${requests.length - allows} deny); ${ROUNDS} interleaved rounds (rgs ${OURS_PASSES_PER_ROUND} passes, Cedar 1 pass each), rates from the medians of per-pass times; ratio = median over rounds of (Cedar pass time / median rgs pass time of the same round), per-round ratios ${roundRatios.map((x) => x.toFixed(0)).join(' ')}; rgs per-pass ms min/median/max ${spread(oursMsSamples)}, Cedar ${spread(cedarMsSamples)}`,
      },
    ];
  },
};
