/**
 * Loading a compiled fold: strict canonical decoding, the common envelope,
 * then the kind's own loader. Whatever the bytes, the answer is a runtime
 * or an error value with a code; nothing half-loaded is ever returned.
 * Both kinds carry ELC and run on the EchoLua VM; every runtime it returns
 * orders each batch and skips foreign journals the same way (src/fold/batch.ts).
 */
import type { Result } from '../core/result';
import { readFoldEnvelope, foldRootOf } from './artifact';
import { withBatchDiscipline } from './batch';
import type { FoldRuntime } from './contract';
import { loadEchoLuaFold, type LoadOptions } from './echolua';
import { instantiate } from './echolua/runtime';
import { validateElc } from './echolua/validate';

/** `opts.origin`, where the fold's source is at hand, makes run-time errors name the source line. */
export function loadCompiledFold(bytes: Uint8Array, opts: LoadOptions = {}): Result<FoldRuntime> {
  const env = readFoldEnvelope(bytes);
  if (!env.ok) return env;
  if (env.value.kind === 'yaml') {
    // A YAML fold is stored as ELC (src/fold/yaml/lower.ts) and runs on the one VM, like an EchoLua fold.
    const program = validateElc(env.value.body);
    if (!program.ok) return program;
    const rt = instantiate(program.value, foldRootOf(bytes), env.value.inputs, opts);
    return rt.ok ? { ok: true, value: withBatchDiscipline({ ...rt.value, kind: 'yaml' } as FoldRuntime) } : rt;
  }
  const rt = loadEchoLuaFold(bytes, env.value.decoded, opts) as Result<FoldRuntime>;
  return rt.ok ? { ok: true, value: withBatchDiscipline(rt.value) } : rt;
}
