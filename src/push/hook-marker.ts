/**
 * The marker every file the gate installs beside a hook carries near its top
 * (`gatos-gate hook`, on the stubs' second line): install never overwrites a
 * hook without it, doctor and repair tell the gate's hooks from others, and
 * pre-receive asks whether hooks/update is the gate's (src/hooks/records.ts).
 * Adapter (reads at most the file's first 400 bytes).
 */
import { closeSync, openSync, readSync } from 'node:fs';

export const HOOK_MARKER = 'gatos-gate hook';

export function isOurHook(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(400);
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).toString('utf8').includes(HOOK_MARKER);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
