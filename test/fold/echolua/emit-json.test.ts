/**
 * Emitted values as JSON (vm/bridge.ts luaToJson): integers and UTF-8
 * strings inside arrays and objects take a fast path that builds no path
 * string; anything else, and every error, still names where it is.
 */
import { decodeUtf8 } from '../../../src/core/bytes';
import { compiledFold } from './compiled';

function emitOf(value: string): { json?: string; error?: string } {
  const src = `inputs = { "refs/gatos/journal/t/**" }
function init() return {} end
function step(state, e) return state end
function emit(state) return { ["state/out.json"] = ${value} } end
`;
  const rt = compiledFold(src, 'f.lua');
  const f = rt.emit(rt.init());
  if (!f.ok) return { error: f.error.message };
  return { json: decodeUtf8(f.value.get('state/out.json') as Uint8Array) };
}

describe('emitted JSON', () => {
  test('arrays and objects of integers, strings and nested tables', () => {
    expect(emitOf('{ list = { 1, "b", "ü", { 2 }, true }, m = { k = "v", n = -3, t = { x = 1 } } }').json).toBe(
      '{"list":[1,"b","ü",[2],true],"m":{"k":"v","n":-3,"t":{"x":1}}}',
    );
  });

  test.each([
    ['{ list = { "a", "\\xff" } }', 'the string at $.list[2] is not valid UTF-8'],
    ['{ m = { k = "\\xff" } }', 'the string at $.m.k is not valid UTF-8'],
    ['{ list = { 1, tostring } }', 'a function value at $.list[2] has no JSON form'],
    ['{ m = { f = tostring } }', 'a function value at $.m.f has no JSON form'],
  ])('%s fails naming the place', (value, message) => {
    expect(emitOf(value).error).toContain(message);
  });
});
