/**
 * Issue 10 class 3: tree and commit objects git itself calls malformed.
 * Two layers, each tested alone: git's receive.fsckObjects (install.sh turns
 * it on with the ids the gate relies on at error level) refuses the pack
 * before any hook runs; with it switched off, the attack reaches the gate,
 * whose parsers refuse the same objects with a code and a rule, never a
 * GATE_ERROR carrying git's text.
 */
import { GateWorld } from '../helpers/gate-world';
import { expectAccepted, expectAttackRefused, expectAttackRefusedObjectsKept, expectObjectCheckRefused, serverConfig } from './harness';
import { blob, built, editCommit, entry, literalTree, rawEntries, revParse, setRef, withTree, workspaceOf, writeBundle, type RawEntry } from './forge-objects';

jest.setTimeout(300_000);

const JOURNAL = 'refs/gatos/journal/finance/user/alice';
const STATE = 'refs/gatos/state/finance';

/** The root's entries with the first one named twice (a second copy with other content right after it). */
function withDuplicate(w: GateWorld, dir: string, entries: RawEntry[]): RawEntry[] {
  const [first, ...rest] = entries;
  if (!first) throw new Error('empty tree');
  const other = first.mode === '40000' ? literalTree(w, dir, [entry('100644', 'forged', blob(w, dir, 'forged\n'))]) : blob(w, dir, 'forged\n');
  return [first, { ...first, id: other }, ...rest];
}

/** The same entries out of git's order (or, for a single entry, one sorting after it placed first). */
function unsorted(w: GateWorld, dir: string, entries: RawEntry[]): RawEntry[] {
  if (entries.length >= 2) return [...entries].reverse();
  return [entry('100644', 'zzz', blob(w, dir, 'z\n')), ...entries];
}

for (const format of ['sha1', 'sha256'] as const) {
  describe(`malformed objects (${format}, regulated)`, () => {
    let w: GateWorld;
    let alice: string;
    let root: string;
    /** An honest checkpoint over alice's event, not pushed yet. */
    let checkpoint: string;
    let cpTree: RawEntry[];

    /** Resets the client's GATOS refs to the server's. */
    const sync = (dir: string, actor: string) => w.fetch(dir, actor);
    const pushState = (id: string) => () => {
      setRef(w, alice, STATE, id);
      return w.push(alice, 'user:alice', [STATE]);
    };
    const pushBranch = (id: string, ref = 'refs/heads/forged') => () => {
      setRef(w, alice, ref, id);
      return w.push(alice, 'user:alice', [`${ref}:${ref}`]);
    };
    const pushBundle = (refs: string[]) => () => w.push(root, 'user:root', refs);
    const branchCommit = (tree: string) => w.git(alice, ['commit-tree', tree], {}, 'a branch commit\n').stdout.trim();

    beforeAll(() => {
      w = new GateWorld({ format }).setup();
      alice = w.client('user:alice');
      root = w.client('user:root');
      w.addEvent(alice, 'user:alice', 'finance');
      expect(w.push(alice, 'user:alice', [JOURNAL]).status).toBe(0);
      expect(w.gatos(alice, ['fold', 'checkpoint', '--ns', 'finance', '--as', 'user:alice']).status).toBe(0);
      checkpoint = revParse(w, alice, STATE);
      cpTree = rawEntries(w, alice, revParse(w, alice, `${checkpoint}^{tree}`));
    });

    describe('layer 1: git refuses the pack (receive.fsckObjects, as install.sh sets it)', () => {
      // The attacker's checkpoint names a state file twice: git would serve one copy, a reader keeping the other would verify another state.
      test('a checkpoint tree with a duplicate entry (duplicateEntries)', () => {
        expectObjectCheckRefused(w, pushState(withTree(w, alice, checkpoint, literalTree(w, alice, withDuplicate(w, alice, cpTree)))), 'duplicateEntries');
      });

      // The attacker orders a checkpoint's entries otherwise than git, so that readers disagree on which name comes first.
      test('a checkpoint tree out of order (treeNotSorted)', () => {
        expectObjectCheckRefused(w, pushState(withTree(w, alice, checkpoint, literalTree(w, alice, unsorted(w, alice, cpTree)))), 'treeNotSorted');
      });

      // The attacker writes a mode with a leading zero, a second spelling of the same tree.
      test('a branch tree with a zero-padded mode (zeroPaddedFilemode)', () => {
        expectObjectCheckRefused(w, pushBranch(branchCommit(literalTree(w, alice, [entry('0100644', 'a.txt', blob(w, alice, 'a\n'))]))), 'zeroPaddedFilemode');
      });

      // The attacker ships a .git folder in a branch, which a checkout would take for the repository itself.
      test('a branch tree with a .git entry (hasDotgit)', () => {
        const hook = literalTree(w, alice, [entry('100644', 'config', blob(w, alice, '[core]\n\tfsmonitor = evil\n'))]);
        expectObjectCheckRefused(w, pushBranch(branchCommit(literalTree(w, alice, [entry('40000', '.git', hook)]))), 'hasDotgit');
      });

      // The attacker names one file twice on a branch.
      test('a branch tree with a duplicate entry (duplicateEntries)', () => {
        const a = blob(w, alice, 'a\n');
        expectObjectCheckRefused(w, pushBranch(branchCommit(literalTree(w, alice, [entry('100644', 'a', a), entry('100644', 'a', blob(w, alice, 'b\n'))]))), 'duplicateEntries');
      });

      // The attacker gives a checkpoint commit two authors.
      test('a checkpoint commit with two author headers (multipleAuthors)', () => {
        expectObjectCheckRefused(w, pushState(editCommit(w, alice, checkpoint, (t) => t.replace(/\n(author [^\n]*)\n/, '\n$1\n$1\n'))), 'multipleAuthors');
      });

      // The attacker writes a bundle tree whose compiled policy has a zero-padded mode.
      test('a policy bundle with a zero-padded mode (zeroPaddedFilemode)', () => {
        sync(root, 'user:root');
        const b = built(workspaceOf(w, 'regulated'));
        const compiled = rawEntries(w, root, writeBundleTree(b));
        const tree = literalTree(w, root, compiled.map((e) => (e.name.toString() === 'compiled' ? { ...e, mode: '040000' } : e)));
        expectObjectCheckRefused(w, pushBundle(writeBundle(w, root, b, { tree }).refs), 'zeroPaddedFilemode');
      });

      /** Writes the bundle's files and returns its root tree (publish's tree). */
      function writeBundleTree(b: ReturnType<typeof built>): string {
        writeBundle(w, root, b);
        const t = revParse(w, root, 'refs/gatos/policies/active^{tree}');
        sync(root, 'user:root');
        return t;
      }
    });

    describe("layer 2: the gate's own parsers (receive.fsckObjects switched off)", () => {
      beforeAll(() => serverConfig(w, 'receive.fsckObjects', 'false'));
      afterAll(() => serverConfig(w, 'receive.fsckObjects', 'true'));

      // Duplicate entry in a checkpoint tree: before the fix, git served the forged copy and the gate's Map kept the honest one.
      test('a checkpoint tree with a duplicate entry', () => {
        const r = expectAttackRefused(w, pushState(withTree(w, alice, checkpoint, literalTree(w, alice, withDuplicate(w, alice, cpTree)))), { code: 'ENCODING_INVALID', rule: 'gate/proof-of-fold' });
        expect(r.stderr).toContain('duplicate entry');
      });

      // A checkpoint tree out of git's order.
      test('a checkpoint tree out of order', () => {
        const r = expectAttackRefused(w, pushState(withTree(w, alice, checkpoint, literalTree(w, alice, unsorted(w, alice, cpTree)))), { code: 'ENCODING_INVALID', rule: 'gate/proof-of-fold' });
        expect(r.stderr).toContain('not sorted');
      });

      // A checkpoint whose state folder is spelled with a zero-padded mode.
      test('a checkpoint tree with a zero-padded mode', () => {
        const padded = cpTree.map((e, i) => (i === 0 ? { ...e, mode: e.mode === '40000' ? '040000' : '0100644' } : e));
        expectAttackRefused(w, pushState(withTree(w, alice, checkpoint, literalTree(w, alice, padded))), { code: 'ENCODING_INVALID', rule: 'gate/proof-of-fold' });
      });

      // A checkpoint commit whose committer date has no space before it (missingSpaceBeforeDate).
      test('a checkpoint commit with a malformed committer line', () => {
        expectAttackRefused(w, pushState(editCommit(w, alice, checkpoint, (t) => t.replace(/\n(committer [^\n]*>) /, '\n$1'))), { code: 'ENCODING_INVALID', rule: 'gate/read' });
      });

      // A checkpoint commit with a zone of three digits (badTimezone).
      test('a checkpoint commit with a bad time zone', () => {
        expectAttackRefused(w, pushState(editCommit(w, alice, checkpoint, (t) => t.replace(/\n(author [^\n]*) ([+-]\d{4})\n/, '\n$1 +000\n'))), { code: 'ENCODING_INVALID', rule: 'gate/read' });
      });

      // An event commit whose tree names event.cbor twice: the gate reads one, git could serve the other.
      test('an event tree with a duplicate entry', () => {
        sync(alice, 'user:alice');
        w.addEvent(alice, 'user:alice', 'finance');
        const tip = revParse(w, alice, JOURNAL);
        const entries = rawEntries(w, alice, revParse(w, alice, `${tip}^{tree}`));
        const forged = withTree(w, alice, tip, literalTree(w, alice, withDuplicate(w, alice, entries)));
        setRef(w, alice, JOURNAL, forged);
        const r = expectAttackRefused(w, () => w.push(alice, 'user:alice', [JOURNAL]), { code: 'ENCODING_INVALID', rule: 'gate/event' });
        expect(r.stderr).toContain('duplicate entry');
        sync(alice, 'user:alice');
        setRef(w, alice, STATE, checkpoint);
      });

      // A branch commit with two authors.
      test('a branch commit with two author headers', () => {
        const c = branchCommit(literalTree(w, alice, [entry('100644', 'a.txt', blob(w, alice, 'a\n'))]));
        expectAttackRefused(w, pushBranch(editCommit(w, alice, c, (t) => t.replace(/\n(author [^\n]*)\n/, '\n$1\n$1\n'))), { code: 'ENCODING_INVALID', rule: 'gate/read' });
      });

      // A branch commit with a NUL byte in a header.
      test('a branch commit with a NUL byte in a header', () => {
        const c = branchCommit(literalTree(w, alice, [entry('100644', 'a.txt', blob(w, alice, 'a\n'))]));
        expectAttackRefused(w, pushBranch(editCommit(w, alice, c, (t) => t.replace(/\n\n/, '\nx-evil a\0b\n\n'))), { code: 'ENCODING_INVALID', rule: 'gate/read' });
      });

      // A policy bundle whose compiled/ folder is named twice, the second copy holding another policy.
      test('a policy bundle tree with a duplicate entry', () => {
        sync(root, 'user:root');
        const b = built(workspaceOf(w, 'regulated'));
        writeBundle(w, root, b);
        const honest = rawEntries(w, root, revParse(w, root, 'refs/gatos/policies/active^{tree}'));
        sync(root, 'user:root');
        const other = built(workspaceOf(w, 'regulated', { 'gatos/policies/zz.rgs': 'rules:\n  - id: zz/allow\n    when: { intent: write }\n    allow_if: true\n' }));
        writeBundle(w, root, other);
        const compiledOther = rawEntries(w, root, revParse(w, root, 'refs/gatos/policies/active^{tree}')).find((e) => e.name.toString() === 'compiled');
        if (!compiledOther) throw new Error('no compiled/ in the bundle');
        sync(root, 'user:root');
        const at = honest.findIndex((e) => e.name.toString() === 'compiled');
        const dup = [...honest.slice(0, at + 1), compiledOther, ...honest.slice(at + 1)];
        const r = expectAttackRefused(w, pushBundle(writeBundle(w, root, b, { tree: literalTree(w, root, dup) }).refs), { code: 'PROOF_INVALID', rule: 'gate/bundle' });
        expect(r.stderr).toContain('duplicate entry');
      });

      // A policy bundle whose compiled policy sits under a '.git' spelling NTFS would accept ('.GIT.').
      test('a policy bundle tree with a .git entry', () => {
        sync(root, 'user:root');
        const b = built(workspaceOf(w, 'regulated'));
        writeBundle(w, root, b);
        const honest = rawEntries(w, root, revParse(w, root, 'refs/gatos/policies/active^{tree}'));
        sync(root, 'user:root');
        const extra = [entry('40000', '.GIT.', literalTree(w, root, [entry('100644', 'config', blob(w, root, '[core]\n'))])), ...honest];
        expectAttackRefused(w, pushBundle(writeBundle(w, root, b, { tree: literalTree(w, root, extra) }).refs), { code: 'PROOF_INVALID', rule: 'gate/bundle' });
      });

      // The honest checkpoint still lands with the switch off (nothing honest is refused by the parsers).
      test('the honest checkpoint is accepted', () => {
        sync(alice, 'user:alice');
        setRef(w, alice, STATE, checkpoint);
        expectAccepted(w, () => w.push(alice, 'user:alice', [STATE]));
      });
    });

    // Legitimate variants with git's checks on: an honest branch with ordinary files, and an honest policy publish.
    test('an honest branch and an honest policy publish are accepted with the checks on', () => {
      const c = branchCommit(literalTree(w, alice, [entry('100644', '.gitignore', blob(w, alice, 'x\n')), entry('100644', 'a.txt', blob(w, alice, 'a\n')), entry('40000', 'a', literalTree(w, alice, [entry('100755', 'run.sh', blob(w, alice, '#!/bin/sh\n'))]))]));
      expectAccepted(w, pushBranch(c, 'refs/heads/honest'));
      sync(root, 'user:root');
      const { refs } = writeBundle(w, root, built(workspaceOf(w, 'regulated', { 'gatos/policies/zz-honest.rgs': `rules:\n  - id: honest/${format}\n    when: { ref: "refs/tags/honest-${format}" }\n    deny_if: true\n` })));
      expectAccepted(w, pushBundle(refs));
    });
  });
}

describe('malformed objects (sha256, minimal, update hook only)', () => {
  let w: GateWorld;
  let alice: string;
  let checkpoint: string;
  const branchCommit = (tree: string) => w.git(alice, ['commit-tree', tree], {}, 'a branch commit\n').stdout.trim();
  const push = (ref: string, id: string) => () => {
    setRef(w, alice, ref, id);
    return w.push(alice, 'user:alice', [`${ref}:${ref}`]);
  };

  beforeAll(() => {
    w = new GateWorld({ format: 'sha256', template: 'minimal', hooks: 'update' }).setup();
    alice = w.client('user:alice');
    w.addEvent(alice, 'user:alice', 'finance');
    expect(w.push(alice, 'user:alice', [JOURNAL]).status).toBe(0);
    expect(w.gatos(alice, ['fold', 'checkpoint', '--ns', 'finance', '--as', 'user:alice']).status).toBe(0);
    checkpoint = revParse(w, alice, STATE);
  });

  // git refuses the pack before the update hook would run.
  test('a branch tree with a duplicate entry is refused by git (duplicateEntries)', () => {
    const a = blob(w, alice, 'a\n');
    expectObjectCheckRefused(w, push('refs/heads/dup', branchCommit(literalTree(w, alice, [entry('100644', 'a', a), entry('100644', 'a', blob(w, alice, 'b\n'))]))), 'duplicateEntries');
  });

  // With git's checks off, git moves the pack out of quarantine before the update hook runs: the refused objects stay, unreachable (layer 1 matters most here).
  describe('with receive.fsckObjects off', () => {
    beforeAll(() => serverConfig(w, 'receive.fsckObjects', 'false'));
    afterAll(() => serverConfig(w, 'receive.fsckObjects', 'true'));

    // A checkpoint naming a state entry twice, decided by the update hook alone.
    test('a checkpoint tree with a duplicate entry', () => {
      const entries = rawEntries(w, alice, revParse(w, alice, `${checkpoint}^{tree}`));
      expectAttackRefusedObjectsKept(w, push(STATE, withTree(w, alice, checkpoint, literalTree(w, alice, withDuplicate(w, alice, entries)))), { code: 'ENCODING_INVALID', rule: 'gate/proof-of-fold' });
    });

    // A branch commit with its author's date zero-padded (zeroPaddedDate).
    test('a branch commit with a zero-padded date', () => {
      const c = branchCommit(literalTree(w, alice, [entry('100644', 'a.txt', blob(w, alice, 'a\n'))]));
      expectAttackRefusedObjectsKept(w, push('refs/heads/padded', editCommit(w, alice, c, (t) => t.replace(/\n(author [^\n]*>) (\d+)/, '\n$1 0$2'))), { code: 'ENCODING_INVALID', rule: 'gate/read' });
    });

    test('the honest checkpoint is accepted', () => {
      expectAccepted(w, push(STATE, checkpoint));
    });
  });
});
