/**
 * The gate's own end-to-end scenarios (test/helpers/gate-scenarios.ts, the
 * regulated template) pushed over smart HTTP through lighttpd, git http-backend and
 * basic authentication: one server for the file, the actor from REMOTE_USER.
 */
import { gateScenarios } from '../helpers/gate-scenarios';
import { httpAvailable, startHttpGitServer, type HttpGitServer } from '../helpers/http-server';
import { tmpDir } from '../helpers/tmp';
import { SCENARIO_USERS, httpScenarioTransport, type ServedRoot } from './gate-transports';

jest.setTimeout(180_000);

const run = httpAvailable() ? describe : describe.skip;
run('gate scenarios over http://', () => {
  const repoRoot = tmpDir('gatos-http-scenarios-');
  let server: HttpGitServer | undefined;
  const root: ServedRoot = {
    transport: 'http',
    repoRoot,
    remote: (user, repo) => {
      if (!server) throw new Error('the http server is not running');
      return server.remote(user, repo);
    },
    password: (user) => {
      if (!server) throw new Error('the http server is not running');
      return server.password(user);
    },
  };
  beforeAll(async () => {
    server = await startHttpGitServer({ repoRoot, users: SCENARIO_USERS });
  });
  afterAll(async () => {
    await server?.stop();
  });
  gateScenarios(httpScenarioTransport(root), { formats: ['sha1', 'sha256'] });
});
