/**
 * Real ssh:// and smart HTTP servers for the adversarial suite, as
 * GateWorld transports: one server per describe block (started in
 * beforeAll, stopped in afterAll), the actor `user:<name>` being the host
 * user <name> (GL_USER from a forced command, REMOTE_USER from HTTP
 * authentication). Skipped where sshd or lighttpd is missing.
 */
import { httpAvailable, startHttpGitServer, type HttpGitServer } from '../helpers/http-server';
import { sshdAvailable, startSshGitServer, type SshGitServer } from '../helpers/sshd';
import type { GateTransport } from '../helpers/gate-world';
import { tmpDir } from '../helpers/tmp';
import { SCENARIO_USERS, httpScenarioTransport, sshScenarioTransport } from '../transports/gate-transports';

export interface Served {
  readonly name: 'ssh' | 'http';
  readonly available: () => boolean;
  /** The transport; valid between start() and stop(). */
  readonly transport: GateTransport;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function servedSsh(): Served {
  const repoRoot = tmpDir('gatos-adv-ssh-');
  let server: SshGitServer | undefined;
  const live = () => {
    if (!server) throw new Error('the ssh server is not running');
    return server;
  };
  return {
    name: 'ssh',
    available: sshdAvailable,
    transport: sshScenarioTransport({ transport: 'ssh', repoRoot, remote: (user, repo) => live().remote(user, repo) }),
    start: async () => {
      server = await startSshGitServer({ repoRoot, users: SCENARIO_USERS });
    },
    stop: async () => {
      await server?.stop();
    },
  };
}

export function servedHttp(): Served {
  const repoRoot = tmpDir('gatos-adv-http-');
  let server: HttpGitServer | undefined;
  const live = () => {
    if (!server) throw new Error('the http server is not running');
    return server;
  };
  return {
    name: 'http',
    available: httpAvailable,
    transport: httpScenarioTransport({ transport: 'http', repoRoot, remote: (user, repo) => live().remote(user, repo), password: (user) => live().password(user) }),
    start: async () => {
      server = await startHttpGitServer({ repoRoot, users: SCENARIO_USERS });
    },
    stop: async () => {
      await server?.stop();
    },
  };
}
