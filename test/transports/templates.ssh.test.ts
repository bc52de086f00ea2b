/** Every template end to end over ssh:// (OpenSSH, forced commands, GL_USER): see template-scenarios.ts. */
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
  for (const template of TEMPLATES) templateScenarios(transport, template);
});
