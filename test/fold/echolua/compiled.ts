/** An EchoLua source compiled, decoded and loaded as a fold runtime, for tests; any failure throws with its message. */
import { decodeStrict } from '../../../src/canon/cbor';
import type { FoldRuntime } from '../../../src/fold/contract';
import { compileEchoLua, loadEchoLuaFold, type EchoState } from '../../../src/fold/echolua';

export function compiledFold(src: string, file: string): FoldRuntime<EchoState> {
  const c = compileEchoLua(src, file);
  if (!c.ok) throw new Error(c.error.map((d) => d.message).join('\n'));
  const d = decodeStrict(c.value.bytes);
  if (!d.ok) throw new Error(d.error.message);
  const rt = loadEchoLuaFold(c.value.bytes, d.value);
  if (!rt.ok) throw new Error(rt.error.message);
  return rt.value;
}
