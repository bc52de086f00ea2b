/**
 * How the gate's node is started is part of what it decides on: variables in
 * the hooks' environment (a host's profile, a client's SetEnv where sshd
 * accepts it, any file:// pusher) that Node or the shell read before the
 * gate's first line (decision 0067; docs/security.md, fifteenth pass).
 * - NODE_UNIQUE_ID with NODE_CHANNEL_FD: Node becomes a cluster worker on an
 *   IPC channel and exits 0 when the channel closes, over the refusal status.
 * - Shell functions exported as BASH_FUNC_<name>%%, which bash imports even
 *   as sh: a `read` that exits 0 ends the update stub with status 0. Debian's
 *   sh is dash, which imports none; the hosts whose sh is bash (RHEL, Fedora)
 *   are reproduced by running the installed stub with `bash --posix`, as
 *   their /bin/sh runs it.
 * (NODE_OPTIONS: breadth.test.ts. What the other variables cost a legitimate
 * push: test/hooks/node-env.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { GateWorld, type Run } from '../helpers/gate-world';
import { expectAttackRefused, zeroId } from './harness';

jest.setTimeout(300_000);

const NS = 'finance';
const JOURNAL = `refs/gatos/journal/${NS}/user/alice`;
const FF = { code: 'FF_VIOLATION', rule: 'gate/fast-forward-only' } as const;

function must(r: Run, what: string): Run {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/**
 * Runs `cmd args` in `cwd` with fd 3 a connected Unix socket whose other end closes at once (after taking what is
 * written to it), and NODE_CHANNEL_FD=3, NODE_UNIQUE_ID=1: a node started under it is a cluster worker whose channel
 * then reads end-of-file. A helper process of Node's own holds the socket; its status is the command's.
 */
function withClosingChannel(cmd: string, args: readonly string[], cwd: string, env: Record<string, string>, input = ''): Run {
  const script = `
const net = require('node:net'), fs = require('node:fs'), os = require('node:os'), path = require('node:path');
const { spawn } = require('node:child_process');
const [cmd, args, cwd, env, input] = JSON.parse(process.argv[1]);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatos-ipc-'));
const server = net.createServer((c) => { c.on('data', () => {}); c.on('error', () => {}); c.end(); });
server.listen(path.join(dir, 's'), () => {
  const client = net.connect(path.join(dir, 's'), () => {
    const p = spawn(cmd, args, { cwd, env: { ...env, NODE_CHANNEL_FD: '3', NODE_UNIQUE_ID: '1' }, stdio: ['pipe', 'pipe', 'pipe', client] });
    let out = '', err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.stdin.end(input);
    p.on('close', (code) => {
      process.stdout.write(out);
      process.stderr.write(err);
      fs.rmSync(dir, { recursive: true, force: true });
      process.exit(code === null ? 1 : code);
    });
  });
});`;
  const r = spawnSync(process.execPath, ['-e', script, JSON.stringify([cmd, args, cwd, env, input])], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('how the gate\'s node starts (regulated, sha1, both hooks)', () => {
  const w = new GateWorld({ format: 'sha1', template: 'regulated' });
  let alice = '';
  const rewrite = (): string => {
    const tree = must(w.git(alice, ['rev-parse', `${JOURNAL}^{tree}`]), 'tree').stdout.trim();
    return must(w.git(alice, ['commit-tree', tree], {}, `rewritten ${Date.now()}\n`), 'commit-tree').stdout.trim();
  };

  beforeAll(() => {
    w.setup();
    alice = w.client('user:alice');
    w.addEvent(alice, 'user:alice', NS);
    must(w.push(alice, 'user:alice', [JOURNAL]), 'journal push');
  });

  test('NODE_UNIQUE_ID and NODE_CHANNEL_FD on a channel that closes: force-push a journal', () => {
    const env = { ...w.env(), ...w.transport.env('user:alice') };
    expectAttackRefused(w, () => withClosingChannel('git', ['push', '--force', 'origin', `${rewrite()}:${JOURNAL}`], alice, env), FF);
  });

  test('the same channel given to pre-receive.cjs run without the stubs (as a host\'s own script would): refused at once', () => {
    const env = { ...w.env(), ...w.transport.env('user:alice'), GIT_DIR: '.' };
    const x = rewrite();
    const r = withClosingChannel(process.execPath, [path.join(w.gitDir, 'hooks', 'pre-receive.cjs')], w.gitDir, env, `${zeroId(w)} ${x} refs/heads/ipc\n`);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('code:   GATE_ERROR');
    expect(r.stderr).toMatch(/started with an IPC channel/);
  });

  test('a shell function named read in the environment, under bash as sh: the update hook on a journal delete', () => {
    const tip = must(w.git(w.root, ['--git-dir', w.gitDir, 'rev-parse', JOURNAL]), 'tip').stdout.trim();
    // What git runs for one ref of a delete: hooks/update <ref> <old> <zero>, GIT_DIR set, no record from pre-receive.
    const r = spawnSync('bash', ['--posix', path.join(w.gitDir, 'hooks', 'update'), JOURNAL, tip, zeroId(w)], {
      cwd: w.gitDir,
      encoding: 'utf8',
      env: { ...w.env(), ...w.transport.env('user:alice'), GIT_DIR: '.', 'BASH_FUNC_read%%': '() { exit 0; }', 'BASH_FUNC_command%%': '() { exit 0; }' },
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('FF_VIOLATION');
  });
});
