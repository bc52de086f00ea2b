/**
 * docs/walkthrough.md, run as written: every ```sh block, in order, in one
 * bash session in an empty directory, with the built gatos on PATH and HOME
 * pointing at an empty folder (so keys go to the documented default).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI } from '../helpers/cli';
import { cleanGitEnv } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';

const DOC = path.resolve(__dirname, '../../docs/walkthrough.md');

function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

describe('docs/walkthrough.md', () => {
  it('every command runs and the walkthrough ends verified and pushed', () => {
    const blocks = shellBlocks(readFileSync(DOC, 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    const dir = tmpDir('gatos-walk-');
    const bin = path.join(dir, 'bin');
    const home = path.join(dir, 'home');
    mkdirSync(bin);
    mkdirSync(home);
    writeFileSync(path.join(bin, 'gatos'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
    chmodSync(path.join(bin, 'gatos'), 0o755);
    const script = ['set -euo pipefail', 'set -x', ...blocks].join('\n');
    const env = cleanGitEnv({ HOME: home, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` });
    const r = spawnSync('bash', ['-c', script], { cwd: dir, env, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`the walkthrough failed (exit ${r.status}):\n${r.stderr}\n${r.stdout}`);
    expect(r.stdout).toContain('verified 2 events');
    expect(r.stdout).toMatch(/^identical .*scratch/m);
    expect(r.stdout).toMatch(/^identical .*resume/m);
    expect(r.stdout).toContain('folded 1 event (resumed from the last checkpoint)');
    expect(r.stdout).toContain('verified 4 events');
    expect(r.stdout).toContain('refs/gatos/state/finance');
    const key = path.join(home, '.config', 'gatos', 'keys', 'user', 'alice.key');
    expect(existsSync(key)).toBe(true);
    expect(statSync(key).mode & 0o777).toBe(0o600);
  });
});
