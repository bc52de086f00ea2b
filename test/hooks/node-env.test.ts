/**
 * The hook stubs start the gate's node without NODE_OPTIONS (its options
 * would run code in the gate before it decides: the adversarial suite's
 * breadth tests) and NODE_EXTRA_CA_CERTS (Node 20 reads every certificate
 * it names at start-up, tens of milliseconds a cold push; the gate opens no
 * TLS connection): decision 0067. The operator's chained hook still gets
 * both exactly as the push had them: set, set empty, or not set. Real
 * pushes through the installed stubs, with a `node` first on PATH that
 * notes the variables before it runs the real one.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { INSTALL_SH } from '../helpers/gate-world';
import { cleanGitEnv, git, initRepo } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';

jest.setTimeout(120_000);

describe('NODE_OPTIONS and NODE_EXTRA_CA_CERTS in the hooks', () => {
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
    writeFileSync(mine, `#!/bin/sh\ncat >/dev/null\nprintf '%s|%s|%s|%s\\n' "\${NODE_EXTRA_CA_CERTS-unset}" "\${GATOS_CHAINED_NODE_EXTRA_CA_CERTS-unset}" "\${NODE_OPTIONS-unset}" "\${GATOS_CHAINED_NODE_OPTIONS-unset}" >> '${chainedLog}'\n`);
    chmodSync(mine, 0o755);
    expect(spawnSync('sh', [INSTALL_SH, bare, '--template', 'minimal'], { encoding: 'utf8', env: cleanGitEnv() }).status).toBe(0);
    bin = path.join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'node'), `#!/bin/sh\nprintf '%s %s %s\\n' "\${1##*/}" "\${NODE_EXTRA_CA_CERTS-unset}" "\${NODE_OPTIONS-unset}" >> '${nodeLog}'\nexec '${process.execPath}' "$@"\n`);
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

  it('runs the gate without them and gives the chained hook the values the push had', () => {
    // A file Node could not load: had the gate's node seen it, Node 20 would also warn on the remote: lines.
    const r = push({ NODE_EXTRA_CA_CERTS: '/nonexistent/extra-ca.pem', NODE_OPTIONS: '--max-old-space-size=300' });
    expect(r.status).toBe(0);
    expect(read(nodeLog)).toBe('pre-receive.cjs unset unset\n');
    expect(read(chainedLog)).toBe('/nonexistent/extra-ca.pem|unset|--max-old-space-size=300|unset\n');
    expect(r.stderr).not.toMatch(/extra certs/i);
  });

  it('gives empty values back as empty, and leaves unset ones unset', () => {
    expect(push({ NODE_EXTRA_CA_CERTS: '', NODE_OPTIONS: '' }).status).toBe(0);
    expect(read(nodeLog)).toBe('pre-receive.cjs unset unset\n');
    expect(read(chainedLog)).toBe('|unset||unset\n');
    expect(push({}).status).toBe(0);
    expect(read(nodeLog)).toBe('pre-receive.cjs unset unset\n');
    expect(read(chainedLog)).toBe('unset|unset|unset|unset\n');
  });

  it('does not pass saved values the push itself planted on to the chained hook', () => {
    expect(push({ GATOS_CHAINED_NODE_EXTRA_CA_CERTS: '/planted.pem', GATOS_CHAINED_NODE_OPTIONS: '--require=/planted.js' }).status).toBe(0);
    expect(read(chainedLog)).toBe('unset|unset|unset|unset\n');
  });

  it('starts the update hook\'s own node without them too', () => {
    rmSync(nodeLog, { force: true });
    // Not an update the stub can take from a record: it runs update.cjs.
    const r = spawnSync('sh', [path.join(bare, 'hooks', 'update'), 'not-a-ref', '0', '0'], {
      encoding: 'utf8',
      env: { ...cleanGitEnv(), PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, GIT_DIR: bare, NODE_EXTRA_CA_CERTS: '/nonexistent/extra-ca.pem', NODE_OPTIONS: '--max-old-space-size=300' },
    });
    expect(r.status).not.toBe(0);
    expect(read(nodeLog)).toBe('update.cjs unset unset\n');
    expect(r.stderr).not.toMatch(/extra certs/i);
  });
});
