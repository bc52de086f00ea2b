/**
 * The gate's own end-to-end scenarios (test/helpers/gate-scenarios.ts, the
 * regulated template) pushed over ssh:// through OpenSSH with gitolite-style
 * forced commands: one server for the file, the actor from GL_USER.
 */
import { gateScenarios } from '../helpers/gate-scenarios';
import { sshdAvailable, startSshGitServer, type SshGitServer } from '../helpers/sshd';
import { tmpDir } from '../helpers/tmp';
import { SCENARIO_USERS, sshScenarioTransport, type ServedRoot } from './gate-transports';

jest.setTimeout(180_000);

const run = sshdAvailable() ? describe : describe.skip;
run('gate scenarios over ssh://', () => {
  const repoRoot = tmpDir('gatos-ssh-scenarios-');
  let server: SshGitServer | undefined;
  const root: ServedRoot = {
    transport: 'ssh',
    repoRoot,
    remote: (user, repo) => {
      if (!server) throw new Error('the ssh server is not running');
      return server.remote(user, repo);
    },
  };
  beforeAll(async () => {
    server = await startSshGitServer({ repoRoot, users: SCENARIO_USERS });
  });
  afterAll(async () => {
    await server?.stop();
  });
  gateScenarios(sshScenarioTransport(root), { formats: ['sha1', 'sha256'] });
});
