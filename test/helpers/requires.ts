/**
 * The one skip policy for tests that need something the repository does not
 * ship: a server (sshd, lighttpd), an oracle (lua5.4, gpg, ssh-keygen) or a
 * git feature. Missing on a developer's machine, the tests that need it are
 * skipped and say so loudly, with the Debian package that brings it. Missing
 * under CI=true, the run fails: a green CI run must mean every such test ran,
 * so .ci/run installs each of them.
 *
 * The one exception is the published vectors and spec in ../shared (see
 * test/helpers/vectors.ts): they are never part of a clone, and a fresh
 * clone (CI's included, which may be laid out without them) skips those
 * suites with a message instead of failing. That is the founders' rule for
 * the shared folder, so the vectors do not go through `required` below.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/** Whether this run is CI's (CI=true): then nothing a test needs may be missing. */
export const IN_CI = process.env.CI === 'true';

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether `command` runs here (found on PATH and exits 0 with `args`). */
export function commandRuns(command: string, args: readonly string[] = ['--version']): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).status === 0;
}

/**
 * `present`, or the policy above when it is false: under CI throw (the suite
 * that asked fails, naming what CI must install), else warn once with what
 * to install and return false so the caller skips.
 */
export function required(what: string, present: boolean, debianPackage: string): boolean {
  if (present) return true;
  const message = `${what} is missing (Debian package ${debianPackage})`;
  if (process.env.CI === 'true') throw new Error(`${message}: CI must install ${debianPackage} (.ci/run), so that a green run means these tests ran.`);
  console.warn(`\n*** SKIPPED: ${message}; the tests that need it are skipped. Install ${debianPackage} to run them. ***\n`);
  return false;
}

/** describe() when `available`, else a skipped suite whose name says why. */
export function describeIf(available: boolean, why: string): (name: string, fn: () => void) => void {
  return (name, fn) => (available ? describe(name, fn) : describe.skip(`${name} (skipped: ${why})`, fn));
}

/** test() when `available`, else a skipped test whose name says why. */
export function testIf(available: boolean, why: string): (name: string, fn: jest.ProvidesCallback) => void {
  return (name, fn) => (available ? test(name, fn) : test.skip(`${name} (skipped: ${why})`, fn));
}
