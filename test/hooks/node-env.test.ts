/**
 * The hook stubs start the gate's node without NODE_OPTIONS (its options
 * would run code in the gate before it decides: the adversarial suite's
 * breadth tests) and NODE_EXTRA_CA_CERTS (Node 20 reads every certificate
 * it names at start-up, tens of milliseconds a cold push; the gate opens no
 * TLS connection): decision 0067. Every process the gate starts still gets
 * both exactly as the push had them (set, set empty, or not set): the
 * operator's chained hook, and the gate's git commands with the hooks git
 * runs for them (a reference-transaction hook on the audit write). Real
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
  let transactionLog: string;
  let updateLog: string;
  let chainedEnv: string;

  beforeAll(() => {
    const root = tmpDir();
    bare = initRepo({ bare: true });
    chainedLog = path.join(root, 'chained.log');
    chainedEnv = path.join(root, 'chained.env');
    nodeLog = path.join(root, 'node.log');
    const mine = path.join(bare, 'hooks', 'pre-receive');
    writeFileSync(mine, `#!/bin/sh\ncat >/dev/null\nenv | grep -E '^(NODE_|OPENSSL_CONF|GATOS_CHAINED_)' | sort > '${chainedEnv}'\nprintf '%s|%s|%s|%s\\n' "\${NODE_EXTRA_CA_CERTS-unset}" "\${GATOS_CHAINED_NODE_EXTRA_CA_CERTS-unset}" "\${NODE_OPTIONS-unset}" "\${GATOS_CHAINED_NODE_OPTIONS-unset}" >> '${chainedLog}'\n`);
    chmodSync(mine, 0o755);
    expect(spawnSync('sh', [INSTALL_SH, bare, '--template', 'minimal'], { encoding: 'utf8', env: cleanGitEnv() }).status).toBe(0);
    // The operator's update hook, which the update stub runs itself after pre-receive's record (no node there).
    updateLog = path.join(root, 'update.log');
    const update = path.join(bare, 'hooks', 'update.gatos-chained');
    writeFileSync(update, `#!/bin/sh\nprintf '%s|%s|%s|%s\\n' "\${NODE_EXTRA_CA_CERTS-unset}" "\${GATOS_CHAINED_NODE_EXTRA_CA_CERTS-unset}" "\${NODE_OPTIONS-unset}" "\${GATOS_CHAINED_NODE_OPTIONS-unset}" >> '${updateLog}'\n`);
    chmodSync(update, 0o755);
    // git runs it for every ref transaction: receive-pack's own, and the gate's audit write (git update-ref).
    transactionLog = path.join(root, 'transaction.log');
    const transaction = path.join(bare, 'hooks', 'reference-transaction');
    writeFileSync(transaction, `#!/bin/sh
cat >/dev/null
printf '%s|%s|%s|%s\\n' "\${NODE_EXTRA_CA_CERTS-unset}" "\${GATOS_CHAINED_NODE_EXTRA_CA_CERTS-unset}" "\${NODE_OPTIONS-unset}" "\${GATOS_CHAINED_NODE_OPTIONS-unset}" >> '${transactionLog}'
`);
    chmodSync(transaction, 0o755);
    bin = path.join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'node'), `#!/bin/sh\nprintf '%s %s %s\\n' "\${1##*/}" "\${NODE_EXTRA_CA_CERTS-unset}" "\${NODE_OPTIONS-unset}" >> '${nodeLog}'\nexec '${process.execPath}' "$@"\n`);
    chmodSync(path.join(bin, 'node'), 0o755);
    clone = path.join(root, 'c');
    git(root, ['clone', '-q', bare, clone]);
  });

  const push = (env: Record<string, string>, ref = 'refs/heads/main'): { status: number | null; stderr: string } => {
    for (const f of [nodeLog, chainedLog, transactionLog, updateLog, chainedEnv]) rmSync(f, { force: true });
    git(clone, ['commit', '-q', '--allow-empty', '-m', 'x']);
    const r = git(clone, ['push', 'origin', `HEAD:${ref}`], { allowFailure: true, env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...env } });
    return { status: r.status, stderr: r.stderr };
  };
  const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');

  it('runs the gate without them and gives the chained hook the values the push had', () => {
    // A file Node could not load: had the gate's node seen it, Node 20 would also warn on the remote: lines.
    const r = push({ NODE_EXTRA_CA_CERTS: '/nonexistent/extra-ca.pem', NODE_OPTIONS: '--max-old-space-size=300' });
    expect(r.status).toBe(0);
    expect(read(nodeLog)).toBe('pre-receive.cjs unset unset\n');
    expect(read(chainedLog)).toBe('/nonexistent/extra-ca.pem|unset|--max-old-space-size=300|unset\n');
    expect(read(updateLog)).toBe('/nonexistent/extra-ca.pem|unset|--max-old-space-size=300|unset\n');
    expect(r.stderr).not.toMatch(/extra certs/i);
  });

  it('keeps the other variables of the list from the gate too: each would have refused, hung or leaked the push', () => {
    const root = path.dirname(nodeLog);
    writeFileSync(path.join(root, 'broken.cnf'), 'this is no OpenSSL configuration\n');
    const kept = {
      // Node 20 reads it at start-up: this one ends it with status 101 (a provider module in it is native code).
      OPENSSL_CONF: path.join(root, 'broken.cnf'),
      // A folder under /proc: Node 20 retries making it forever, before any JavaScript.
      NODE_V8_COVERAGE: '/proc/nonexistent/coverage',
      // Every child's environment and arguments, on the pusher's remote: lines.
      NODE_DEBUG: 'child_process',
      NODE_DEBUG_NATIVE: 'fs',
      NODE_COMPILE_CACHE: path.join(root, 'compile-cache'),
    };
    for (const f of [nodeLog, chainedEnv]) rmSync(f, { force: true });
    git(clone, ['commit', '-q', '--allow-empty', '-m', 'x']);
    const r = spawnSync('git', ['push', 'origin', 'HEAD:refs/heads/main'], { cwd: clone, encoding: 'utf8', timeout: 60_000, env: { ...cleanGitEnv(), PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, ...kept } });
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null });
    expect(r.stderr).not.toMatch(/CHILD_PROCESS|GATOS_CHAINED/);
    expect(read(nodeLog)).toBe('pre-receive.cjs unset unset\n');
    const expected = Object.entries(kept).map(([k, v]) => `${k}=${v}`);
    expect(read(chainedEnv).split('\n').filter((l) => l !== '')).toEqual(expected.sort());
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
    // Nor where a stub runs the chained hook itself.
    expect(read(updateLog)).toBe('unset|unset|unset|unset\n');
  });

  it('gives them back to the git commands the gate runs, and to the hooks git runs for those', () => {
    // A refused push: the only ref transaction is the gate's own audit write.
    const r = push({ NODE_EXTRA_CA_CERTS: '/nonexistent/extra-ca.pem', NODE_OPTIONS: '--max-old-space-size=300' }, 'refs/gatos/audit/policy');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('This refusal is recorded in refs/gatos/audit/policy');
    expect(read(nodeLog)).toBe('pre-receive.cjs unset unset\n');
    const lines = read(transactionLog).split('\n').filter((l) => l !== '');
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines)).toEqual(new Set(['/nonexistent/extra-ca.pem|unset|--max-old-space-size=300|unset']));
  });

  it('keeps the real value where the hook runs without the stubs, whatever a helper variable claims', () => {
    for (const f of [chainedLog]) rmSync(f, { force: true });
    const tip = git(bare, ['rev-parse', 'refs/heads/main']).stdout.trim();
    const zero = '0'.repeat(40);
    // As a host's own script would run it (docs/hosts/ghes-pre-receive.sh runs pre-receive.cjs directly).
    const r = spawnSync(process.execPath, [path.join(bare, 'hooks', 'pre-receive.cjs')], {
      cwd: bare,
      input: `${zero} ${tip} refs/heads/direct\n`,
      encoding: 'utf8',
      env: { ...cleanGitEnv(), GIT_DIR: '.', NODE_EXTRA_CA_CERTS: '', GATOS_CHAINED_NODE_EXTRA_CA_CERTS: '/planted.pem' },
    });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(read(chainedLog)).toBe('|unset|unset|unset\n');
  });

  it('is one list: the GitHub Enterprise Server script, which runs pre-receive.cjs itself, unsets every name in it', () => {
    const list = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'src', 'push', 'gate-node-env.json'), 'utf8')) as { kept: string[]; dropped: string[] };
    const script = readFileSync(path.join(__dirname, '..', '..', 'docs', 'hosts', 'ghes-pre-receive.sh'), 'utf8');
    const unset = new Set((/^unset ((?:[^\n]*\\\n)*[^\n]*)$/m.exec(script)?.[1] ?? '').split(/[\s\\]+/).filter((w) => w !== ''));
    for (const name of [...list.kept, ...list.dropped, ...list.kept.map((n) => `GATOS_CHAINED_${n}`)]) expect({ name, unset: unset.has(name) }).toEqual({ name, unset: true });
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
