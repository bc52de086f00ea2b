/** The compiled artifact: strict decoding, the envelope, an ELC body for both kinds, or an error value. */
import { decodeStrict, encodeCanonical } from '../../src/canon/cbor';
import { encodeFoldArtifact, FOLD_FORMAT, readFoldEnvelope } from '../../src/fold/artifact';
import { loadCompiledFold } from '../../src/fold/load';
import { compileYamlFold } from '../../src/fold/yaml/compile';

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
    const c = compiled();
    const decoded = decodeStrict(c.bytes, 'test');
    if (!decoded.ok) throw new Error('does not decode');
    const env = decoded.value as Record<string, unknown>;
    expect(Object.keys(env).sort()).toEqual(['elc', 'format', 'inputs', 'kind', 'v']);
    expect(env.kind).toBe('yaml');
    expect(codeOf(encodeCanonical([1, 2]))).toMatch(/^ARTIFACT_INVALID: a compiled fold must be a CBOR map/);
    expect(codeOf(encodeCanonical({ ...env, format: 'gatos/policy' } as never))).toMatch(/^ARTIFACT_INVALID: not a compiled fold/);
    expect(codeOf(encodeCanonical({ ...env, v: 2 } as never))).toMatch(/^ARTIFACT_INVALID: compiled fold version 2 is not supported/);
    expect(codeOf(encodeCanonical({ ...env, kind: 'wasm' } as never))).toMatch(/^ARTIFACT_INVALID: unknown fold kind "wasm"/);
    expect(codeOf(encodeCanonical({ ...env, extra: 1 } as never))).toMatch(/^ARTIFACT_INVALID: unexpected key\(s\) .*extra/);
    expect(codeOf(encodeCanonical({ ...env, inputs: [] } as never))).toMatch(/^ARTIFACT_INVALID: 'inputs'/);
    const { elc: _e, ...noBody } = env;
    expect(codeOf(encodeCanonical(noBody as never))).toMatch(/^ARTIFACT_INVALID: a compiled yaml fold has no 'elc' body/);
  });

  test('a YAML artifact from before the one IR (normalized YAML body) is refused with a hint to recompile', () => {
    // The v1 layout of docs/decisions/0006's time: the spec itself under "yaml".
    const old = encodeCanonical({
      format: FOLD_FORMAT, v: 1, kind: 'yaml', inputs: ['refs/gatos/journal/t/**'],
      yaml: { version: 1, reducers: [{ name: 'a', kind: 'max', value: ['payload', 'n'] }], emit: [{ path: 's/a.json', from: 'a', view: 'value' }] },
    });
    const r = loadCompiledFold(old);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('ARTIFACT_INVALID');
    expect(r.error.message).toMatch(/compiled before YAML folds were lowered to ELC/);
    expect(r.error.hint).toMatch(/recompile the source with `gatos foldc`/);
  });

  test('a YAML artifact whose ELC does not validate is refused, never run', () => {
    const c = compiled();
    expect(codeOf(encodeFoldArtifact('yaml', ['refs/gatos/journal/t/**'], { not: 'elc' }))).toMatch(/^ARTIFACT_INVALID/);
    expect(codeOf(encodeFoldArtifact('yaml', ['refs/gatos/journal/t/**'], { v: 9, main: [] }))).toMatch(/^ARTIFACT_INVALID/);
    expect(codeOf(c.bytes)).toBe('ok');
  });

  test('an EchoLua artifact without EchoLua support is refused cleanly, or loads through the EchoLua loader', () => {
    const bytes = encodeFoldArtifact('echolua', ['refs/gatos/journal/t/**'], { not: 'elc' });
    const env = readFoldEnvelope(bytes);
    expect(env.ok && env.value.kind).toBe('echolua');
    expect(codeOf(bytes)).toMatch(/^(ARTIFACT_INVALID|COMPILE_ERROR|ENCODING_INVALID)/);
  });
});
