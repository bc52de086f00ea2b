/**
 * hooks/update is a shell stub: it allows an update without starting Node
 * only when pre-receive's verdict record for exactly (ref, old, new, active
 * policy commit) is there with exactly the content pre-receive writes;
 * anything else runs the full Node hook, which decides by itself. The stub
 * is run for real (sh, git) against a gated repository, with records written
 * by the gate's own record writer.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { recordKey, recordText, type RefUpdate } from '../../src/gate';
import { writeRecords } from '../../src/hooks/records';
import { GateWorld } from '../helpers/gate-world';

jest.setTimeout(120_000);

const JOURNAL = 'refs/gatos/journal/finance/user/alice';
const NODE_TRACE = /gatos trace: update: .*node start-up/;
const STUB_TRACE = /the update hook did not start Node/;

describe('the update stub', () => {
  let w: GateWorld;
  let alice: string;
  let policy: string;
  let hooks: string;
  const verdicts = () => path.join(w.gitDir, 'gatos', 'verdicts');
  const revParse = (rev: string) => w.git(w.root, ['--git-dir', w.gitDir, 'rev-parse', rev]).stdout.trim();
  /** An update nobody pushed: the full hook cannot allow it (the new commit does not exist). */
  const bogus = (): RefUpdate => {
    const len = revParse('HEAD').length || policy.length;
    return { ref: 'refs/gatos/journal/finance/user/alice', oldId: revParse(JOURNAL), newId: 'a'.repeat(len) } as RefUpdate;
  };
  const stub = (args: readonly string[]) =>
    spawnSync('sh', [path.join(hooks, 'update'), ...args], { cwd: w.gitDir, env: { ...w.env({ GATOS_TRACE: '1' }), GIT_DIR: w.gitDir }, encoding: 'utf8' });
  const argsOf = (u: RefUpdate) => [u.ref, u.oldId, u.newId];

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1' }).setup();
    alice = w.client('user:alice');
    w.addEvent(alice, 'user:alice', 'finance');
    expect(w.push(alice, 'user:alice', [JOURNAL]).status).toBe(0);
    policy = revParse('refs/gatos/policies/active');
    hooks = path.join(w.gitDir, 'hooks');
  });

  it('is a shell script beside the Node hook it falls back to', () => {
    expect(readFileSync(path.join(hooks, 'update'), 'utf8').startsWith('#!/bin/sh\n')).toBe(true);
    expect(existsSync(path.join(hooks, 'update.cjs'))).toBe(true);
  });

  it('takes pre-receive\'s record in a real push and starts no Node for update', () => {
    w.addEvent(alice, 'user:alice', 'finance');
    const r = w.git(alice, ['push', 'origin', JOURNAL], { ...w.transport.env('user:alice'), GATOS_TRACE: '1' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(STUB_TRACE);
    expect(r.stderr).not.toMatch(NODE_TRACE);
    expect(readdirSync(verdicts())).toEqual([]);
  });

  it('allows on a matching record, consumes it and runs the chained update hook', () => {
    const u = bogus();
    writeRecords(w.gitDir, [u], policy, Date.now());
    const marker = path.join(w.root, 'chained-ran');
    writeFileSync(path.join(hooks, 'update.gatos-chained'), `#!/bin/sh\necho "$@" > '${marker}'\n`, { mode: 0o755 });
    try {
      const r = stub(argsOf(u));
      expect(r.stderr).toMatch(STUB_TRACE);
      expect(r.status).toBe(0);
      expect(readFileSync(marker, 'utf8')).toBe(`${argsOf(u).join(' ')}\n`);
      expect(existsSync(path.join(verdicts(), recordKey(u, policy)))).toBe(false);
      // Consumed: the same update again is decided by the full hook, which refuses it.
      const again = stub(argsOf(u));
      expect(again.stderr).toMatch(NODE_TRACE);
      expect(again.status).not.toBe(0);
    } finally {
      rmSync(path.join(hooks, 'update.gatos-chained'), { force: true });
    }
  });

  const refusedByNode = (r: ReturnType<typeof stub>) => {
    expect(r.stderr).not.toMatch(STUB_TRACE);
    expect(r.stderr).toMatch(NODE_TRACE);
    expect(r.status).not.toBe(0);
  };

  it('runs the full hook when the record names another policy commit', () => {
    const u = bogus();
    writeRecords(w.gitDir, [u], revParse(JOURNAL), Date.now());
    refusedByNode(stub(argsOf(u)));
  });

  it('runs the full hook when the record under the right name has other content', () => {
    const u = bogus();
    const file = path.join(verdicts(), recordKey(u, policy));
    for (const text of [recordText(u, policy).replace('allowed\n', 'allowed'), recordText(u, policy).replace('allowed', 'denied'), recordText({ ...u, newId: u.oldId }, policy), `${recordText(u, policy)}more\n`, `${recordText(u, policy)}\n`, `${recordText(u, policy)}x`, recordText(u, policy).replace('gatos-verdict-v1', 'gatos-verdict-v2'), '']) {
      mkdirSync(verdicts(), { recursive: true });
      writeFileSync(file, text);
      refusedByNode(stub(argsOf(u)));
    }
  });

  it('runs the full hook for a record that is a symbolic link, odd arguments, or no record', () => {
    const u = bogus();
    const real = path.join(w.root, 'elsewhere');
    writeFileSync(real, recordText(u, policy));
    mkdirSync(verdicts(), { recursive: true });
    const file = path.join(verdicts(), recordKey(u, policy));
    rmSync(file, { force: true });
    symlinkSync(real, file);
    refusedByNode(stub(argsOf(u)));
    rmSync(file, { force: true });
    refusedByNode(stub(argsOf(u)));
    writeRecords(w.gitDir, [u], policy, Date.now());
    refusedByNode(stub([...argsOf(u), 'extra']));
    refusedByNode(stub([u.ref, u.oldId.toUpperCase(), u.newId.toUpperCase()]));
    rmSync(path.join(verdicts(), recordKey(u, policy)), { force: true });
  });
});
