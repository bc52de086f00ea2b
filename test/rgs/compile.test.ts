import { decodeStrict } from '../../src/canon/cbor';
import { compileText, oneRule } from './helpers';

const BASE = `
# finance journal
rules:
  - id: finance-append
    when: { intent: write, path: "gatos/journal/finance/**" }
    allow_if:
      - "caps includes 'journal:append'"
      - "trust[actor].level >= 2"
    deny_if:
      - "labels contains 'private' and remote != 'internal'"
    audit: true
  - id: audit-readonly
    when: { ref: "refs/gatos/audit/**" }
    deny_if: true
    code: POLICY_DENY
`;

describe('compiler: canonical, deterministic bytes', () => {
  test('compiling twice gives identical bytes and root', () => {
    const a = compileText(BASE);
    const b = compileText(BASE);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
    expect(a.root).toBe(b.root);
    expect(a.root).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('comments, quoting, flow vs block style and spacing do not change the bytes', () => {
    const reformatted = `rules:
- id: audit-readonly   # never writable
  deny_if: [ "true" ]
  code: "POLICY_DENY"
  when:
    ref: 'refs/gatos/audit/**'
- id: finance-append
  audit: true
  allow_if:
    - has_cap("journal:append")
    - "trust[ actor ].level>=2"
  deny_if: "('private' in labels) and (remote != 'internal')"
  when:
    path: gatos/journal/finance/**
    intent: [write]
`;
    expect(compileText(reformatted).root).toBe(compileText(BASE).root);
  });

  test('the output is the canonical DAG-CBOR of the documented shape, rules sorted by id', () => {
    const out = compileText(BASE);
    const decoded = decodeStrict(out.bytes);
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const doc = decoded.value as { format: string; version: number; rules: { id: string }[] };
    expect(doc.format).toBe('gatos-rgc');
    expect(doc.version).toBe(1);
    expect(doc.rules.map((r) => r.id)).toEqual(['audit-readonly', 'finance-append']);
    expect(doc).toEqual(out.document);
  });

  test('different meaning gives different bytes', () => {
    expect(compileText(oneRule('allow_if: "approvals >= 2"')).root).not.toBe(compileText(oneRule('allow_if: "approvals >= 3"')).root);
  });

  test('splitting rules across files does not change the bytes', () => {
    const { compilePolicy } = jest.requireActual('../../src/rgs') as typeof import('../../src/rgs');
    const one = compilePolicy([{ file: 'all.rgs', text: oneRule('allow_if: true', 'a') + oneRule('deny_if: true', 'b').replace('rules:\n', '') }]);
    const two = compilePolicy([{ file: 'z.rgs', text: oneRule('deny_if: true', 'b') }, { file: 'y.rgs', text: oneRule('allow_if: true', 'a') }]);
    expect(one.ok && two.ok && one.value.root === two.value.root).toBe(true);
  });

  test('a single top-level rule (the origin shape plus an id) is accepted', () => {
    const origin = `id: finance-append
when: { intent: "write", path: "gatos/journal/finance/**" }
allow_if:
    - "caps includes 'journal:append'"
    - "trust[actor].level >= 2"
deny_if:
    - "labels contains 'private' and remote != 'internal'"
audit: true
`;
    const fromOrigin = compileText(origin).document.rules[0];
    const fromBase = compileText(BASE).document.rules.find((r) => r.id === 'finance-append');
    expect(fromOrigin).toEqual(fromBase);
  });
});
