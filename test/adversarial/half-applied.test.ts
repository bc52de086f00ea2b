/**
 * Class 11, half-applied non-atomic pushes. pre-receive decides the whole
 * push at once, under the bundle that is active before it; the update hook
 * runs per ref afterwards, in a non-atomic push after the refs before it were
 * already written. A policy change and a checkpoint in one push must land
 * together (the update hook honours the decision pre-receive made for this
 * very push, whatever bundle became active meanwhile), a refusal that leaves
 * other refs written never says "Nothing was written", and with the update
 * hook alone a journal and its checkpoint in one --atomic push are refused
 * with a rule that says why (the update hook cannot see the push's other refs).
 */
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gateFailure, refusalLines, type Verdict } from '../../src/gate';
import { GateWorld, type Run } from '../helpers/gate-world';
import { expectAccepted, expectAttackRefused } from './harness';
import { servedHttp, servedSsh } from './served';
import { liveVerdictRecords } from '../helpers/records';

jest.setTimeout(240_000);

const NS = 'finance';
const JOURNAL = `refs/gatos/journal/${NS}/user/alice`;
const STATE = `refs/gatos/state/${NS}`;

function must(r: Run, what: string): Run {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

let published = 0;

/** The trusted root publishes the template's bundle again with one more rule, in its own clone; nothing is pushed yet. */
function publishLocally(w: GateWorld, root: string, template: string): void {
  must(w.gatos(root, ['policy', 'init', '--template', template, '--force']), 'policy init');
  cpSync(path.join(w.admin, 'gatos/trust'), path.join(root, 'gatos/trust'), { recursive: true });
  writeFileSync(path.join(root, 'gatos/policies/zz-marker.rgs'), `rules:\n  - id: marker/${++published}\n    when: { ref: "refs/tags/marker-${published}" }\n    deny_if: true\n`);
  must(w.gatos(root, ['policy', 'publish', '--as', 'user:root']), 'policy publish');
}

/** Alice appends an event, pushes it, folds a checkpoint over it; root's clone fetches the checkpoint from hers. */
function checkpointForRoot(w: GateWorld, alice: string, root: string): string {
  w.fetch(alice, 'user:alice');
  w.addEvent(alice, 'user:alice', NS);
  must(w.push(alice, 'user:alice', [JOURNAL]), 'journal push');
  must(w.gatos(alice, ['fold', 'checkpoint', '--ns', NS, '--as', 'user:alice']), 'fold checkpoint');
  must(w.git(root, ['fetch', '-q', alice, `+${STATE}:${STATE}`]), 'fetch the checkpoint');
  return must(w.git(root, ['rev-parse', STATE]), 'rev-parse').stdout.trim();
}

const serverRef = (w: GateWorld, ref: string) => w.git(w.root, ['--git-dir', w.gitDir, 'rev-parse', '--verify', '-q', ref]).stdout.trim();

for (const format of ['sha1', 'sha256'] as const) {
  describe(`a policy change and a checkpoint in one non-atomic push (minimal, ${format}, both hooks)`, () => {
    let w: GateWorld;
    let alice: string;
    let root: string;
    beforeAll(() => {
      w = new GateWorld({ format, template: 'minimal' }).setup();
      alice = w.client('user:alice');
      root = w.client('user:root');
    });

    // Legitimate: pre-receive accepted both; the update hook must not decide the checkpoint again under the bundle the push just activated.
    test('land together, and the update hook honours pre-receive\'s decision', () => {
      const checkpoint = checkpointForRoot(w, alice, root);
      publishLocally(w, root, 'minimal');
      const active = must(w.git(root, ['rev-parse', 'refs/gatos/policies/active']), 'rev-parse').stdout.trim();
      const r = expectAccepted(w, () => w.push(root, 'user:root', ['refs/gatos/policies/*', STATE]));
      expect(r.stderr).not.toContain('Nothing was written');
      expect(serverRef(w, 'refs/gatos/policies/active')).toBe(active);
      expect(serverRef(w, STATE)).toBe(checkpoint);
      // Every record was found by the update hook of the same receive-pack, and consumed.
      expect(liveVerdictRecords(w.gitDir)).toEqual([]);
    });

    // When the update hook does decide again and refuses (pre-receive could leave no record), the client is told which ref was refused, never "Nothing was written".
    test('a ref the update hook refuses after others were written is reported as such', () => {
      const checkpoint = checkpointForRoot(w, alice, root);
      publishLocally(w, root, 'minimal');
      const active = must(w.git(root, ['rev-parse', 'refs/gatos/policies/active']), 'rev-parse').stdout.trim();
      const verdicts = path.join(w.gitDir, 'gatos', 'verdicts');
      rmSync(verdicts, { recursive: true, force: true });
      writeFileSync(verdicts, 'not a folder: pre-receive cannot leave records\n');
      try {
        const entries = w.auditEntries().length;
        const r = w.push(root, 'user:root', ['refs/gatos/policies/*', STATE]);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain('no verdict records');
        expect(r.stderr).toContain(`DENIED ${STATE}`);
        expect(r.stderr).not.toContain('Nothing was written');
        expect(r.stderr).toContain(`${STATE} was not written`);
        expect(r.stderr).toMatch(/other refs of a non-atomic push may have been written/);
        // What the footer says is what happened: the policy moved, the checkpoint did not.
        expect(serverRef(w, 'refs/gatos/policies/active')).toBe(active);
        expect(serverRef(w, STATE)).not.toBe(checkpoint);
        // One refusal; the policy refs each hook accepted under an audit: true rule are recorded as accepted (decision 0029).
        const added = w.auditEntries().slice(entries);
        expect(added.filter((e) => e.outcome === 'refused')).toHaveLength(1);
        expect(added.filter((e) => e.outcome !== 'refused').every((e) => e.denials.length === 0)).toBe(true);
      } finally {
        rmSync(verdicts, { force: true });
        mkdirSync(verdicts, { recursive: true, mode: 0o700 });
      }
    });
  });
}

// The two hooks of a push share their receive-pack parent over every transport (sshd and http-backend spawn receive-pack; git spawns the hooks).
for (const served of [servedSsh(), servedHttp()]) {
  (served.available() ? describe : describe.skip)(`a policy change and a checkpoint in one push over ${served.name}:// (minimal, sha1)`, () => {
    let w: GateWorld;
    let alice: string;
    let root: string;
    beforeAll(async () => {
      await served.start();
      w = new GateWorld({ format: 'sha1', template: 'minimal', transport: served.transport }).setup();
      alice = w.client('user:alice');
      root = w.client('user:root');
    });
    afterAll(() => served.stop());

    // Legitimate: the update hook finds pre-receive's record through the session both hooks share.
    test('land together', () => {
      const checkpoint = checkpointForRoot(w, alice, root);
      publishLocally(w, root, 'minimal');
      const active = must(w.git(root, ['rev-parse', 'refs/gatos/policies/active']), 'rev-parse').stdout.trim();
      expectAccepted(w, () => w.push(root, 'user:root', ['refs/gatos/policies/*', STATE]));
      expect(serverRef(w, 'refs/gatos/policies/active')).toBe(active);
      expect(serverRef(w, STATE)).toBe(checkpoint);
      expect(liveVerdictRecords(w.gitDir)).toEqual([]);
    });
  });
}

describe('the update hook alone (minimal, sha1, --hooks update)', () => {
  let w: GateWorld;
  let alice: string;
  beforeAll(() => {
    w = new GateWorld({ format: 'sha1', template: 'minimal', hooks: 'update' }).setup();
    alice = w.client('user:alice');
    w.addEvent(alice, 'user:alice', NS);
    must(w.push(alice, 'user:alice', [JOURNAL]), 'first journal push');
  });

  // The attacker (or an honest user) pushes a journal and a checkpoint over it atomically: the checkpoint's update hook runs before the journal ref moves and cannot know it will.
  test('a journal and its checkpoint in one --atomic push are refused with their own rule and hint', () => {
    w.addEvent(alice, 'user:alice', NS);
    must(w.gatos(alice, ['fold', 'checkpoint', '--ns', NS, '--as', 'user:alice']), 'fold checkpoint');
    const r = expectAttackRefused(w, () => w.git(alice, ['push', '--atomic', 'origin', JOURNAL, STATE], w.transport.env('user:alice')), { code: 'PROOF_INVALID', rule: 'gate/update-hook-journal-first' });
    expect(r.stderr).toContain('with only the update hook installed, push the journal first, then the checkpoint');
  });

  // Legitimate: the journal first, then the checkpoint.
  test('the journal first, then the checkpoint, is accepted', () => {
    expectAccepted(w, () => w.push(alice, 'user:alice', [JOURNAL]));
    expectAccepted(w, () => w.push(alice, 'user:alice', [STATE]));
  });

  // Legitimate: non-atomic, git writes the journal (sorted first) before the checkpoint's update hook runs.
  test('a journal and its checkpoint in one non-atomic push are accepted', () => {
    w.addEvent(alice, 'user:alice', NS);
    must(w.gatos(alice, ['fold', 'checkpoint', '--ns', NS, '--as', 'user:alice']), 'fold checkpoint');
    expectAccepted(w, () => w.push(alice, 'user:alice', [JOURNAL, STATE]));
  });
});

describe('what a refusal says was written', () => {
  const refused = (ref: string): Verdict => gateFailure('GATE_ERROR', 'r', [{ ref, oldId: '0'.repeat(40), newId: 'a'.repeat(40) }]);
  test('pre-receive refuses the whole push: "Nothing was written"', () => {
    expect(refusalLines(refused(STATE), 'text', 'recorded', 'push').at(-1)).toBe('Nothing was written. This refusal is recorded in refs/gatos/audit/policy.');
  });
  test('the update hook refuses one ref: it names it and never says "Nothing was written"', () => {
    for (const audit of ['recorded', 'not-recorded'] as const) {
      const last = refusalLines(refused(STATE), 'text', audit, 'ref').at(-1) ?? '';
      expect(last).not.toContain('Nothing was written');
      expect(last.startsWith(`${STATE} was not written.`)).toBe(true);
      expect(last).toContain('other refs of a non-atomic push may have been written');
    }
    expect(refusalLines(gateFailure('GATE_ERROR', 'r', []), 'text', 'recorded', 'ref').at(-1)).toMatch(/^This update was not written\./);
  });
});
