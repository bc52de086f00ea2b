/**
 * preparePolicy's lazyConditions (the cold hook's active-bundle record,
 * decision 0052): each rule's conditions are prepared at the rule's first
 * evaluation. It must never change a decision, and a condition that does not
 * prepare must still refuse, only later.
 */
import fc from 'fast-check';
import { decodeStrict } from '../../src/canon/cbor';
import { evaluate, type CompiledPolicy } from '../../src/rgs';
import { preparePolicy } from '../../src/rgs/load';
import { compileText } from './helpers';

const SOURCE = `rules:
  - id: a-journal
    when: { ref: "refs/gatos/journal/**", intent: [create, write, fast_forward] }
    allow_if:
      - "ref == 'refs/gatos/journal/' + ns + '/' + actor.kind + '/' + actor.name"
      - "actor.trust >= 1"
  - id: b-kind
    when: { kind: agent }
    deny_if: "not in_cidr(client_ip, '10.0.0.0/8')"
  - id: c-force
    when: { intent: force }
    deny_if: true
    audit: true
  - id: d-dry
    deny_if: "remote != 'internal'"
    mode: evaluate
`;

function docOf(text: string): { root: ReturnType<typeof compileText>['root']; doc: unknown } {
  const out = compileText(text);
  const decoded = decodeStrict(out.bytes);
  if (!decoded.ok) throw new Error(decoded.error.message);
  return { root: out.root, doc: decoded.value };
}

function prepared(root: ReturnType<typeof compileText>['root'], doc: unknown, lazy: boolean): CompiledPolicy {
  const p = preparePolicy(root, doc, { lazyConditions: lazy });
  if (!p.ok) throw new Error(p.error.message);
  return p.value;
}

const odd = fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer(), fc.string({ maxLength: 4 }), fc.constant({}));
const request = fc.record(
  {
    intent: fc.oneof(fc.constantFrom('write', 'create', 'force', 'delete', 'event'), odd),
    ref: fc.oneof(fc.constantFrom('refs/gatos/journal/x/user/a', 'refs/heads/main'), odd),
    ns: fc.oneof(fc.constantFrom('x', 'y'), odd),
    actor: fc.oneof(fc.record({ kind: fc.oneof(fc.constantFrom('user', 'agent'), odd), name: fc.constantFrom('a', 'b'), trust: fc.oneof(fc.integer({ min: 0, max: 2 }), odd) }, { requiredKeys: [] }), odd),
    client_ip: fc.oneof(fc.constantFrom('10.1.1.1', '11.1.1.1'), odd),
    remote: fc.oneof(fc.constantFrom('internal', 'github'), odd),
  },
  { requiredKeys: [] },
);

test('conditions prepared at first use decide exactly as conditions prepared at load', () => {
  const { root, doc } = docOf(SOURCE);
  const eager = prepared(root, doc, false);
  // One lazy policy for every request: rules prepared by earlier requests and rules never used yet side by side.
  const lazy = prepared(root, doc, true);
  fc.assert(
    fc.property(request, (req) => {
      expect(evaluate(lazy, req)).toEqual(evaluate(eager, req));
    }),
    { numRuns: 500 },
  );
});

test('a condition that does not prepare refuses at load, or lazily when its rule is first evaluated', () => {
  const { root, doc } = docOf(SOURCE);
  // c-force's deny_if made an int: no condition (prepare's type check).
  const bad = structuredClone(doc) as { rules: { id: string; deny: unknown[] }[] };
  const force = bad.rules.find((r) => r.id === 'c-force');
  if (!force) throw new Error('no rule c-force');
  force.deny = [['lit', 5]];
  const eager = preparePolicy(root, bad);
  expect(eager.ok).toBe(false);
  if (!eager.ok) expect(eager.error.message).toMatch(/rules\[2\]\.deny\[0\]: a condition must be a bool/);
  const lazy = prepared(root, bad, true);
  // A request its rule index never reaches decides without it...
  expect(evaluate(lazy, { intent: 'write', ref: 'refs/gatos/journal/x/user/a', ns: 'x', actor: { kind: 'user', name: 'a', trust: 1 }, remote: 'internal' }).effect).toBe('allow');
  // ...one that reaches it throws, which the gate turns into a refusal (decidePush fails closed).
  expect(() => evaluate(lazy, { intent: 'force', ref: 'refs/heads/main', remote: 'internal' })).toThrow(/compiled policy is malformed: rules\[2\]\.deny\[0\]: a condition must be a bool/);
  // And again on the next evaluation: a failure is not remembered as a success.
  expect(() => evaluate(lazy, { intent: 'force', ref: 'refs/heads/main', remote: 'internal' })).toThrow(/compiled policy is malformed/);
});
