/** The installed gate over ssh:// (OpenSSH, gitolite-style forced commands): see gate-suite.ts. */
import { sshdAvailable, startSshGitServer } from '../helpers/sshd';
import { gateOverTransport } from './gate-suite';

jest.setTimeout(120_000);

gateOverTransport({
  transport: 'ssh',
  actorSource: 'GL_USER',
  available: sshdAvailable,
  start: (repoRoot, users) => startSshGitServer({ repoRoot, users }),
});
