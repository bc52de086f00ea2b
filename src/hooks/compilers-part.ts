/**
 * The hooks' stand-in for src/bundle/build.ts. The hook bundles carry no
 * compiler (decision 0027): scripts/build.mjs resolves published.ts's
 * `./build` to this file, and `buildBundle` loads the real one from
 * `<hook>.compilers.cjs` beside the hook only when a bundle must be rebuilt
 * from its sources (a pushed bundle, or an active bundle without a verified
 * record: decision 0012), compiled with its own V8 code cache (src/loader/code-cache.ts)
 * and kept for the rest of the run. A missing or damaged part fails the rebuild, so the bundle is
 * refused (fail closed). Adapter (loads a file).
 */
import path from 'node:path';
import { gateError } from '../core/result';
import type { BuildOutcome } from '../bundle/build';
import { hookCacheDir, runBundleCached } from '../loader/code-cache';

/** The compilers part's file name, set by scripts/build.mjs for each hook. */
declare const GATOS_COMPILERS: string;

type Builder = (workspace: ReadonlyMap<string, Uint8Array>) => BuildOutcome;
type LazyOrigin = typeof import('../fold/compile').lazySourceOrigin;
interface Part {
  readonly buildBundle: Builder;
  readonly lazySourceOrigin: LazyOrigin;
}

/** The part, once loaded in this process (a code cache, not state: the compilers keep nothing between builds). */
let loaded: Part | undefined;

function load(file: string): Part {
  if (loaded) return loaded;
  const part = runBundleCached(file, hookCacheDir(), true, require).exports as Partial<Record<keyof Part, unknown>>;
  if (typeof part.buildBundle !== 'function' || typeof part.lazySourceOrigin !== 'function') throw new Error('it exports no buildBundle or lazySourceOrigin');
  loaded = part as Part;
  return loaded;
}

/**
 * A fold's source lines for its run-time errors (src/fold/compile.ts): the
 * part loads only when a fold fails and its message wants the line; if it
 * cannot load, the message names the event only (an error message, never a
 * decision, depends on it).
 */
export const lazySourceOrigin: LazyOrigin = (source, file, bytes) => {
  let origin: ReturnType<LazyOrigin> | undefined;
  return (stmt) => {
    if (!origin) {
      try {
        origin = load(path.join(__dirname, GATOS_COMPILERS)).lazySourceOrigin(source, file, bytes);
      } catch {
        origin = () => undefined;
      }
    }
    return origin(stmt);
  };
};

type Lattices = typeof import('../fold/session-lattices').yamlFoldLattices;

/** A YAML fold's declared lattices (session merges, src/bundle/fold-lattices.ts): the part loads when a merge needs them; a part that cannot load refuses (fail closed). */
export const yamlFoldLattices: Lattices = (text, file) => {
  try {
    const part = load(path.join(__dirname, GATOS_COMPILERS)) as Part & { yamlFoldLattices?: unknown };
    if (typeof part.yamlFoldLattices !== 'function') throw new Error('it exports no yamlFoldLattices');
    return (part.yamlFoldLattices as Lattices)(text, file);
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return { ok: false, error: gateError('GATE_ERROR', `the gate's compilers cannot be loaded: ${why}`, { hint: 'operator: reinstall the gate (./install.sh)' }) };
  }
};

export function buildBundle(workspace: ReadonlyMap<string, Uint8Array>): BuildOutcome {
  const file = path.join(__dirname, GATOS_COMPILERS);
  let build: Builder;
  try {
    build = load(file).buildBundle;
  } catch (e) {
    const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return { ok: false, diagnostics: [], error: gateError('GATE_ERROR', `the gate's compilers (${file}) cannot be loaded: ${why}`, { hint: 'operator: reinstall the gate (./install.sh)' }) };
  }
  return build(workspace);
}
