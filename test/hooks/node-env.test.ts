/**
 * The hook stubs start the gate's node without NODE_EXTRA_CA_CERTS (Node 20
 * reads every certificate it names at start-up, tens of milliseconds a cold
 * push; the gate opens no TLS connection: decision 0067), and the operator's
 * chained hook still gets it exactly as the push had it: set to a file, set
 * empty, or not set. Real pushes through the installed stubs, with a `node`
 * first on PATH that notes the variable before it runs the real one.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { INSTALL_SH } from '../helpers/gate-world';
import { cleanGitEnv, git, initRepo } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';

jest.setTimeout(120_000);

describe('NODE_EXTRA_CA_CERTS in the hooks', () => {
  let bare: string;
  let clone: string;
  let bin: string;
  let nodeLog: string;
  let chainedLog: string;

  beforeAll(() => {
    const root = tmpDir();
    bare = initRepo({ bare: true });
    chainedLog = path.join(root, 'chained.log');
    nodeLog = path.join(root, 'node.log');
    const mine = path.join(bare, 'hooks', 'pre-receive');
    writeFileSync(mine, `#!/bin/sh\ncat >/dev/null\nprintf '%s|%s\\n' "\${NODE_EXTRA_CA_CERTS-unset}" "\${GATOS_CHAINED_NODE_EXTRA_CA_CERTS-unset}" >> '${chainedLog}'\n`);
    chmodSync(mine, 0o755);
    expect(spawnSync('sh', [INSTALL_SH, bare, '--template', 'minimal'], { encoding: 'utf8', env: cleanGitEnv() }).status).toBe(0);
    bin = path.join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'node'), `#!/bin/sh\nprintf '%s %s\\n' "\${1##*/}" "\${NODE_EXTRA_CA_CERTS-unset}" >> '${nodeLog}'\nexec '${process.execPath}' "$@"\n`);
    chmodSync(path.join(bin, 'node'), 0o755);
    clone = path.join(root, 'c');
    git(root, ['clone', '-q', bare, clone]);
  });

  const push = (env: Record<string, string>): { status: number | null; stderr: string } => {
    for (const f of [nodeLog, chainedLog]) rmSync(f, { force: true });
    git(clone, ['commit', '-q', '--allow-empty', '-m', 'x']);
    const r = git(clone, ['push', 'origin', 'HEAD:refs/heads/main'], { allowFailure: true, env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...env } });
    return { status: r.status, stderr: r.stderr };
  };
  const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');

  it('runs the gate without a certificate file and gives the chained hook the one the push had', () => {
    // A file Node could not load: had the gate's node seen it, Node 20 would also warn on the remote: lines.
    const r = push({ NODE_EXTRA_CA_CERTS: '/nonexistent/extra-ca.pem' });
    expect(r.status).toBe(0);
    expect(read(nodeLog)).toBe('pre-receive.cjs unset\n');
    expect(read(chainedLog)).toBe('/nonexistent/extra-ca.pem|unset\n');
    expect(r.stderr).not.toMatch(/extra certs/i);
  });

  it('gives an empty value back as empty, and leaves an unset one unset', () => {
    expect(push({ NODE_EXTRA_CA_CERTS: '' }).status).toBe(0);
    expect(read(nodeLog)).toBe('pre-receive.cjs unset\n');
    expect(read(chainedLog)).toBe('|unset\n');
    expect(push({}).status).toBe(0);
    expect(read(nodeLog)).toBe('pre-receive.cjs unset\n');
    expect(read(chainedLog)).toBe('unset|unset\n');
  });

  it('does not pass a saved value the push itself set on to the chained hook as a certificate file', () => {
    expect(push({ GATOS_CHAINED_NODE_EXTRA_CA_CERTS: '/planted.pem' }).status).toBe(0);
    expect(read(chainedLog)).toBe('unset|unset\n');
  });

  it('starts the update hook\'s own node without it too', () => {
    rmSync(nodeLog, { force: true });
    // Not an update the stub can take from a record: it runs update.cjs.
    const r = spawnSync('sh', [path.join(bare, 'hooks', 'update'), 'not-a-ref', '0', '0'], {
      encoding: 'utf8',
      env: { ...cleanGitEnv(), PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, GIT_DIR: bare, NODE_EXTRA_CA_CERTS: '/nonexistent/extra-ca.pem' },
    });
    expect(r.status).not.toBe(0);
    expect(read(nodeLog)).toBe('update.cjs unset\n');
    expect(r.stderr).not.toMatch(/extra certs/i);
  });
});
