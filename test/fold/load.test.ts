/** The compiled artifact: strict decoding, the envelope, and a body in normal form, or an error value. */
import { encodeCanonical } from '../../src/canon/cbor';
import { encodeFoldArtifact, FOLD_FORMAT, readFoldEnvelope } from '../../src/fold/artifact';
import { loadCompiledFold } from '../../src/fold/load';
import { compileYamlFold } from '../../src/fold/yaml/compile';
import { specToBody } from '../../src/fold/yaml/body';

const SRC = `version: 1
inputs: ["refs/gatos/journal/t/**"]
reducers:
  - { name: a, kind: max, value: "$.payload.n" }
  - { name: b, kind: g-counter, where: { type: [y, x] } }
emit:
  - { path: s/a.json, from: a }
  - { path: s/b.json, from: b }
`;

function compiled() {
  const c = compileYamlFold(SRC, 'f.yaml');
  if (!c.ok) throw new Error('does not compile');
  return c;
}

function codeOf(bytes: Uint8Array): string {
  const r = loadCompiledFold(bytes);
  return r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`;
}

describe('loadCompiledFold', () => {
  test('loads what the compiler wrote, with the same fold_root', () => {
    const c = compiled();
    const r = loadCompiledFold(c.bytes);
    expect(r.ok && r.value.foldRoot).toBe(c.foldRoot);
  });

  test('refuses bytes that are not canonical DAG-CBOR', () => {
    const c = compiled();
    expect(codeOf(new Uint8Array([...c.bytes, 0]))).toMatch(/^ENCODING_INVALID/);
    expect(codeOf(c.bytes.subarray(0, 10))).toMatch(/^ENCODING_INVALID/);
    expect(codeOf(new Uint8Array())).toMatch(/^ENCODING_INVALID/);
  });

  test('refuses a wrong envelope', () => {
    const { spec } = compiled();
    const body = specToBody(spec);
    const env = { format: FOLD_FORMAT, v: 1, kind: 'yaml', inputs: spec.inputs, yaml: body };
    expect(codeOf(encodeCanonical([1, 2]))).toMatch(/^ARTIFACT_INVALID: a compiled fold must be a CBOR map/);
    expect(codeOf(encodeCanonical({ ...env, format: 'gatos/policy' }))).toMatch(/^ARTIFACT_INVALID: not a compiled fold/);
    expect(codeOf(encodeCanonical({ ...env, v: 2 }))).toMatch(/^ARTIFACT_INVALID: compiled fold version 2 is not supported/);
    expect(codeOf(encodeCanonical({ ...env, kind: 'wasm' }))).toMatch(/^ARTIFACT_INVALID: unknown fold kind "wasm"/);
    expect(codeOf(encodeCanonical({ ...env, extra: 1 }))).toMatch(/^ARTIFACT_INVALID: unexpected key\(s\) .*extra/);
    expect(codeOf(encodeCanonical({ ...env, inputs: [] }))).toMatch(/^ARTIFACT_INVALID: 'inputs'/);
    const { yaml: _y, ...noBody } = env;
    expect(codeOf(encodeCanonical(noBody))).toMatch(/^ARTIFACT_INVALID: a compiled yaml fold has no 'yaml' body/);
  });

  test('refuses a body the compiler would not write: bad shape, broken rules, not in normal form', () => {
    const { spec } = compiled();
    const body = specToBody(spec) as { reducers: Record<string, unknown>[]; emit: Record<string, unknown>[] };
    const withBody = (b: unknown) => encodeFoldArtifact('yaml', spec.inputs, b as never);
    expect(codeOf(withBody({ ...body, version: 2 }))).toMatch(/ARTIFACT_INVALID: compiled yaml fold: yaml fold language version 2/);
    expect(codeOf(withBody({ ...body, reducers: [{ ...body.reducers[0], kind: 'sum' }, body.reducers[1]] }))).toMatch(/kind 'sum' is unknown/);
    expect(codeOf(withBody({ ...body, reducers: [{ ...body.reducers[0], key: ['nope'] }, body.reducers[1]] }))).toMatch(/not an event field/);
    expect(codeOf(withBody({ ...body, emit: [{ ...body.emit[0], from: 'zz' }, body.emit[1]] }))).toMatch(/breaks a rule: no reducer is named 'zz'/);
    expect(codeOf(withBody({ ...body, emit: [{ ...body.emit[0], path: '../x' }, body.emit[1]] }))).toMatch(/breaks a rule: invalid emit path/);
    // Same meaning, different spelling: reducers out of order, or a selector list unsorted.
    expect(codeOf(withBody({ ...body, reducers: [...body.reducers].reverse() }))).toMatch(/not in normal form/);
    const b = body.reducers[1] as { where: { type: string[] } };
    expect(b.where.type).toEqual(['x', 'y']);
    expect(codeOf(withBody({ ...body, reducers: [body.reducers[0], { ...b, where: { type: ['y', 'x'] } }] }))).toMatch(/not in normal form/);
  });

  test('an EchoLua artifact without EchoLua support is refused cleanly, or loads through the EchoLua loader', () => {
    const bytes = encodeFoldArtifact('echolua', ['refs/gatos/journal/t/**'], { not: 'elc' });
    const env = readFoldEnvelope(bytes);
    expect(env.ok && env.value.kind).toBe('echolua');
    expect(codeOf(bytes)).toMatch(/^(ARTIFACT_INVALID|COMPILE_ERROR|ENCODING_INVALID)/);
  });
});
