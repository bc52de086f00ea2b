/**
 * Templates end to end over ssh:// (OpenSSH, forced commands, GL_USER): see template-scenarios.ts. Each
 * template runs over one real transport (regulated here, minimal and airgapped over http://, templates.http.test.ts):
 * the transport's identity path is the same for every template, and CI's time is bounded (decision 0035).
 */
import { sshdAvailable, startSshGitServer, type SshGitServer } from '../helpers/sshd';
import { tmpDir } from '../helpers/tmp';
import { TEMPLATES } from '../templates/template-files';
import { SCENARIO_USERS, sshScenarioTransport } from './gate-transports';
import { templateScenarios } from './template-scenarios';

jest.setTimeout(180_000);

const run = sshdAvailable() ? describe : describe.skip;
run('templates over ssh://', () => {
  const repoRoot = tmpDir('gatos-ssh-templates-');
  let server: SshGitServer | undefined;
  beforeAll(async () => {
    server = await startSshGitServer({ repoRoot, users: SCENARIO_USERS });
  });
  afterAll(async () => {
    await server?.stop();
  });
  const transport = sshScenarioTransport({
    transport: 'ssh',
    repoRoot,
    remote: (user, repo) => {
      if (!server) throw new Error('the ssh server is not running');
      return server.remote(user, repo);
    },
  });
  for (const template of TEMPLATES.filter((t) => t === 'regulated')) templateScenarios(transport, template);
});
