import { formatDiagnostic } from '../../src/core/diagnostic';
import { decodeStrict } from '../../src/canon/cbor';
import { sha256Text } from '../../src/canon/digest';
import { compileYamlFold, type CompileOutcome } from '../../src/fold/yaml/compile';

const GOOD = `version: 1
inputs: ["refs/gatos/journal/finance/**"]
reducers:
  - name: invoices
    kind: map-join-lww
    where: { type: [invoice.upsert, invoice.created] }
    key: "$.payload.id"
  - name: totals
    kind: pn-counter
    key: "$.type"
    value: "$.payload.amount"
emit:
  - path: state/finance/invoices.json
    from: invoices
  - path: state/finance/ids.json
    from: invoices
    view: keys
  - path: state/finance/totals.json
    from: totals
`;

function errorsOf(src: string): { text: string; out: CompileOutcome } {
  const out = compileYamlFold(src, 'folds/x.yaml');
  const text = out.ok ? '' : out.diagnostics.map((d) => formatDiagnostic(d, src)).join('\n');
  return { text, out };
}

/** Replaces `from` in GOOD once and returns the compile errors. */
function breakGood(from: string, to: string): { text: string; out: CompileOutcome } {
  expect(GOOD).toContain(from);
  return errorsOf(GOOD.replace(from, to));
}

describe('YAML fold compiler', () => {
  test('compiles to canonical DAG-CBOR whose sha256 is the fold_root', () => {
    const out = compileYamlFold(GOOD, 'folds/x.yaml');
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.foldRoot).toBe(sha256Text(out.bytes));
    const d = decodeStrict(out.bytes);
    expect(d.ok).toBe(true);
    expect(d.ok && (d.value as Record<string, unknown>).format).toBe('gatos/fold');
    expect(d.ok && (d.value as Record<string, unknown>).kind).toBe('yaml');
    expect(out.warnings).toEqual([]);
  });

  test('the same fold written differently compiles to the same bytes (normal form)', () => {
    const reordered = `# comments and order do not matter
emit:
  - { path: state/finance/totals.json, from: totals }
  - { path: state/finance/ids.json, from: invoices, view: keys }
  - { path: state/finance/invoices.json, from: invoices, view: value }
reducers:
  - { name: totals, kind: pn-counter, value: '$.payload.amount', key: '$.type' }
  - name: invoices
    key: '$["payload"].id'
    kind: map-join-lww
    where: { type: [invoice.created, invoice.upsert, invoice.created] }
inputs: ["gatos/journal/finance/**"]
version: 1
`;
    const a = compileYamlFold(GOOD, 'a.yaml');
    const b = compileYamlFold(reordered, 'b.yaml');
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) expect(b.foldRoot).toBe(a.foldRoot);
  });

  test('any change of meaning changes the fold_root', () => {
    const base = compileYamlFold(GOOD, 'a.yaml');
    const changed = compileYamlFold(GOOD.replace('view: keys', 'view: value'), 'a.yaml');
    expect(base.ok && changed.ok && base.foldRoot !== changed.foldRoot).toBe(true);
  });

  test('the FAQ example shape: one unnamed reducer, emit without from', () => {
    const out = compileYamlFold(`version: 1\ninputs: ["gatos/journal/finance/**"]\nreducers:\n  - kind: map-join-lww\n    key: "$.payload.id"\nemit:\n  - path: "state/finance/invoices.json"\n`, 'faq.yaml');
    expect(out.ok).toBe(true);
    if (out.ok) {
      expect(out.spec.reducers[0]?.name).toBe('state');
      expect(out.spec.inputs).toEqual(['refs/gatos/journal/finance/**']);
    }
  });

  test("the FAQ's literal key '$.id' compiles as '$.payload.id' (same bytes, same fold_root)", () => {
    const faq = compileYamlFold(`version: 1\ninputs: ["gatos/journal/finance/**"]\nreducers:\n  - kind: map-join-lww\n    key: "$.id"\nemit:\n  - path: "state/finance/invoices.json"\n`, 'folds/x.yaml');
    const long = compileYamlFold(`version: 1\ninputs: ["refs/gatos/journal/finance/**"]\nreducers:\n  - kind: map-join-lww\n    key: "$.payload.id"\nemit:\n  - path: "state/finance/invoices.json"\n`, 'folds/x.yaml');
    expect(faq.ok && long.ok).toBe(true);
    if (faq.ok && long.ok) expect(faq.foldRoot).toBe(long.foldRoot);
  });

  const cases: [string, string, string, RegExp][] = [
    ['unknown reducer kind', 'kind: pn-counter', 'kind: pn-countr', /x\.yaml:9:11: error: unknown reducer kind 'pn-countr'[\s\S]*did you mean 'pn-counter'/],
    ['unknown top-level key', 'emit:', 'emits:', /x\.yaml:12:1: error: unknown key 'emits' in a fold definition[\s\S]*did you mean 'emit'/],
    ['missing field', 'version: 1\n', '', /x\.yaml:1:1: error: the fold definition has no 'version'/],
    ['bad key path', 'key: "$.payload.id"', 'key: "$.payload..id"', /x\.yaml:7:21: error: bad key path in 'key': expected a field name after '\.'/],
    ['key path into an envelope string', 'value: "$.payload.amount"', 'value: "$.type.amount"', /x\.yaml:11:19: error: bad key path in 'value': '\$\.type' is a string[\s\S]*only \$\.payload has fields/],
    ['unknown view', 'view: keys', 'view: key', /x\.yaml:17:11: error: unknown view 'key'[\s\S]*did you mean 'keys'/],
    ['emit names no reducer', 'from: totals', 'from: total', /x\.yaml:19:11: error: no reducer is named 'total'[\s\S]*reducers here: invoices, totals/],
    ['emit path outside the tree', 'path: state/finance/totals.json', 'path: ../totals.json', /x\.yaml:18:11: error: invalid emit path: '\.\.\/totals\.json' has a '\.\.' segment/],
    ['absolute emit path', 'path: state/finance/totals.json', 'path: /etc/totals.json', /error: invalid emit path: '\/etc\/totals\.json' is absolute/],
    ['float in a field test', 'where: { type: [invoice.upsert, invoice.created] }', 'where: { "$.payload.amount": 1.5 }', /x\.yaml:6:34: error: the value tested at '\$\.payload\.amount' is the non-integer number 1\.5/],
    ['unsupported version', 'version: 1', 'version: 2', /x\.yaml:1:10: error: unsupported fold language version 2/],
    ['float version', 'version: 1', 'version: 1.0', /unsupported fold language version/],
    ['duplicate reducer name', 'name: totals', 'name: invoices', /error: the reducer name 'invoices' is used twice/],
    ['lww without key', '    key: "$.payload.id"\n', '', /error: a 'map-join-lww' reducer needs a 'key' path/],
    ['input outside journals', 'refs/gatos/journal/finance/**', 'refs/heads/**', /x\.yaml:2:10: error: the input 'refs\/heads\/\*\*' is not under refs\/gatos\/journal\//],
    ['bad input glob', 'refs/gatos/journal/finance/**', 'refs/gatos/journal/fin**', /'\*\*' must be a whole segment/],
    ['duplicate YAML key', '    from: totals\n', '    from: totals\n    from: invoices\n', /error: YAML syntax: Map keys must be unique/],
    ['YAML syntax', 'inputs: ["refs/gatos/journal/finance/**"]', 'inputs: ["refs/gatos/journal/finance/**"', /x\.yaml:\d+:\d+: error: YAML syntax/],
    ['alias', 'from: totals', 'from: *t', /alias|Aliases|anchor/i],
    ['explicit tag', 'from: totals', 'from: !!str totals', /explicit tag/],
    ['empty selector', 'where: { type: [invoice.upsert, invoice.created] }', 'where: {}', /'where' is empty/],
    ['where on a set', 'kind: pn-counter', 'kind: or-set', /'or-set' reducer selects events with 'add' and 'remove', not 'where'|needs an 'add' selector/],
  ];

  test("the 'keys' view of an unkeyed reducer is reported at its 'view'", () => {
    const { text } = errorsOf(GOOD.replace('    key: "$.type"\n', '').replace('from: invoices\n    view: keys', 'from: totals\n    view: keys'));
    expect(text).toMatch(/x\.yaml:16:11: error: the 'keys' view needs a keyed reducer, and 'totals' has no 'key'/);
  });

  test.each(cases)('%s is reported at file:line:col with a hint', (_name, from, to, want) => {
    const { out, text } = breakGood(from, to);
    expect(out.ok).toBe(false);
    expect(text).toMatch(want);
    expect(text).toMatch(/hint: /);
    expect(text).not.toMatch(/\n\s+at /);
  });

  test('an empty file and a second document are refused', () => {
    expect(errorsOf('').text).toMatch(/empty/);
    expect(errorsOf('# nothing\n').text).toMatch(/empty/);
    expect(errorsOf(`${GOOD}---\nversion: 1\n`).text).toMatch(/more than one YAML document/);
  });

  test('a reducer that is never emitted is a warning, not an error', () => {
    const out = compileYamlFold(GOOD.replace('  - path: state/finance/totals.json\n    from: totals\n', ''), 'w.yaml');
    expect(out.ok).toBe(true);
    if (out.ok) expect(out.warnings.map((w) => w.message)).toEqual(["the reducer 'totals' is never emitted"]);
  });

  test('reports several independent mistakes at once', () => {
    const { out } = errorsOf(GOOD.replace('kind: pn-counter', 'kind: pn-countr').replace('view: keys', 'view: key').replace('emit:', 'emit:'));
    expect(!out.ok && out.diagnostics.length).toBe(2);
  });
});
