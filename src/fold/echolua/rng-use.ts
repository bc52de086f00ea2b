/**
 * Whether a compiled fold can use the RNG: a static property of its ELC, so
 * every loader of the same bytes gives the same answer, whatever the events.
 * A fold reaches `rng` only by naming the global (`_G`/`_ENV` do not exist in
 * EchoLua and the VM exposes no table of globals), so any ['g', 'rng'] node,
 * read or assigned, anywhere in the program counts, executed or not: the
 * Fold-RNG trailer says the engine's RNG is part of what the checkpoint
 * depends on, not that a step happened to draw from it.
 */
import type { ElcProgram } from './elc';

export const RNG_GLOBAL = 'rng';

export function referencesGlobal(program: ElcProgram, name: string): boolean {
  // ELC is plain data (arrays, proto records, scalars); strings in it are
  // global names, proto names and operation tags, while Lua string constants
  // are byte strings, so ['g', name] can only be a global reference.
  const stack: unknown[] = [program.main];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      if (node[0] === 'g' && node[1] === name) return true;
      for (const child of node) if (typeof child === 'object' && child !== null && !(child instanceof Uint8Array)) stack.push(child);
    } else if (typeof node === 'object' && node !== null && !(node instanceof Uint8Array)) {
      for (const child of Object.values(node)) if (typeof child === 'object' && child !== null) stack.push(child);
    }
  }
  return false;
}
