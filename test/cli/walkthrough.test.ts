/**
 * docs/walkthrough.md, run as written: every ```sh block, in order, in one
 * bash session in an empty directory, with the built gatos on PATH (linked,
 * so it finds templates and hooks beside it as an installed package does) and
 * HOME pointing at an empty folder (so keys go to the documented default).
 * From nothing to a gated server: an accepted push, a refused one, a
 * checkpoint, a policy change on the server and the clone's recovery.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { CLI } from '../helpers/cli';
import { cleanGitEnv, gitText } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';

jest.setTimeout(300_000);

const DOC = path.resolve(__dirname, '../../docs/walkthrough.md');

function shellBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] as string);
}

describe('docs/walkthrough.md', () => {
  it('every command runs: a gated server accepts, refuses, and the clone recovers after the policy moved', () => {
    const blocks = shellBlocks(readFileSync(DOC, 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(9);
    const dir = tmpDir('gatos-walk-');
    const bin = path.join(dir, 'bin');
    const home = path.join(dir, 'home');
    mkdirSync(bin);
    mkdirSync(home);
    symlinkSync(CLI, path.join(bin, 'gatos'));
    const script = ['set -euo pipefail', ...blocks].join('\n');
    const env = cleanGitEnv({ HOME: home, PATH: `${bin}:${path.dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}` });
    const r = spawnSync('bash', ['-c', script], { cwd: dir, env, encoding: 'utf8' });
    const all = `${r.stdout}\n${r.stderr}`;
    if (r.status !== 0) throw new Error(`the walkthrough failed (exit ${r.status}):\n${all}`);

    // 2: the gate is installed.
    expect(r.stdout).toContain('published the minimal bundle');
    // 4: accepted pushes, one actor per journal.
    expect(r.stderr).toMatch(/\* \[new reference\]\s+refs\/gatos\/journal\/finance\/user\/bob/);
    expect(r.stderr).toMatch(/\* \[new reference\]\s+refs\/gatos\/journal\/finance\/user\/alice/);
    expect(r.stdout).toContain('verified 2 events');
    // 5: bob pushing alice's journal is refused, shown on remote: lines, audited; alice's own push goes through.
    expect(r.stderr).toMatch(/remote: DENIED refs\/gatos\/journal\/finance\/user\/alice/);
    expect(r.stderr).toMatch(/remote:\s+rule:\s+journal\/own-ref/);
    expect(r.stdout).toContain('refused, as it should be');
    expect(r.stdout).toMatch(/refused actor=user:bob .*\n\s+DENY refs\/gatos\/journal\/finance\/user\/alice POLICY_DENY journal\/own-ref/);
    // 6: a checkpoint, verified, pushed.
    expect(r.stdout).toMatch(/^identical .*scratch/m);
    expect(r.stderr).toMatch(/\* \[new reference\]\s+refs\/gatos\/state\/finance/);
    // 7: the admin's new bundle is accepted; the stale clone's event is refused; after the recovery all lands.
    expect(r.stderr).toMatch(/refs\/gatos\/policies\/active -> refs\/gatos\/policies\/active/);
    expect(r.stderr).toMatch(/remote:\s+reason: event [0-9a-f]+: ed25519:[0-9a-f]+ is not a key of user:bob valid at /);
    expect(r.stdout).toContain('refused: signed against the old bundle');
    expect(r.stdout).toContain('folded 1 event (resumed from the last checkpoint)');
    expect(r.stdout).toMatch(/^identical .*resume/m);
    const server = path.join(dir, 'walkthrough', 'server.git');
    const clone = path.join(dir, 'walkthrough', 'ledger');
    for (const ref of ['refs/gatos/journal/finance/user/bob', 'refs/gatos/state/finance', 'refs/gatos/policies/active']) {
      expect({ ref, server: gitText(server, ['rev-parse', ref]) }).toEqual({ ref, server: gitText(clone, ['rev-parse', ref]) });
    }
    // Two refusals in the audit trail (step 5 and step 7) and the accepted policy change of step 7 (audit: true), nothing else.
    expect(gitText(server, ['rev-list', '--count', 'refs/gatos/audit/policy'])).toBe('3');
    expect(gitText(server, ['log', '--format=%s', 'refs/gatos/audit/policy']).split('\n').filter((s) => s.startsWith('audit '))).toEqual(['audit refs/gatos/policies/active policy_change policy/vouched-actors (+1 more)']);

    const key = path.join(home, '.config', 'gatos', 'keys', 'user', 'alice.key');
    expect(existsSync(key)).toBe(true);
    expect(statSync(key).mode & 0o777).toBe(0o600);
  });
});
