/** `gatos demo` (what `npm run demo` runs on a fresh machine): accepted push, refused push, audit entry; no stdin, CI=true. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { CLI } from '../helpers/cli';
import { git } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';

jest.setTimeout(120_000);

it('installs the regulated template, shows an accepted and a refused push and the audit entry', () => {
  const dir = path.join(tmpDir(), 'demo');
  const r = spawnSync(process.execPath, [CLI, 'demo', '--dir', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', CI: 'true' } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('published the regulated bundle');
  // It explains what --trust brings and the identity a real host sets in place of GATOS_ACTOR.
  expect(r.stdout).toMatch(/# --trust \S+ publishes the trust graph made above/);
  expect(r.stdout).toContain('gitolite sets GL_USER');
  expect(r.stdout).toContain('REMOTE_USER');
  expect(r.stdout).toMatch(/\* \[new reference\]\s+refs\/gatos\/journal\/finance\/user\/alice/);
  expect(r.stdout).toMatch(/remote: DENIED refs\/gatos\/journal\/finance\/user\/alice/);
  expect(r.stdout).toMatch(/remote:\s+code:\s+FF_VIOLATION/);
  expect(r.stdout).toMatch(/refused actor=user:alice mode=enforce hook=pre-receive/);
  const entries = git(path.join(dir, 'server.git'), ['rev-list', '--count', 'refs/gatos/audit/policy']).stdout.trim();
  expect(entries).toBe('1');
});
