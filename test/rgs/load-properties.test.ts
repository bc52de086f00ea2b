import fc from 'fast-check';
import { encodeCanonical } from '../../src/canon/cbor';
import { compilePolicy, evaluate, explain, loadPolicy, type Decision } from '../../src/rgs';
import { compileText } from './helpers';

const RULES = [
  `  - id: finance-append\n    when: { intent: write, path: "gatos/journal/finance/**" }\n    allow_if:\n      - "caps includes 'journal:append'"\n      - "trust[actor].level >= 2"\n    deny_if: "labels contains 'private' and remote != 'internal'"\n`,
  `  - id: branches\n    when: { intent: [write, create], ref: "refs/heads/**" }\n    allow_if: "actor.kind == 'user' or in_cidr(client_ip, '10.0.0.0/8')"\n`,
  `  - id: no-force\n    when: { intent: force }\n    deny_if: true\n`,
  `  - id: agents\n    when: { kind: agent }\n    deny_if: "not before_epoch(2000) or approvals < 1"\n`,
  `  - id: dry\n    mode: evaluate\n    deny_if: "size(paths) > 3"\n`,
  `  - id: groups\n    when: "in_group('leads')"\n    allow_if: "actor.trust + approvals >= 3"\n    audit: true\n`,
];
const source = (order: readonly number[]) => `rules:\n${order.map((i) => RULES[i]).join('')}`;
const COMPILED = compileText(source([0, 1, 2, 3, 4, 5]));
const loaded = loadPolicy(COMPILED.bytes);
if (!loaded.ok) throw new Error(loaded.error.message);
const POLICY = loaded.value;

const str = fc.oneof(fc.constantFrom('write', 'create', 'force', 'user', 'agent', 'user:bob', 'refs/heads/main', 'gatos/journal/finance/x', 'journal:append', 'leads', 'private', '10.1.1.1', '::1', 'internal', '__proto__'), fc.string({ maxLength: 6 }));
const anyValue = fc.oneof(str, fc.integer(), fc.boolean(), fc.constant(null), fc.array(str, { maxLength: 5 }), fc.double(), fc.dictionary(str, fc.oneof(fc.integer(), fc.constant(null), str), { maxKeys: 3 }));
/** Requests near the schema (the interesting decisions) mixed with arbitrary junk. */
const request = fc.record(
  {
    intent: fc.oneof(fc.constantFrom('write', 'create', 'force', 'delete', 'event'), anyValue),
    ref: fc.oneof(fc.constantFrom('refs/heads/main', 'refs/heads/a/b', 'refs/gatos/x'), anyValue),
    paths: fc.oneof(fc.array(fc.constantFrom('gatos/journal/finance/a', 'docs/x', 'a/b/c'), { maxLength: 5 }), anyValue),
    actor: fc.oneof(fc.record({ id: str, kind: fc.constantFrom('user', 'agent', 'service'), trust: fc.integer({ min: -5, max: 5 }), groups: fc.array(str, { maxLength: 3 }) }, { requiredKeys: [] }), anyValue),
    caps: fc.oneof(fc.dictionary(fc.constantFrom('journal:append', 'x'), fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.constant(null)), { maxKeys: 2 }), anyValue),
    trust: fc.oneof(fc.dictionary(str, fc.record({ level: fc.oneof(fc.integer({ min: 0, max: 4 }), anyValue) }), { maxKeys: 2 }), anyValue),
    labels: fc.oneof(fc.array(fc.constantFrom('private', 'public'), { maxLength: 2 }), anyValue),
    remote: fc.oneof(fc.constantFrom('internal', 'github'), anyValue),
    client_ip: fc.oneof(fc.constantFrom('10.1.2.3', '11.0.0.1', 'fd00::1', 'x'), anyValue),
    now: fc.oneof(fc.integer({ min: 0, max: 4000 }), fc.constant(Number.MAX_SAFE_INTEGER), anyValue),
    approvals: fc.oneof(fc.integer({ min: 0, max: 3 }), anyValue),
  },
  { requiredKeys: [] },
);

function wellFormed(d: Decision): boolean {
  if (d.effect === 'allow') return d.ruleIds.length > 0;
  return typeof d.reason === 'string' && d.reason.length > 0 && d.allDenyIds.includes(d.ruleId) && [...d.allDenyIds].sort().join() === d.allDenyIds.join();
}

describe('properties', () => {
  test('random requests never crash the evaluator and always give a well-formed decision', () => {
    fc.assert(fc.property(fc.oneof(request, anyValue), (req) => wellFormed(evaluate(POLICY, req))), { numRuns: 3000 });
  });

  test('explain never disagrees with evaluate', () => {
    fc.assert(fc.property(request, (req) => JSON.stringify(explain(POLICY, req).decision) === JSON.stringify(evaluate(POLICY, req))), { numRuns: 500 });
  });

  test('rule order never changes the bytes, nor (in the evaluator itself) the decision', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 6, maxLength: 6 }), request, (order, req) => {
        const again = compileText(source(order));
        if (again.root !== COMPILED.root) return false;
        // Feed the evaluator a permuted rule list directly: it must not rely on the sorted order.
        const permuted = { ...POLICY, rules: order.map((i) => POLICY.rules[i]!) };
        return JSON.stringify(evaluate(permuted, req)) === JSON.stringify(evaluate(POLICY, req));
      }),
      { numRuns: 300 },
    );
  });

  test('compiling twice gives identical bytes, and comments or blank lines change nothing', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), fc.string({ maxLength: 10 }).filter((s) => !/[\r\n]/.test(s)), (where, comment) => {
        const lines = source([0, 1, 2, 3, 4, 5]).split('\n');
        const noisy = lines.map((l, i) => (where[i % where.length] ? `${l}   # ${comment}` : `${l}\n`)).join('\n');
        const r = compilePolicy([{ file: 'p.rgs', text: noisy }]);
        return r.ok && r.value.root === COMPILED.root;
      }),
      { numRuns: 200 },
    );
  });

  test('mutated .rgc bytes are refused, or load as a well-formed policy that evaluates without crashing', () => {
    const reqs = fc.sample(request, { numRuns: 20, seed: 7 });
    let refused = 0;
    let accepted = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: COMPILED.bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), fc.constantFrom('xor', 'cut', 'insert'), (at, v, how) => {
        let m: Uint8Array;
        if (how === 'xor') {
          m = COMPILED.bytes.slice();
          m[at] = (m[at] as number) ^ v;
        } else if (how === 'cut') m = COMPILED.bytes.slice(0, at);
        else m = new Uint8Array([...COMPILED.bytes.slice(0, at), v, ...COMPILED.bytes.slice(at)]);
        // Bound to the expected root, every mutation is refused.
        const bound = loadPolicy(m, { expectedRoot: COMPILED.root });
        if (bound.ok || bound.error.code !== 'ARTIFACT_INVALID') return false;
        const r = loadPolicy(m);
        if (!r.ok) {
          refused++;
          return r.error.code === 'ENCODING_INVALID' || r.error.code === 'ARTIFACT_INVALID';
        }
        accepted++;
        return reqs.every((q) => wellFormed(evaluate(r.value, q)));
      }),
      { numRuns: 2000 },
    );
    expect(refused).toBeGreaterThan(accepted);
  });
});

describe('loadPolicy refuses what it cannot trust', () => {
  const doc = COMPILED.document;
  const encode = (v: unknown) => encodeCanonical(v);
  test.each([
    ['an unknown version', { ...doc, version: 2 }, 'version 2 is not supported'],
    ['another format', { ...doc, format: 'gatos-rgf' }, 'not a compiled policy'],
    ['an extra top-level key', { ...doc, extra: 1 }, 'the document has keys'],
    ['unsorted rules', { ...doc, rules: [...doc.rules].reverse() }, 'ids must be unique and sorted'],
    ['an unknown operation', { ...doc, rules: [{ ...doc.rules[0], allow: [['shell', 'rm -rf /']], deny: [] }] }, 'unknown operation'],
    ['an unknown attribute', { ...doc, rules: [{ ...doc.rules[0], allow: [['eq', ['attr', 'homedir'], ['lit', 'x']]], deny: [] }] }, 'unknown attribute'],
    ['a type error', { ...doc, rules: [{ ...doc.rules[0], allow: [['ge', ['attr', 'ref'], ['lit', 2]]], deny: [] }] }, 'needs a int'],
    ['a non-bool condition', { ...doc, rules: [{ ...doc.rules[0], allow: [['attr', 'approvals']], deny: [] }] }, 'must be a bool'],
    ['a non-literal glob', { ...doc, rules: [{ ...doc.rules[0], allow: [['call', 'glob', ['attr', 'ref'], ['attr', 'remote']]], deny: [] }] }, 'must be a string literal'],
    ['a bad CIDR', { ...doc, rules: [{ ...doc.rules[0], allow: [['call', 'in_cidr', ['attr', 'client_ip'], ['lit', '10.0.0.1/8']]], deny: [] }] }, 'bad CIDR'],
    ['a float literal', { ...doc, rules: [{ ...doc.rules[0], allow: [['gt', ['attr', 'now'], ['lit', 1.5]]], deny: [] }] }, 'safe integer'],
    ['deep nesting', { ...doc, rules: [{ ...doc.rules[0], allow: [Array.from({ length: 100 }).reduce<unknown>((acc) => ['not', acc], ['lit', true])], deny: [] }] }, 'nests deeper'],
    ['an unknown error code', { ...doc, rules: [{ ...doc.rules[0], code: 'OOPS' }] }, 'product error code'],
    // CBOR integers past 2^53 decode to bigint, which JSON.stringify refuses: named in the error, never a crash.
    ['a function named by a large integer', { ...doc, rules: [{ ...doc.rules[0], allow: [['call', 2n ** 60n]], deny: [] }] }, 'unknown function 1152921504606846976'],
    ['a function with no name', { ...doc, rules: [{ ...doc.rules[0], allow: [['call']], deny: [] }] }, 'unknown function nothing'],
    ['a version that is a large integer', { ...doc, version: 2n ** 60n }, 'version 1152921504606846976 is not supported'],
  ])('%s', (_name, value, message) => {
    const r = loadPolicy(encode(value));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('ARTIFACT_INVALID');
      expect(r.error.message).toContain(message);
      expect(r.error.hint).toContain('policyc');
    }
  });

  test('non-canonical bytes are refused as ENCODING_INVALID', () => {
    const r = loadPolicy(new Uint8Array([...COMPILED.bytes, 0]));
    expect(r.ok || r.error.code).toBe('ENCODING_INVALID');
  });

  test('the compiled bytes load, and the root is sha256 of the bytes', () => {
    const r = loadPolicy(COMPILED.bytes, { expectedRoot: COMPILED.root });
    expect(r.ok && r.value.root).toBe(COMPILED.root);
  });
});
