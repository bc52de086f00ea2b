/**
 * Decisions made ahead over ssh:// and http:// (decision 0061): pushes
 * through OpenSSH on loopback with gitolite-style forced commands (the
 * pusher from GL_USER), and through lighttpd, git http-backend and basic
 * authentication (REMOTE_USER), into a repository `gatos serve` serves.
 * sshd gives every connection its own SSH_CONNECTION and SSH_CLIENT (the
 * client's port), a CGI server its own REMOTE_PORT, so a decision made
 * ahead from the last push's environment used to be discarded on every
 * push; it stands in now, since the decision takes only the client's
 * address from the former and nothing from the latter. A test-only pre-receive holds each push until the
 * daemon has decided it ahead (its metrics say so), then hands it to the
 * gate's client: the request must use that decision, and the push land.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { metric, metricsOf, serve, stopped, type Served } from '../helpers/daemon';
import { GateWorld, type Run } from '../helpers/gate-world';
import { httpAvailable, startHttpGitServer } from '../helpers/http-server';
import { sshdAvailable, startSshGitServer } from '../helpers/sshd';
import { tmpDir } from '../helpers/tmp';
import { SCENARIO_USERS, httpScenarioTransport, sshScenarioTransport, type ServedRoot } from '../transports/gate-transports';

jest.setTimeout(120_000);

const ALICE = 'refs/gatos/journal/finance/user/alice';

interface Server {
  remote: ServedRoot['remote'];
  password?: (user: string) => string;
  stop(): Promise<void>;
}

const TRANSPORTS = [
  { name: 'ssh' as const, available: sshdAvailable, start: (repoRoot: string): Promise<Server> => startSshGitServer({ repoRoot, users: SCENARIO_USERS }), gateTransport: sshScenarioTransport },
  { name: 'http' as const, available: httpAvailable, start: (repoRoot: string): Promise<Server> => startHttpGitServer({ repoRoot, users: SCENARIO_USERS }), gateTransport: httpScenarioTransport },
];

describe.each(TRANSPORTS)('gatos serve behind $name://', (t) => {
  const run = t.available() ? it : it.skip;
  const repoRoot = tmpDir(`gatos-daemon-${t.name}-`);
  let server: Server | undefined;
  let daemon: Served | undefined;
  let w: GateWorld;
  let alice: string;
  const root: ServedRoot = {
    transport: t.name,
    repoRoot,
    remote: (user, repo) => {
      if (!server) throw new Error(`the ${t.name} server is not running`);
      return server.remote(user, repo);
    },
    password: (user) => {
      if (!server?.password) throw new Error(`the ${t.name} server has no passwords`);
      return server.password(user);
    },
  };
  const ahead = async (result: string): Promise<number> => metric(await metricsOf(daemon as Served), 'gatos_decisions_ahead_total', { repo: w.gitDir, result });

  beforeAll(async () => {
    if (!t.available()) return;
    server = await t.start(repoRoot);
    w = new GateWorld({ format: 'sha1', transport: t.gateTransport(root) }).setup();
    alice = w.client('user:alice');
    daemon = await serve([w.gitDir]);
  });

  afterAll(async () => {
    if (daemon) await stopped(daemon.proc, 'SIGTERM');
    await server?.stop();
  });

  run('uses a push\'s decision made ahead although its connection is another one', async () => {
    const hooks = path.join(w.gitDir, 'hooks');
    const go = path.join(w.root, 'ahead-go');
    const stub = readFileSync(path.join(hooks, 'pre-receive'));
    spawnSync('mkfifo', [go]);
    writeFileSync(path.join(hooks, 'pre-receive.gatos-test'), stub, { mode: 0o755 });
    writeFileSync(path.join(hooks, 'pre-receive'), `#!/bin/sh\nread -r go < '${go}'\nexec sh "\${0%/*}/pre-receive.gatos-test"\n`, { mode: 0o755 });
    /** One event of alice's pushed over the transport, held until the daemon decided it ahead (or, `wait` false, not held). */
    const pushHeld = async (wait: boolean): Promise<Run> => {
      const made = await ahead('made');
      w.addEvent(alice, 'user:alice', 'finance');
      const push = new Promise<Run>((resolve) => {
        const p = spawn('git', ['push', 'origin', ALICE], { cwd: alice, env: w.env(w.transport.env('user:alice')) });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
        p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
        p.once('close', (status) => resolve({ status, stdout, stderr }));
      });
      for (let i = 0; wait && (await ahead('made')) === made; i++) {
        if (i > 400) throw new Error('the daemon did not decide the push ahead');
        await new Promise((r) => setTimeout(r, 25));
      }
      writeFileSync(go, 'go\n');
      return push;
    };
    try {
      // The first push teaches the daemon alice's pushes over this transport; each next one it decides ahead.
      const first = await pushHeld(false);
      expect(first.status).toBe(0);
      const usedBefore = await ahead('used');
      const discardedBefore = await ahead('discarded');
      // A decision made in one second and asked for in the next is discarded: up to three tries.
      let used = 0;
      for (let tries = 0; tries < 3 && used === 0; tries++) {
        const r = await pushHeld(true);
        expect(r.status).toBe(0);
        used = (await ahead('used')) - usedBefore;
      }
      expect(used).toBe(1);
      expect(await ahead('discarded')).toBeLessThan(discardedBefore + 3);
      // The pushes landed, decided by the daemon: the server's journal is the client's.
      expect(w.git(w.root, ['--git-dir', w.gitDir, 'rev-parse', ALICE]).stdout).toBe(w.git(alice, ['rev-parse', ALICE]).stdout);
    } finally {
      writeFileSync(path.join(hooks, 'pre-receive'), stub, { mode: 0o755 });
      rmSync(path.join(hooks, 'pre-receive.gatos-test'), { force: true });
      rmSync(go, { force: true });
    }
  });
});
