/** The installed gate over smart HTTP (lighttpd + git http-backend, basic auth): see gate-suite.ts. */
import { httpAvailable, startHttpGitServer } from '../helpers/http-server';
import { gateOverTransport } from './gate-suite';

jest.setTimeout(120_000);

gateOverTransport({
  transport: 'http',
  actorSource: 'REMOTE_USER',
  available: httpAvailable,
  start: (repoRoot, users) => startHttpGitServer({ repoRoot, users }),
});
