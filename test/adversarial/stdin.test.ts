/**
 * A pre-receive that gets no update lines. git never runs pre-receive without
 * at least one (receive-pack skips the hook when it has nothing to feed), so
 * empty input means something before the gate read or cut git's stdin: a
 * host's or an operator's dispatcher that runs another hook first without
 * saving it. The gate must refuse then, not decide that an empty list of
 * updates has nothing to check. Installed `--hooks pre-receive` (the host
 * layouts'), where no update hook decides again behind it.
 */
import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GateWorld, type Run } from '../helpers/gate-world';
import { expectAccepted, expectAttackRefused } from './harness';

jest.setTimeout(300_000);

const NS = 'finance';
const JOURNAL = `refs/gatos/journal/${NS}/user/alice`;

function must(r: Run, what: string): Run {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

describe('a pre-receive whose stdin something else read first (regulated, sha1, --hooks pre-receive)', () => {
  const w = new GateWorld({ format: 'sha1', template: 'regulated', hooks: 'pre-receive' });
  let alice = '';
  const hooks = (): string => path.join(w.gitDir, 'hooks');

  beforeAll(() => {
    w.setup();
    alice = w.client('user:alice');
    w.addEvent(alice, 'user:alice', NS);
    must(w.push(alice, 'user:alice', [JOURNAL]), 'journal push');
    // A dispatcher that runs an audit script of its own on git's stdin, then the gate on what is left: nothing.
    renameSync(path.join(hooks(), 'pre-receive'), path.join(hooks(), 'pre-receive.gate'));
    writeFileSync(path.join(hooks(), 'pre-receive'), '#!/bin/sh\ncat > /dev/null\nexec "${0%/*}/pre-receive.gate"\n');
    chmodSync(path.join(hooks(), 'pre-receive'), 0o755);
  });

  test('force-push a journal behind a dispatcher that ate stdin', () => {
    const tree = must(w.git(alice, ['rev-parse', `${JOURNAL}^{tree}`]), 'tree').stdout.trim();
    const rewritten = must(w.git(alice, ['commit-tree', tree], {}, 'rewritten\n'), 'commit-tree').stdout.trim();
    const r = expectAttackRefused(w, () => w.git(alice, ['push', '--force', 'origin', `${rewritten}:${JOURNAL}`], w.transport.env('user:alice')), { code: 'GATE_ERROR' });
    expect(r.stderr).toMatch(/no ref update on stdin/);
  });

  test('legitimate: with the dispatcher fixed, an append goes through', () => {
    writeFileSync(path.join(hooks(), 'pre-receive'), '#!/bin/sh\nexec "${0%/*}/pre-receive.gate"\n');
    w.fetch(alice, 'user:alice');
    w.addEvent(alice, 'user:alice', NS);
    expectAccepted(w, () => w.push(alice, 'user:alice', [JOURNAL]));
  });
});
