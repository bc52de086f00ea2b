/**
 * Saved EchoLua state that cannot be read or saved says where the problem
 * is, as a path from the state's root: found without paths first (building
 * one per entry cost a third of reading or saving a large state), then
 * walked again with them (src/fold/echolua/state.ts, `located`).
 */
import { encodeCanonical } from '../../../src/canon/cbor';
import { decodeState, encodeState } from '../../../src/fold/echolua/state';
import { LuaTable } from '../../../src/fold/echolua/vm/values';

/** A Lua string as the state holds it: its bytes. */
const b = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('EchoLua state errors name where they are', () => {
  it('reading: a value no state holds, deep in the tables, by its path', () => {
    // The state {a = {b = {c = <a float>}}}: tables are key/value arrays, and a state holds no fractional number.
    const bytes = encodeCanonical([b('a'), [b('b'), [b('c'), 1.5]]]);
    const r = decodeState(bytes);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toContain('a non-integer number at $["a"]["b"]["c"]');
      expect(r.error.message).not.toContain('undefined');
    }
  });

  it('reading: keys out of canonical order, at the table that holds them', () => {
    const r = decodeState(encodeCanonical([b('x'), [b('b'), 1, b('a'), 2]]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toContain('the keys of a table at $["x"] are not in canonical order');
  });

  it('saving: a table that appears twice, by the path it was met at the second time', () => {
    const shared = new LuaTable();
    const root = new LuaTable();
    const inner = new LuaTable();
    inner.set('one', shared);
    inner.set('two', shared);
    root.set('k', inner);
    const r = encodeState(root);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toContain('the table at $["k"]["two"] appears twice in the state');
      expect(r.error.message).not.toContain('undefined');
    }
  });

  it('a good state reads back and saves to the same bytes', () => {
    const bytes = encodeCanonical([b('a'), [b('b'), 1, b('c'), b('x')]]);
    const r = decodeState(bytes);
    expect(r.ok).toBe(true);
    if (r.ok) {
      const again = encodeState(r.value);
      expect(again.ok && Buffer.from(again.value).equals(Buffer.from(bytes))).toBe(true);
    }
  });
});
