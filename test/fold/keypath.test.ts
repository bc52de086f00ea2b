import fc from 'fast-check';
import { compileGetter, formatKeyPath, isKeyPathProblem, parseKeyPath } from '../../src/fold/yaml/keypath';
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

  test.each([
    ['payload.id', /does not start with '\$'/],
    ['$', /names the whole event/],
    ['$.id', /not an event field/],
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

  test('getters read own data only: no prototype keys, no array length, nothing inside byte strings', () => {
    const e = ev(1, 't', { list: [5n], raw: new Uint8Array([9]), obj: { a: 1n } });
    const get = (t: string) => compileGetter(parseKeyPath(t) as KeyPath)(e);
    expect(get('$.payload.list[0]')).toBe(5n);
    expect(get('$.payload.obj.a')).toBe(1n);
    expect(get('$.payload.obj.toString')).toBeUndefined();
    expect(get('$.payload.obj.constructor')).toBeUndefined();
    expect(get('$.payload.list.length')).toBeUndefined();
    expect(get('$.payload.raw[0]')).toBeUndefined();
    expect(get('$.payload.raw["0"]')).toBeUndefined();
    expect(get('$.payload.list[1]')).toBeUndefined();
    expect(get('$.payload.obj.a.b')).toBeUndefined();
  });
});
