/** Templates end to end over smart HTTP (lighttpd, git http-backend, REMOTE_USER): see template-scenarios.ts. */
import { httpAvailable, startHttpGitServer, type HttpGitServer } from '../helpers/http-server';
import { tmpDir } from '../helpers/tmp';
import { TEMPLATES } from '../templates/template-files';
import { SCENARIO_USERS, httpScenarioTransport } from './gate-transports';
import { templateScenarios } from './template-scenarios';

jest.setTimeout(180_000);

const run = httpAvailable() ? describe : describe.skip;
run('templates over http://', () => {
  const repoRoot = tmpDir('gatos-http-templates-');
  let server: HttpGitServer | undefined;
  beforeAll(async () => {
    server = await startHttpGitServer({ repoRoot, users: SCENARIO_USERS });
  });
  afterAll(async () => {
    await server?.stop();
  });
  const live = (): HttpGitServer => {
    if (!server) throw new Error('the http server is not running');
    return server;
  };
  const transport = httpScenarioTransport({
    transport: 'http',
    repoRoot,
    remote: (user, repo) => live().remote(user, repo),
    password: (user) => live().password(user),
  });
  // regulated runs over ssh:// (templates.ssh.test.ts): each template over one real transport (decision 0035).
  for (const template of TEMPLATES.filter((t) => t !== 'regulated')) templateScenarios(transport, template);
});
