/**
 * The seed's policy features (issue 15, decision 0021): rules without an id
 * get a compiler-assigned one, `when.path` is the ref as a path (the
 * journal, as the seed writes it), `files` matches changed file paths, a
 * labels table gives refs their labels.
 */
import { compilePolicy, evaluate, labelsOf, loadPolicy } from '../../src/rgs';
import { encodeCanonical, decodeStrict } from '../../src/canon/cbor';
import { compileText, errorsOf, policyOf } from './helpers';

const warnings = (text: string): string[] => compileText(text).warnings.map((d) => d.message);

describe('rules without an id', () => {
  const anon = 'rules:\n  - when: { intent: force }\n    deny_if: true\n  - allow_if: true\n';

  test('compile, each with an id the compiler derives from the rule, reported in the denial', () => {
    const out = compileText(anon);
    const ids = out.document.rules.map((r) => r.id);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^rule:[0-9a-f]{16}$/);
    const p = policyOf(anon);
    const d = evaluate(p, { intent: 'force' });
    expect(d.effect).toBe('deny');
    if (d.effect !== 'deny') return;
    const forceRule = out.document.rules.find((r) => r.deny.length > 0);
    expect(d.ruleId).toBe(forceRule?.id);
  });

  test('the id depends on the rule only: not on its file, position, spelling or comments', () => {
    const a = compileText(anon, 'a.rgs').document.rules.map((r) => r.id).sort();
    const moved = compilePolicy([
      { file: 'z/other.rgs', text: '# a comment\nallow_if: "true"\n' },
      { file: 'b.rgs', text: 'rules:\n  - deny_if: [true]\n    when: {intent: [force]}\n' },
    ]);
    expect(moved.ok).toBe(true);
    if (!moved.ok) return;
    expect(moved.value.document.rules.map((r) => r.id).sort()).toEqual(a);
    expect(moved.value.root).toBe(compileText(anon).root);
  });

  test('a different rule gets a different id; two identical id-less rules are an error naming the first', () => {
    const one = compileText('when: { intent: force }\ndeny_if: true\n').document.rules[0]?.id;
    const two = compileText('when: { intent: delete }\ndeny_if: true\n').document.rules[0]?.id;
    expect(one).not.toBe(two);
    const dup = errorsOf('rules:\n  - allow_if: true\n  - allow_if: true\n');
    expect(dup[0]?.message).toMatch(/same rule as the one at policy\.rgs:2:/);
  });

  test('the id is rule: and 16 hex digits of the sha256 of the rule body in canonical DAG-CBOR', () => {
    const out = compileText('allow_if: true\n');
    const rule = out.document.rules[0];
    if (!rule) throw new Error('no rule');
    const { id, ...body } = rule;
    const { createHash } = jest.requireActual<typeof import('node:crypto')>('node:crypto');
    expect(id).toBe(`rule:${createHash('sha256').update(encodeCanonical(body)).digest('hex').slice(0, 16)}`);
  });
});

describe('when.path is the ref as a path; files are changed file paths', () => {
  const p = policyOf('rules:\n  - id: fin\n    when: { path: "gatos/journal/finance/**" }\n    allow_if: true\n  - id: bin\n    when: { files: "**/*.bin" }\n    deny_if: true\n');

  test('path matches the journal ref, whatever files the commits change', () => {
    expect(evaluate(p, { ref: 'refs/gatos/journal/finance/user/alice', paths: ['event.cbor'] }).effect).toBe('allow');
    expect(evaluate(p, { ref: 'refs/gatos/journal/hr/user/alice', paths: ['event.cbor'] }).effect).toBe('deny');
    expect(evaluate(p, { ref: 'refs/heads/main', paths: ['gatos/journal/finance/x.json'] }).effect).toBe('deny');
  });

  test('files matches the paths of changed files', () => {
    const d = evaluate(p, { ref: 'refs/gatos/journal/finance/user/alice', paths: ['models/w.bin'] });
    expect(d.effect === 'deny' && d.ruleId).toBe('bin');
  });

  test("'paths' is refused with a hint naming both keys", () => {
    const e = errorsOf('rules:\n  - id: x\n    when: { paths: "a/**" }\n    allow_if: true\n');
    expect(e[0]?.message).toBe("when has no key 'paths'");
    expect(e[0]?.hint).toMatch(/'path' matches the ref .* 'files' matches the paths of changed files/);
  });

  test('the checker warns when a path glob can match no ref the gate decides', () => {
    const rule = (g: string) => `rules:\n  - id: x\n    when: { path: ${JSON.stringify(g)} }\n    allow_if: true\n`;
    expect(warnings(rule('gatos/journal/finance/2024/*.json'))[0]).toMatch(/can match no ref the gate decides/);
    expect(warnings(rule('refs/gatos/journal/**'))[0]).toMatch(/without 'refs\/'/);
    expect(warnings(rule('gatos/journal/finance/event.cbor'))[0]).toMatch(/can match no ref/);
    expect(warnings(rule('gatos/state/finance/x'))[0]).toMatch(/can match no ref/);
    for (const ok of ['gatos/journal/finance/**', 'gatos/journal/*/user/alice', 'gatos/state/*', 'gatos/policies/active', 'gatos/audit/**', 'heads/main', '**', 'gatos/**', 'gatos/journal/fin?nce/**']) {
      expect([ok, warnings(rule(ok))]).toEqual([ok, []]);
    }
  });
});

describe('labels', () => {
  const text = `labels:
  "gatos/journal/hr/**": private
  "gatos/journal/*/service/**": [automated, internal-only]
rules:
  - id: private-stays-inside
    deny_if: "labels contains 'private' and remote != 'internal'"
  - id: all
    allow_if: true
`;

  test('a labels table gives a ref the union of the labels of every glob its path matches', () => {
    const p = policyOf(text);
    expect(labelsOf(p, 'refs/gatos/journal/hr/user/alice')).toEqual(['private']);
    expect(labelsOf(p, 'refs/gatos/journal/hr/service/payroll')).toEqual(['automated', 'internal-only', 'private']);
    expect(labelsOf(p, 'refs/gatos/journal/finance/user/alice')).toEqual([]);
    expect(labelsOf(p, 'refs/heads/main')).toEqual([]);
  });

  test('labels from the table decide through the labels attribute', () => {
    const p = policyOf(text);
    const ref = 'refs/gatos/journal/hr/user/alice';
    expect(evaluate(p, { ref, labels: labelsOf(p, ref), remote: 'external' }).effect).toBe('deny');
    expect(evaluate(p, { ref, labels: labelsOf(p, ref), remote: 'internal' }).effect).toBe('allow');
  });

  test('the table is part of the .rgc (and so of policy_root); a policy without one keeps its bytes', () => {
    const withTable = compileText(text);
    const doc = decodeStrict(withTable.bytes);
    expect(doc.ok && (doc.value as { labels: unknown }).labels).toEqual({ 'gatos/journal/*/service/**': ['automated', 'internal-only'], 'gatos/journal/hr/**': ['private'] });
    const without = compileText(text.replace(/^labels:\n( {2}.*\n)+/m, ''));
    expect(Object.keys(without.document)).toEqual(['format', 'version', 'rules']);
    expect(withTable.root).not.toBe(without.root);
  });

  test('tables of several files merge; bad labels and globs are errors, globs matching no ref a warning', () => {
    const two = compilePolicy([
      { file: 'a.rgs', text: 'labels: { "gatos/journal/hr/**": private }\n' },
      { file: 'b.rgs', text: 'labels: { "gatos/journal/hr/**": [pii] }\nrules:\n  - id: a\n    allow_if: true\n' },
    ]);
    expect(two.ok && two.value.document.labels).toEqual({ 'gatos/journal/hr/**': ['pii', 'private'] });
    expect(errorsOf('labels: { "gatos/**": "has space" }\nrules:\n  - id: a\n    allow_if: true\n')[0]?.message).toMatch(/a label is a name/);
    expect(errorsOf('labels: { "gatos/a**": x }\nrules:\n  - id: a\n    allow_if: true\n')[0]?.message).toMatch(/whole segment/);
    expect(warnings('labels: { "refs/heads/**": x }\nrules:\n  - id: a\n    allow_if: true\n')[0]).toMatch(/labels glob 'refs\/heads\/\*\*' can match no ref/);
  });

  test('the loader refuses a malformed table', () => {
    const doc = (labels: unknown) => encodeCanonical({ format: 'gatos-rgc', labels, rules: [], version: 1 });
    expect(loadPolicy(doc({ 'gatos/**': ['a'] })).ok).toBe(true);
    for (const bad of [{}, { 'gatos/**': [] }, { 'gatos/**': ['b', 'a'] }, { 'gatos/**': ['a', 'a'] }, { 'a**': ['a'] }, { 'gatos/**': ['has space'] }, ['x']]) {
      const r = loadPolicy(doc(bad));
      expect(r.ok || r.error.code).toBe('ARTIFACT_INVALID');
    }
  });
});
