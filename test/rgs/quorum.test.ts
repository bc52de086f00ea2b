/** The quorum form of .rgs (docs/rgs.md, "Quorum"): the rule key and the predicate compile alike, count distinct group members, and a failure names who is missing. */
import { compilePolicy, evaluate } from '../../src/rgs';
import { compileText, errorsOf, oneRule, policyOf } from './helpers';

const KEYED = oneRule('when: { intent: policy_change }\nallow_if: "actor.trust >= 3"\nquorum: { of: "@leads", at_least: 2 }', 'policy/quorum');
const WRITTEN = oneRule(`when: { intent: policy_change }\nallow_if: ["actor.trust >= 3", "quorum('@leads', 2)"]`, 'policy/quorum');
const GROUPS = { leads: ['user:alice', 'user:bob', 'user:root'] };

function request(approvers: string[]): Record<string, unknown> {
  return { intent: 'policy_change', actor: { id: 'user:root', kind: 'user', name: 'root', trust: 9, groups: [] }, approvers, approvals: approvers.length, groups: GROUPS };
}

describe('quorum', () => {
  test('the rule key is the predicate: same .rgc bytes, same policy root', () => {
    expect(compileText(KEYED).root).toBe(compileText(WRITTEN).root);
  });

  test('2 of 3 leads: denied with one approval, allowed with two; approvers outside the group do not count', () => {
    const p = policyOf(KEYED);
    expect(evaluate(p, request(['user:root'])).effect).toBe('deny');
    expect(evaluate(p, request(['user:root', 'user:carol'])).effect).toBe('deny');
    expect(evaluate(p, request(['user:alice', 'user:root'])).effect).toBe('allow');
  });

  test('the refusal says how many approvals are missing and from whom', () => {
    const d = evaluate(policyOf(KEYED), request(['user:root']));
    if (d.effect !== 'deny') throw new Error('expected a denial');
    expect(d.reason).toBe('quorum of @leads not met: 1 of 2 approvals (approved by user:root); missing 1 more approval from user:alice, user:bob');
  });

  test('a rule reason keeps the quorum detail', () => {
    const d = evaluate(policyOf(`${KEYED}    reason: "policy changes need two leads"\n`), request([]));
    if (d.effect !== 'deny') throw new Error('expected a denial');
    expect(d.reason).toBe('policy changes need two leads: quorum of @leads not met: 0 of 2 approvals (approved by none); missing 2 more approvals from user:alice, user:bob, user:root');
  });

  test('a request without approvers denies (absent attribute), never allows', () => {
    const r = request([]);
    delete r.approvers;
    expect(evaluate(policyOf(KEYED), r).effect).toBe('deny');
  });

  test.each([
    ['quorum: "@leads"', 'quorum must be a mapping with "of" and "at_least"'],
    ['quorum: { of: "@leads", at_least: 0 }', 'quorum.at_least must be a whole number of 1 or more'],
    ['quorum: { of: "@leads", atleast: 2 }', "unknown quorum key 'atleast'"],
    ['quorum: { of: "leads", at_least: 2 }', "'leads' is not a group"],
  ])('%s is refused with a located error', (body, message) => {
    const errors = errorsOf(oneRule(`when: { intent: policy_change }\n${body}`));
    expect(errors.map((e) => e.message)).toContain(message);
    const e = errors.find((x) => x.message === message);
    expect(e?.location?.line).toBe(4);
    expect(e?.location?.column).toBeGreaterThan(4);
  });

  test("the predicate's group is checked where it is written", () => {
    const r = compilePolicy([{ file: 'p.rgs', text: oneRule(`allow_if: "quorum('leads', 2)"`) }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error[0]?.location).toMatchObject({ line: 3, column: 23 });
  });
});
