/**
 * An answer the daemon keeps between pushes while the files it was computed
 * from are unchanged: each file's identity (device, inode, size,
 * modification and change times, following symlinks; or its absence) is
 * taken before computing, so a change made during or after the computation
 * gives another key next time. A file whose identity cannot be told (a
 * permission error, say) keeps nothing. Decision 0049. Adapter (filesystem).
 */
import { statSync } from 'node:fs';

/** The file's identity, 'absent' when nothing is there, undefined when it cannot be told. */
export function fileIdentity(file: string): string | undefined {
  try {
    // Absent is a usual answer (no hooks/update with `--hooks pre-receive`): told without a thrown ENOENT.
    const s = statSync(file, { bigint: true, throwIfNoEntry: false });
    if (s === undefined) return 'absent';
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'absent' : undefined;
  }
}

export class KeptWhileUnchanged<T> {
  private last: { readonly key: string; readonly value: T } | undefined;

  /** `compute(...args)` from `files(...args)`; the arguments are part of the key. */
  get(files: readonly string[], compute: () => T, ...args: readonly string[]): T {
    const parts: string[] = [...args];
    for (const f of files) {
      const id = fileIdentity(f);
      if (id === undefined) {
        this.last = undefined;
        return compute();
      }
      parts.push(`${f}\0${id}`);
    }
    const key = parts.join('\n');
    if (this.last?.key === key) return this.last.value;
    const value = compute();
    this.last = { key, value };
    return value;
  }
}
