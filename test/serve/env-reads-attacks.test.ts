/**
 * Attacks on decision 0061 (src/serve/env-reads.ts): a request that
 * EnvReads.sameIn says matches a decision made ahead must get the same
 * answer from everything the decision reads of its environment.
 *
 * SSH_CONNECTION and SSH_CLIENT are kept by name as their client address
 * only, which is exact for transportOf. But gatos.actorEnv lets the operator
 * name any variable, and resolvePusher (src/gate/pusher.ts) then reads that
 * variable whole: its value becomes the audit entry's hostUser and the
 * refusal's "no pusher identity" text. So with gatos.actorEnv=SSH_CONNECTION
 * a request from another port (another connection) matches, and the decision
 * made ahead from the last push carries that push's ports into the request's
 * audit entry and refusal. The file-name pin in env-reads.test.ts does not
 * see this reader: it reads the variable by a name from the settings. Found
 * by the tenth attack pass (docs/security.md); decideAhead now records the
 * variables the settings name whole.
 */
import { readGateConfig, resolvePusher, type GateConfig } from '../../src/gate';
import type { GitRepo } from '../../src/git';
import { auditContextOf } from '../../src/push/decide-push';
import { envReadsFor } from '../../src/serve/ahead';
import { EnvReads } from '../../src/serve/env-reads';

function config(entries: readonly (readonly [string, string])[]): GateConfig {
  const c = readGateConfig(entries);
  if (!c.ok) throw new Error(c.error.message);
  return c.value;
}

const last = { GIT_DIR: '/srv/r.git', SSH_CONNECTION: '10.0.0.1 40000 10.0.0.2 22', SSH_CLIENT: '10.0.0.1 40000 22' };
/** The next connection from the same client: only the ports differ. */
const next = { ...last, SSH_CONNECTION: '10.0.0.1 40002 10.0.0.2 22', SSH_CLIENT: '10.0.0.1 40002 22' };

describe('EnvReads against readers that take more of SSH_CONNECTION than transportOf', () => {
  it.each(['SSH_CONNECTION', 'SSH_CLIENT'])('gatos.actorEnv=%s: a request that matches gets the same pusher and audit context', (name) => {
    const c = config([['gatos.actorenv', name]]);
    // As decideAhead records them (src/serve/ahead.ts): the variables the settings name are read whole.
    const reads = envReadsFor(last, c);
    const repo = { gitDir: '/srv/r.git' } as GitRepo;
    const ahead = auditContextOf({ hook: 'pre-receive', repo, updates: [], env: reads.view(), now: 1_700_000_000, config: c });
    const asked = auditContextOf({ hook: 'pre-receive', repo, updates: [], env: next, now: 1_700_000_000, config: c });
    // Either the request does not match, or what the decision made ahead recorded is the request's.
    if (reads.sameIn(next)) {
      expect(resolvePusher(next, c)).toEqual(resolvePusher(last, c));
      expect(ahead).toEqual(asked);
    }
    // Which it does not: the pusher's variable counts whole here, though its ports are all that differ.
    expect(reads.sameIn(next)).toBe(false);
    expect(ahead).not.toEqual(asked);
    // Recorded without the settings' names (as the first version of decision 0061 did), the request matched.
    const projected = new EnvReads(last);
    auditContextOf({ hook: 'pre-receive', repo, updates: [], env: projected.view(), now: 1_700_000_000, config: c });
    expect(projected.sameIn(next)).toBe(true);
  });
});
