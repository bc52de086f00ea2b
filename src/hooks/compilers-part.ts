/**
 * The hooks' stand-in for src/bundle/build.ts. The hook bundles carry no
 * compiler (decision 0027): scripts/build.mjs resolves published.ts's
 * `./build` to this file, and `buildBundle` loads the real one from
 * `<hook>.compilers.cjs` beside the hook only when a bundle must be rebuilt
 * from its sources (a pushed bundle, or an active bundle without a verified
 * record: decision 0012). Node's module cache keeps it for the rest of the
 * run. A missing or damaged part fails the rebuild, so the bundle is
 * refused (fail closed). Adapter (loads a file).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { gateError } from '../core/result';
import type { BuildOutcome } from '../bundle/build';

/** The compilers part's file name, set by scripts/build.mjs for each hook. */
declare const GATOS_COMPILERS: string;

type Builder = (workspace: ReadonlyMap<string, Uint8Array>) => BuildOutcome;

export function buildBundle(workspace: ReadonlyMap<string, Uint8Array>): BuildOutcome {
  const file = path.join(__dirname, GATOS_COMPILERS);
  let build: Builder;
  try {
    const part = createRequire(__filename)(file) as { buildBundle?: unknown };
    if (typeof part.buildBundle !== 'function') throw new Error('it exports no buildBundle');
    build = part.buildBundle as Builder;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return { ok: false, diagnostics: [], error: gateError('GATE_ERROR', `the gate's compilers (${file}) cannot be loaded: ${why}`, { hint: 'operator: reinstall the gate (./install.sh)' }) };
  }
  return build(workspace);
}
