import fc from 'fast-check';
import { loadCompiledFold } from '../../src/fold/load';
import { compileYamlFold } from '../../src/fold/yaml/compile';
import { formatKeyPath, isKeyPathProblem, parseKeyPath } from '../../src/fold/yaml/keypath';
import type { KeyPath } from '../../src/fold/yaml/spec';
import { ev } from './events';

describe('key paths', () => {
  test('parse what they format, for any payload path', () => {
    const step = fc.oneof(fc.string({ maxLength: 8 }), fc.nat(1000));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 5 }), (rest) => {
        const path = ['payload', ...rest] as unknown as KeyPath;
        expect(parseKeyPath(formatKeyPath(path))).toEqual(path);
      }),
    );
  });

  test.each([
    ['$.payload.id', ['payload', 'id']],
    ['$.payload["odd key"][2]', ['payload', 'odd key', 2]],
    ['$.payload.$ref', ['payload', '$ref']],
    ['$.type', ['type']],
  ])('%s', (text, want) => {
    expect(parseKeyPath(text)).toEqual(want);
  });

  test("the FAQ's short form: a name that is not an envelope field is a payload field", () => {
    expect(parseKeyPath('$.id')).toEqual(['payload', 'id']);
    expect(parseKeyPath('$.items[0].sku')).toEqual(['payload', 'items', 0, 'sku']);
    expect(parseKeyPath('$.type')).toEqual(['type']);
    expect(parseKeyPath('$.payload.type')).toEqual(['payload', 'type']);
  });

  test.each([
    ['payload.id', /does not start with '\$'/],
    ['$', /names the whole event/],
    ['$[0]', /starts with an index/],
    ['$.type.x', /is a string; it has no fields/],
    ['$.payload.', /expected a field name/],
    ['$.payload.a-b', /unexpected '-'/],
    ['$.payload[01]', /expected \[<index>\]/],
    ["$.payload['x']", /expected \[<index>\]/],
  ])('refuses %s', (text, why) => {
    const p = parseKeyPath(text);
    expect(isKeyPathProblem(p)).toBe(true);
    if (isKeyPathProblem(p)) expect(p.message).toMatch(why);
  });

  test('a compiled fold reads own data only: no prototype keys, no array length, nothing inside byte strings', () => {
    const e = ev(1, 't', { list: [5n], raw: new Uint8Array([9]), obj: { a: 1n } });
    // The path is read by the lowered fold (lattice.get in the VM); a missing value is nil, which max refuses.
    const get = (t: string): string => {
      const c = compileYamlFold(`version: 1\ninputs: ["refs/gatos/journal/**"]\nreducers:\n  - { kind: max, value: '${t}' }\nemit:\n  - path: s.json\n`, 'k.yaml');
      if (!c.ok) throw new Error(c.diagnostics[0]?.message);
      const rt = loadCompiledFold(c.bytes);
      if (!rt.ok) throw new Error(rt.error.message);
      const s = rt.value.step(rt.value.init(), [e]);
      if (!s.ok) return /got nil/.test(s.error.message) ? 'missing' : s.error.message;
      const files = rt.value.emit(s.value);
      return files.ok ? new TextDecoder().decode(files.value.get('s.json')) : files.error.message;
    };
    expect(get('$.payload.list[0]')).toBe('5');
    expect(get('$.payload.obj.a')).toBe('1');
    expect(get('$.obj.a')).toBe('1');
    for (const t of ['$.payload.obj.toString', '$.payload.obj.constructor', '$.payload.list.length', '$.payload.raw[0]', '$.payload.raw["0"]', '$.payload.list[1]', '$.payload.obj.a.b']) {
      expect([t, get(t)]).toEqual([t, 'missing']);
    }
  });
});
