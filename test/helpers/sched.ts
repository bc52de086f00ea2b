/**
 * What the daemon's scheduling tests need to know of this machine: whether
 * Linux here runs the daemon on a long time slice (6.17 and later, with the
 * slice shown in /proc: decision 0066) and perl to set it (perl-base,
 * Essential on Debian), and the slice a thread gets from the kernel.
 */
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commandRuns, required } from './requires';

/** Each thread's se.slice in /proc/<pid>/task/<tid>/sched, in ns (read here, not with the code under test). */
export function slicesOf(pid: number): number[] {
  const dir = `/proc/${pid}/task`;
  return readdirSync(dir).map((tid) => Number(/^se\.slice\s*:\s*(\d+)$/m.exec(readFileSync(path.join(dir, tid, 'sched'), 'utf8'))?.[1]));
}

/** The kernel's slice: what this process's own main thread has (nothing here sets one for jest). */
export const kernelSlice = (): number => slicesOf(process.pid)[0] as number;

const [major = 0, minor = 0] = os.release().split('.').map((n) => parseInt(n, 10));
const kernelTakesSlices = (major > 6 || (major === 6 && minor >= 17)) && Number.isFinite(kernelSlice());

/** Linux 6.17+ here (else false, and the tests say so in their names); then perl must be here too (as `required` asks). */
export const CUSTOM_SLICES = kernelTakesSlices && required('perl', commandRuns('perl', ['-e', '1']), 'perl-base');
export const NO_CUSTOM_SLICES_WHY = kernelTakesSlices ? 'no perl' : `Linux ${os.release()} runs no daemon on a long time slice (6.17 and later do)`;

/** The daemon's slice on this machine: twice the kernel's, at most 10 ms (decision 0066; derived here, not by the code under test). */
export const longSlice = (): number => Math.min(2 * kernelSlice(), 10_000_000);
