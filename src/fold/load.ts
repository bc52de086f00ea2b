/**
 * Loading a compiled fold: strict canonical decoding, the common envelope,
 * then the kind's own loader. Whatever the bytes, the answer is a runtime
 * or an error value with a code; nothing half-loaded is ever returned.
 * Every runtime it returns orders each batch and skips foreign journals the
 * same way for both kinds (src/fold/batch.ts).
 */
import type { Result } from '../core/result';
import { readFoldEnvelope, foldRootOf } from './artifact';
import { withBatchDiscipline } from './batch';
import type { FoldRuntime } from './contract';
import { loadEchoLuaFold } from './echolua';
import { specFromBody } from './yaml/body';
import { yamlFoldRuntime } from './yaml/runtime';

export function loadCompiledFold(bytes: Uint8Array): Result<FoldRuntime> {
  const env = readFoldEnvelope(bytes);
  if (!env.ok) return env;
  if (env.value.kind === 'yaml') {
    const spec = specFromBody(env.value.body, env.value.inputs, bytes);
    if (!spec.ok) return spec;
    return { ok: true, value: withBatchDiscipline(yamlFoldRuntime(spec.value, foldRootOf(bytes)) as FoldRuntime) };
  }
  const rt = loadEchoLuaFold(bytes, env.value.decoded) as Result<FoldRuntime>;
  return rt.ok ? { ok: true, value: withBatchDiscipline(rt.value) } : rt;
}
