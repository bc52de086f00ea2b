import { formatDiagnostic } from '../../src/core/diagnostic';
import { compilePolicy } from '../../src/rgs';
import { compileText, errorsOf, oneRule } from './helpers';

describe('checker: errors caught at compile time, with location and hint', () => {
  test.each([
    ['allow_if: "lables contains \'x\'"', "unknown attribute 'lables'", "did you mean 'labels'?"],
    ['allow_if: "has_cpa(\'x\')"', "unknown predicate 'has_cpa'", "did you mean 'has_cap'?"],
    ['allow_if: "actor.kidn == \'user\'"', "actor has no field 'kidn'", "did you mean 'kind'?"],
    ['allow_if: "intent == \'wirte\'"', "intent is never 'wirte'", "did you mean 'write'?"],
    ['allow_if: "actor.kind in [\'user\', \'bot\']"', "actor.kind is never 'bot'", 'one of user, agent, service'],
    ['allow_if: "approvals >= \'2\'"', "'>=' needs a int, found a string", undefined],
    ['allow_if: "labels"', 'a condition must be a bool', 'contains'],
    ['allow_if: "has_cap(\'a\', \'b\')"', 'has_cap takes 1 argument', undefined],
    ['allow_if: "in_cidr(client_ip, \'10.0.0.1/8\')"', 'host bits set', "'10.0.0.0/8'"],
    ['allow_if: "in_cidr(client_ip, \'10.0.0.0/33\')"', 'prefix /33 is longer', undefined],
    ['allow_if: "in_cidr(client_ip, remote)"', 'must be a quoted string', undefined],
    ['allow_if: "ref matches \'refs/**heads\'"', "'**' must be a whole segment", undefined],
    ['allow_if: "path == \'x\'"', "'path' is not an attribute", 'any_match(paths'],
    ['allow_if: "actor_kind(\'robot\')"', "'robot' is not an actor kind", undefined],
    ['allow_if: "trust.alice.level > 1"', 'has no fields', "trust['alice']"],
    ['allow_if: "remote contains 1"', "'contains' on a string needs a string", undefined],
    ['allow_if: "actor == actor"', 'cannot be compared', undefined],
  ])('%s', (body, message, hint) => {
    const [d] = errorsOf(oneRule(body));
    expect(d?.message).toContain(message);
    if (hint) expect(d?.hint).toContain(hint);
    expect(d?.code).toBe('COMPILE_ERROR');
  });

  test('an error inside a quoted condition points at the right line and column of the file', () => {
    const text = oneRule('when: { intent: write }\nallow_if:\n  - "has_cap(\'journal:append\')"\n  - "trust[actor].levle >= 2"');
    const [d] = errorsOf(text, 'finance.rgs');
    expect(d?.location).toMatchObject({ file: 'finance.rgs', line: 6, column: 23, length: 5 });
    const shown = formatDiagnostic(d!, text);
    expect(shown).toContain('finance.rgs:6:23: error: trust_entry has no field \'levle\'');
    expect(shown).toContain('    6 |       - "trust[actor].levle >= 2"');
    expect(shown).toMatch(/\| {23}\^{5}\n/);
    expect(shown).toContain("hint: did you mean 'level'?");
  });

  test('escapes in a double-quoted YAML string do not shift the column', () => {
    const text = oneRule('allow_if: "remote == \\"x\\" and nope"');
    const [d] = errorsOf(text);
    expect(d?.location).toMatchObject({ line: 3, column: 36, length: 4 });
  });

  test('YAML errors, unknown keys and reserved ids are reported with locations', () => {
    expect(errorsOf('rules:\n  - id: a\n    allow_if: true\n    allow_if: false\n')[0]?.message).toMatch(/YAML: Map keys must be unique/);
    const unknown = errorsOf(oneRule('alow_if: true'));
    expect(unknown.map((d) => d.message)).toContain("unknown rule key 'alow_if'");
    expect(unknown.find((d) => d.message.startsWith('unknown'))?.hint).toBe("did you mean 'allow_if'?");
    expect(errorsOf(oneRule('allow_if: true', 'rule:0123456789abcdef'))[0]?.message).toContain('the compiler assigns');
    expect(errorsOf(oneRule('allow_if: true', 'default-deny'))[0]?.message).toContain('reserved');
    expect(errorsOf(oneRule('when: {intent: write}'))[0]?.message).toContain('neither allow_if nor deny_if');
    expect(errorsOf(oneRule('allow_if: true\ncode: NOPE'))[0]?.message).toContain('code must be one of POLICY_DENY');
    expect(errorsOf(oneRule('allow_if: true\nmode: dryrun'))[0]?.message).toContain('mode must be one of enforce, evaluate');
    expect(errorsOf(oneRule('allow_if: 3'))[0]?.message).toContain('allow_if must be a quoted condition');
    expect(errorsOf(oneRule('when: {branch: main}\nallow_if: true'))[0]?.message).toContain("unknown when key 'branch'");
  });

  test('duplicate ids across files name the first occurrence', () => {
    const r = compilePolicy([
      { file: 'a.rgs', text: oneRule('allow_if: true', 'same') },
      { file: 'b.rgs', text: oneRule('deny_if: true', 'same') },
    ]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error[0]?.location.file).toBe('b.rgs');
      expect(r.error[0]?.hint).toContain('a.rgs:2:9');
    }
  });

  test('the Casbin trap: a shallow * in a deny warns; ** and allow rules do not', () => {
    const warn = (body: string) => compileText(oneRule(body)).warnings.map((w) => w.message);
    expect(warn('when: { path: "secret/*" }\ndeny_if: true')[0]).toContain("'secret/*' matches direct children only");
    expect(warn('deny_if: "any_match(paths, \'secret/*\')"')[0]).toContain('direct children only');
    expect(warn('deny_if: "ref matches \'refs/heads/*\'"')[0]).toContain('direct children only');
    expect(warn('when: { path: "secret/**" }\ndeny_if: true')).toEqual([]);
    expect(warn('when: { ref: "refs/heads/*" }\nallow_if: true')).toEqual([]);
    expect(warn('deny_if: "any_match(paths, \'docs/*.md\')"')).toEqual([]);
  });

  test('constant and contradictory rules are flagged', () => {
    const warn = (body: string) => compileText(oneRule(body)).warnings.map((w) => w.message).join('\n');
    expect(warn('allow_if: "1 > 2"')).toContain('does not depend on the request');
    expect(warn('when: { intent: write }\nallow_if: "intent == \'delete\'"')).toContain('can never allow');
    expect(warn('when: "intent == \'write\' and intent in [\'create\', \'delete\']"\nallow_if: true')).toContain('never applies');
    expect(warn('allow_if: true')).toBe('');
  });
});
