/**
 * The rule index (rules skipped when their when opens with a test for
 * another intent or actor kind) must never change a decision: every rule's
 * own outcome, computed by explain over all rules with no index, must
 * account for exactly the ids the indexed evaluate reports.
 */
import fc from 'fast-check';
import { evaluate, explain, type Decision, type Explanation } from '../../src/rgs';
import { policyOf } from './helpers';

const POLICY = policyOf(`rules:
  - id: a-intent-first
    when: { intent: [write, create], ref: "refs/heads/**" }
    allow_if: "actor.trust >= 1"
  - id: b-kind-first
    when: { kind: agent }
    deny_if: "not in_cidr(client_ip, '10.0.0.0/8')"
  - id: c-intent-only
    when: { intent: force }
    deny_if: true
    audit: true
  - id: d-intent-second
    when: "actor.trust > 1 and intent == 'delete'"
    deny_if: true
  - id: e-literal-left
    when: "'event' == intent and actor.kind == 'service'"
    allow_if: "approvals >= 1"
  - id: f-no-when
    deny_if: "remote != 'internal'"
    mode: evaluate
  - id: g-intent-in
    when: "intent in ['checkpoint', 'write'] and actor.kind in ['user']"
    allow_if: "has_cap('x')"
`);

const odd = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.string({ maxLength: 4 }), fc.constant(['write']), fc.constant({}));
const request = fc.record(
  {
    intent: fc.oneof(fc.constantFrom('write', 'create', 'force', 'delete', 'event', 'checkpoint', 'policy_change'), odd),
    ref: fc.oneof(fc.constantFrom('refs/heads/main', 'refs/tags/v1'), odd),
    actor: fc.oneof(fc.record({ id: fc.constant('user:x'), kind: fc.oneof(fc.constantFrom('user', 'agent', 'service'), odd), trust: fc.oneof(fc.integer({ min: 0, max: 3 }), odd) }, { requiredKeys: [] }), odd),
    client_ip: fc.oneof(fc.constantFrom('10.1.1.1', '11.1.1.1'), odd),
    remote: fc.oneof(fc.constantFrom('internal', 'github'), odd),
    approvals: fc.oneof(fc.integer({ min: 0, max: 2 }), odd),
    caps: fc.oneof(fc.constant({ x: null }), fc.constant({}), odd),
  },
  { requiredKeys: [] },
);

/** The decision's ids as the unindexed per-rule outcomes dictate. */
function fromTraces(x: Explanation): { effect: string; ids: string; audit: string } {
  const enforced = x.rules.filter((t) => t.mode === 'enforce');
  const denies = enforced.filter((t) => t.outcome === 'deny').map((t) => t.id).sort();
  const allows = enforced.filter((t) => t.outcome === 'allow').map((t) => t.id).sort();
  const audit = x.rules.filter((t) => t.outcome !== 'not-applicable' && t.id === 'c-intent-only').map((t) => t.id).join();
  if (denies.length > 0) return { effect: 'deny', ids: denies.join(), audit };
  if (allows.length > 0) return { effect: 'allow', ids: allows.join(), audit };
  return { effect: 'deny', ids: 'default-deny', audit };
}

function idsOf(d: Decision): { effect: string; ids: string; audit: string } {
  return { effect: d.effect, ids: (d.effect === 'allow' ? d.ruleIds : d.allDenyIds).join(), audit: d.audit.join() };
}

test('indexed evaluation reports exactly what every rule, evaluated on its own, decides', () => {
  fc.assert(
    fc.property(request, (req) => {
      const d = evaluate(POLICY, req);
      const x = explain(POLICY, req);
      const dry = x.rules.filter((t) => t.mode === 'evaluate' && t.outcome === 'deny').map((t) => ({ ruleId: t.id, reason: t.reason, code: t.code }));
      expect(idsOf(d)).toEqual(fromTraces(x));
      expect(d.evaluate).toEqual(dry);
      if (d.effect === 'deny' && d.ruleId !== 'default-deny') expect(d.reason).toBe(x.rules.find((t) => t.id === d.ruleId)?.reason);
    }),
    { numRuns: 3000 },
  );
});

test('a rule gated on an unreadable intent still fails in its own when', () => {
  const d = evaluate(POLICY, { intent: 'bogus', actor: { kind: 'user', trust: 2 }, remote: 'internal' });
  expect(d.effect).toBe('deny');
  if (d.effect === 'deny') expect(d.allDenyIds).toEqual(['a-intent-first', 'c-intent-only', 'd-intent-second', 'e-literal-left', 'g-intent-in']);
});
