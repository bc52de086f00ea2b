/**
 * The hook's event workers decide as the main thread does (decision 0041):
 * the same pushes into two copies of one gated repository, one with
 * GATOS_EVENT_WORKERS_MIN=1 (every journal update's events checked on the
 * worker threads), one with the default (these few events on the main
 * thread), give the same exit status, the same refusal lines in the same
 * order and the same audit entries. The pushes carry honest events, a bad
 * signature, an unsigned commit and a payload the fold cannot fold, on
 * separate refs of one push, so each ref's refusal is reported.
 */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { GateWorld, type Run } from '../helpers/gate-world';

const ALICE = 'user:alice';
let w: GateWorld;
let copy: string;
let alice: string;

const TRACE_NOTE = /events verified on \d+ worker threads/;

function pushTo(gitDir: string, refs: readonly string[], workers: boolean): Run {
  return w.git(alice, ['push', `file://${gitDir}`, ...refs], { GATOS_ACTOR: ALICE, GATOS_TRACE: '1', ...(workers ? { GATOS_EVENT_WORKERS_MIN: '1' } : { GATOS_EVENT_WORKERS_MIN: '1000000' }) });
}

/** What a push printed as its decision: the gate's lines and git's per-ref results, without the trace's timings and progress. */
function decisionLines(r: Run): string[] {
  return r.stderr
    .split(/[\r\n]/)
    .filter((l) => (l.startsWith('remote: ') && !l.startsWith('remote: gatos trace:') && !l.includes('verifying events')) || /^ ! |^ \* /.test(l))
    .map((l) => l.trimEnd());
}

/** The audit entries of `gitDir`, without the fields that name the moment of the push. */
function audit(gitDir: string): unknown[] {
  const log = w.git(w.root, ['--git-dir', gitDir, 'rev-list', '--reverse', 'refs/gatos/audit/policy']);
  if (log.status !== 0) return [];
  return log.stdout
    .split('\n')
    .filter((c) => c !== '')
    .map((c) => {
      const e = JSON.parse(w.git(w.root, ['--git-dir', gitDir, 'show', `${c}:entry.json`]).stdout) as Record<string, unknown>;
      for (const k of ['ts', 'at', 'time', 'now', 'duration_ms']) delete e[k];
      return e;
    });
}

beforeAll(async () => {
  w = new GateWorld({ format: 'sha1' }).setup();
  alice = w.client(ALICE);
  for (let i = 0; i < 3; i++) w.addEvent(alice, ALICE, 'good');
  w.addEvent(alice, ALICE, 'bad');
  await w.forgeEvent(alice, ALICE, 'bad', { kind: 'bad-signature' });
  await w.forgeEvent(alice, ALICE, 'bad', { kind: 'unsigned' });
  w.addEvent(alice, ALICE, 'fold');
  await w.forgeEvent(alice, ALICE, 'fold', { kind: 'payload', payload: { flag: { a: 1 }, on: true } });
  // The same name in another folder: the audit entries name the repository.
  copy = path.join(w.root, 'copy', path.basename(w.gitDir));
  cpSync(w.gitDir, copy, { recursive: true });
}, 120_000);

const ref = (ns: string): string => `refs/gatos/journal/${ns}/user/alice`;

describe('event workers decide as the main thread does', () => {
  it('refuses the same refs with the same lines and audit entries', () => {
    const refs = [ref('good'), ref('bad'), ref('fold')];
    const main = pushTo(w.gitDir, refs, false);
    const workers = pushTo(copy, refs, true);
    expect(workers.stderr).toMatch(TRACE_NOTE);
    expect(main.stderr).not.toMatch(TRACE_NOTE);
    expect(main.status).not.toBe(0);
    expect(workers.status).toBe(main.status);
    const lines = decisionLines(main);
    expect(lines.join('\n')).toMatch(/SIG_INVALID/);
    expect(lines.join('\n')).toMatch(/FOLD_ERROR/);
    expect(decisionLines(workers)).toEqual(lines);
    const entries = audit(w.gitDir);
    expect(entries.length).toBeGreaterThan(0);
    expect(audit(copy)).toEqual(entries);
  });

  it('accepts the honest journal alike', () => {
    const main = pushTo(w.gitDir, [ref('good')], false);
    const workers = pushTo(copy, [ref('good')], true);
    expect(workers.stderr).toMatch(TRACE_NOTE);
    expect(main.status).toBe(0);
    expect(workers.status).toBe(0);
    expect(w.git(w.root, ['--git-dir', copy, 'rev-parse', ref('good')]).stdout).toBe(w.git(w.root, ['--git-dir', w.gitDir, 'rev-parse', ref('good')]).stdout);
  });
});
