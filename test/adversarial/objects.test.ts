/**
 * Issue 10, classes 1 and 7 and the size half of class 4: what a ref tip may
 * be, and every new object counted whatever reaches it.
 *
 * - A blob, a tree or an annotated tag at a journal, state, policy or branch
 *   ref, a tag of a tag, a tag of a blob: refused with POLICY_DENY,
 *   `gate/object-type` (every namespace declares its tip types; refs/tags/**
 *   takes an annotated tag of a commit or a commit, configurable with
 *   gatos.tipTypes).
 * - The object-size limit (gatos.maxObjectBytes, older name
 *   gatos.maxBlobBytes) over every new object: a blob that is a ref tip or
 *   sits behind a tag, a commit with a huge header, a tag with a huge
 *   message: POLICY_DENY, `gate/object-size`, naming the object type.
 * - A merge that adds a file neither parent has: its paths are the union of
 *   its diffs against every parent, so airgapped's blobs/pointers-only sees it.
 *
 * Every world is a real bare repository installed by ./install.sh; the
 * objects are forged with git's plumbing and sent by rawPush.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { GateWorld } from '../helpers/gate-world';
import { expectAccepted, expectAttackRefused, rawPush, writeLiteral, zeroId, type RawCommand } from './harness';

const TYPE = { code: 'POLICY_DENY', rule: 'gate/object-type' } as const;
const SIZE = { code: 'POLICY_DENY', rule: 'gate/object-size' } as const;
const JOURNAL = 'refs/gatos/journal/finance/user/alice';
const TAGGER = 'tagger Root <root@example.com> 1700000000 +0000';
const AUTHOR = 'Root <root@example.com> 1700000000 +0000';

function out(w: GateWorld, dir: string, args: readonly string[], input?: string): string {
  const r = w.git(dir, args, {}, input);
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A valid annotated tag object (git mktag checks it) of `target`. */
function tag(w: GateWorld, dir: string, target: string, type: string, name: string, message = 'a tag\n'): string {
  return out(w, dir, ['mktag'], `object ${target}\ntype ${type}\ntag ${name}\n${TAGGER}\n\n${message}`);
}

function blob(w: GateWorld, dir: string, body: string | Buffer): string {
  return writeLiteral(w, dir, 'blob', body);
}

function tree(w: GateWorld, dir: string, files: Record<string, string>): string {
  const lines = Object.entries(files).map(([name, id]) => `100644 blob ${id}\t${name}`).join('\n');
  return out(w, dir, ['mktree'], `${lines}\n`);
}

function commit(w: GateWorld, dir: string, treeId: string, parents: readonly string[], message: string): string {
  return out(w, dir, ['commit-tree', treeId, ...parents.flatMap((p) => ['-p', p])], message);
}

function push(w: GateWorld, from: string, actor: string, commands: readonly RawCommand[], revs: readonly string[]) {
  const format = w.opts.format;
  return () => rawPush(w, { from, format, env: { GATOS_ACTOR: actor }, commands, revs, atomic: true });
}

function serverTip(w: GateWorld, ref: string): string {
  return out(w, w.root, ['--git-dir', w.gitDir, 'rev-parse', ref]);
}

interface TypeWorld {
  readonly label: string;
  readonly format: 'sha1' | 'sha256';
  readonly template: string;
  readonly hooks?: string;
  /** Whether alice may append to her journal there (not under airgapped: trust level 2 needed). */
  readonly journals: boolean;
}

const TYPE_WORLDS: readonly TypeWorld[] = [
  { label: 'minimal, sha1', format: 'sha1', template: 'minimal', journals: true },
  { label: 'minimal, sha256', format: 'sha256', template: 'minimal', journals: true },
  { label: 'regulated, sha1', format: 'sha1', template: 'regulated', journals: true },
  { label: 'airgapped, sha256', format: 'sha256', template: 'airgapped', journals: false },
  { label: 'update hook only, minimal, sha1', format: 'sha1', template: 'minimal', hooks: 'update', journals: true },
];

for (const tw of TYPE_WORLDS) {
  describe(`a non-commit at a gated ref (${tw.label})`, () => {
    let w: GateWorld;
    let alice: string;
    let root: string;
    let zero: string;

    beforeAll(() => {
      w = new GateWorld({ format: tw.format, template: tw.template, ...(tw.hooks ? { hooks: tw.hooks } : {}) }).setup();
      alice = w.client('user:alice');
      root = w.client('user:root');
      zero = zeroId(w);
    });

    test('a blob as the tip of a fresh journal is refused', () => {
      // The attacker creates its journal with a blob: nothing for rev-list to list, nothing verified.
      const b = blob(w, alice, 'not an event\n');
      expectAttackRefused(w, push(w, alice, 'user:alice', [{ old: zero, new: b, ref: JOURNAL }], [b]), TYPE);
    });

    test('a forged tree squatting a fresh state ref is refused', () => {
      // A tree at refs/gatos/state/<ns> first, so the real checkpoint can never land there.
      const t = tree(w, alice, { 'state.json': blob(w, alice, '{"forged":true}\n') });
      expectAttackRefused(w, push(w, alice, 'user:alice', [{ old: zero, new: t, ref: 'refs/gatos/state/finance' }], [t]), TYPE);
    });

    test('an annotated tag of a commit at a fresh state ref is refused', () => {
      // rev-list unwraps the tag: the commit under it would be checked, the tag would become the state tip.
      const c = commit(w, alice, tree(w, alice, { 'x.txt': blob(w, alice, 'x\n') }), [], 'not a checkpoint\n');
      const t = tag(w, alice, c, 'commit', 'state');
      expectAttackRefused(w, push(w, alice, 'user:alice', [{ old: zero, new: t, ref: 'refs/gatos/state/tagged' }], [t]), TYPE);
    });

    test('a tree at a fresh journal, sent by the stock git client, is refused', () => {
      // git push <tree>:<ref> works for a ref the server does not have yet.
      const t = tree(w, alice, { 'event.cbor': blob(w, alice, 'forged\n') });
      expectAttackRefused(w, () => w.push(alice, 'user:alice', [`${t}:refs/gatos/journal/stock/user/alice`]), TYPE);
    });

    test('an annotated tag at refs/gatos/policies/active is refused', () => {
      // A tag wrapping the active bundle: git peels it for ancestry, so it looks like a no-op fast-forward.
      const active = out(w, root, ['rev-parse', 'refs/gatos/policies/active']);
      const t = tag(w, root, active, 'commit', 'active');
      expectAttackRefused(w, push(w, root, 'user:root', [{ old: active, new: t, ref: 'refs/gatos/policies/active' }], [t, `^${active}`]), TYPE);
    });

    test('a blob at a bundle ref is refused', () => {
      // refs/gatos/policies/<64 hex> squatted by a blob.
      const b = blob(w, root, 'not a bundle\n');
      expectAttackRefused(w, push(w, root, 'user:root', [{ old: zero, new: b, ref: `refs/gatos/policies/${'ab'.repeat(32)}` }], [b]), TYPE);
    });

    test('a tree at refs/heads/main is refused', () => {
      // Branches hold commits: a bare tree carries files no commit ever named.
      const t = tree(w, root, { 'README.md': blob(w, root, 'hello\n') });
      expectAttackRefused(w, push(w, root, 'user:root', [{ old: zero, new: t, ref: 'refs/heads/main' }], [t]), TYPE);
    });

    test('a tag of a tag at refs/tags/** is refused', () => {
      // A nested tag: the outer tag's target is not a commit.
      const base = commit(w, root, tree(w, root, { 'a.txt': blob(w, root, 'a\n') }), [], 'tagged\n');
      const inner = tag(w, root, base, 'commit', 'inner');
      const outer = tag(w, root, inner, 'tag', 'outer');
      expectAttackRefused(w, push(w, root, 'user:root', [{ old: zero, new: outer, ref: 'refs/tags/nested' }], [outer]), TYPE);
    });

    test('a tag of a blob at refs/tags/** is refused', () => {
      // An annotated tag that hides a blob behind a name git shows as a release.
      const b = blob(w, root, 'payload\n');
      const t = tag(w, root, b, 'blob', 'blobtag');
      expectAttackRefused(w, push(w, root, 'user:root', [{ old: zero, new: t, ref: 'refs/tags/blobtag' }], [t]), TYPE);
    });

    test('a second ref of the same push carrying a tree is refused, and the first does not land', () => {
      // One honest branch, and a tree squatting a state ref in the same (atomic) push.
      const c = commit(w, root, tree(w, root, { 'ok.txt': blob(w, root, 'fine\n') }), [], 'fine\n');
      const t = tree(w, root, { 'x.json': blob(w, root, '{}\n') });
      expectAttackRefused(w, push(w, root, 'user:root', [{ old: zero, new: c, ref: 'refs/heads/topic-ok' }, { old: zero, new: t, ref: 'refs/gatos/state/ops' }], [c, t]), TYPE);
    });

    if (tw.journals) {
      test('an honest event is accepted (the journal now exists)', () => {
        w.addEvent(alice, 'user:alice', 'finance');
        expectAccepted(w, () => w.push(alice, 'user:alice', [JOURNAL]));
      });

      test('an annotated tag of a valid next event at an existing journal is refused', () => {
        // The tag unwraps to a verifiable event, but the journal's tip would be a tag object.
        const old = serverTip(w, JOURNAL);
        w.addEvent(alice, 'user:alice', 'finance');
        const next = out(w, alice, ['rev-parse', JOURNAL]);
        const t = tag(w, alice, next, 'commit', 'wrapped');
        expectAttackRefused(w, push(w, alice, 'user:alice', [{ old, new: t, ref: JOURNAL }], [t, `^${old}`]), TYPE);
      });

      test('a blob at an existing journal is refused', () => {
        // The journal's tip replaced by a blob (not a fast-forward either: both rules speak).
        const old = serverTip(w, JOURNAL);
        const b = blob(w, alice, 'gone\n');
        expectAttackRefused(w, push(w, alice, 'user:alice', [{ old, new: b, ref: JOURNAL }], [b]), TYPE);
      });

      test('the next event itself, as a commit, is still accepted', () => {
        expectAccepted(w, () => w.push(alice, 'user:alice', [JOURNAL]));
      });
    }

    if (tw.template !== 'airgapped') {
      test('an annotated tag of a commit at refs/tags/v1 is accepted', () => {
        const c = commit(w, root, tree(w, root, { 'v1.txt': blob(w, root, 'v1\n') }), [], 'release 1\n');
        const t = tag(w, root, c, 'commit', 'v1');
        expectAccepted(w, push(w, root, 'user:root', [{ old: zero, new: t, ref: 'refs/tags/v1' }], [t]));
        expect(w.serverRefs()).toContain(`${t} refs/tags/v1`);
      });

      test('a lightweight tag (a commit) at refs/tags/light is accepted', () => {
        const c = commit(w, root, tree(w, root, { 'l.txt': blob(w, root, 'light\n') }), [], 'light\n');
        expectAccepted(w, push(w, root, 'user:root', [{ old: zero, new: c, ref: 'refs/tags/light' }], [c]));
      });

      test('a normal merge on a branch is accepted', () => {
        const base = commit(w, root, tree(w, root, { 'a.txt': blob(w, root, 'a\n') }), [], 'base\n');
        const side = commit(w, root, tree(w, root, { 'a.txt': blob(w, root, 'a\n'), 'b.txt': blob(w, root, 'b\n') }), [base], 'side\n');
        const main = commit(w, root, tree(w, root, { 'a.txt': blob(w, root, 'a2\n') }), [base], 'main\n');
        const merge = commit(w, root, tree(w, root, { 'a.txt': blob(w, root, 'a2\n'), 'b.txt': blob(w, root, 'b\n') }), [main, side], 'merge\n');
        expectAccepted(w, push(w, root, 'user:root', [{ old: zero, new: merge, ref: 'refs/heads/merged' }], [merge]));
      });
    }
  });
}

describe('gatos.tipTypes and the object-size limit under minimal (sha256)', () => {
  let w: GateWorld;
  let root: string;
  let zero: string;
  const LIMIT = 65536;

  beforeAll(() => {
    w = new GateWorld({ format: 'sha256', template: 'minimal' }).setup();
    const cfg = (args: string[]): void => void out(w, w.root, ['--git-dir', w.gitDir, 'config', ...args]);
    cfg(['--add', 'gatos.tipTypes', 'refs/blobs/** blob,tag:blob']);
    cfg(['--add', 'gatos.tipTypes', 'refs/tags/plain/** commit']);
    cfg(['gatos.maxObjectBytes', String(LIMIT)]);
    root = w.client('user:root');
    zero = zeroId(w);
  });

  test('a small blob where the operator allows blobs is accepted', () => {
    const b = blob(w, root, 'small\n');
    expectAccepted(w, push(w, root, 'user:root', [{ old: zero, new: b, ref: 'refs/blobs/small' }], [b]));
  });

  test('a big blob that is only a ref tip is refused by size', () => {
    // No commit and no tree name it: rev-list --objects gives it no path.
    const b = blob(w, root, randomBytes(LIMIT + 1));
    const r = expectAttackRefused(w, push(w, root, 'user:root', [{ old: zero, new: b, ref: 'refs/blobs/big' }], [b]), SIZE);
    expect(r.stderr).toContain(`blob ${b}`);
  });

  test('a big blob only behind a tag is refused by size', () => {
    // The tag is an allowed tip here; the blob it wraps has no path either.
    const b = blob(w, root, randomBytes(LIMIT + 2));
    const t = tag(w, root, b, 'blob', 'big');
    expectAttackRefused(w, push(w, root, 'user:root', [{ old: zero, new: t, ref: 'refs/blobs/tagged' }], [t]), SIZE);
  });

  test('an annotated tag where the operator allows commits only is refused', () => {
    // refs/tags/plain/** configured to take lightweight tags only.
    const c = commit(w, root, tree(w, root, { 'p.txt': blob(w, root, 'p\n') }), [], 'plain\n');
    const t = tag(w, root, c, 'commit', 'plain');
    expectAttackRefused(w, push(w, root, 'user:root', [{ old: zero, new: t, ref: 'refs/tags/plain/one' }], [t]), TYPE);
  });

  test('a commit at a blob-only ref is refused', () => {
    // The configured type holds both ways: a commit is not a blob.
    const c = commit(w, root, tree(w, root, { 'q.txt': blob(w, root, 'q\n') }), [], 'q\n');
    expectAttackRefused(w, push(w, root, 'user:root', [{ old: zero, new: c, ref: 'refs/blobs/commit' }], [c]), TYPE);
  });

  test('a commit with a huge extra header is refused by size, naming the commit', () => {
    // 1.5 MB riding in a header no reader shows.
    const t = tree(w, root, { 'h.txt': blob(w, root, 'h\n') });
    const c = writeLiteral(w, root, 'commit', `tree ${t}\nauthor ${AUTHOR}\ncommitter ${AUTHOR}\nx-junk ${'j'.repeat(LIMIT * 2)}\n\nheader\n`);
    const r = expectAttackRefused(w, push(w, root, 'user:root', [{ old: zero, new: c, ref: 'refs/heads/header' }], [c]), SIZE);
    expect(r.stderr).toContain(`commit ${c}`);
  });

  test('a tag with a huge message is refused by size, naming the tag', () => {
    const c = commit(w, root, tree(w, root, { 'm.txt': blob(w, root, 'm\n') }), [], 'm\n');
    const t = tag(w, root, c, 'commit', 'chatty', `${'words '.repeat(LIMIT / 3)}\n`);
    const r = expectAttackRefused(w, push(w, root, 'user:root', [{ old: zero, new: t, ref: 'refs/tags/chatty' }], [t]), SIZE);
    expect(r.stderr).toContain(`tag ${t}`);
  });

  test('small commits and tags under the limit are accepted', () => {
    const c = commit(w, root, tree(w, root, { 's.txt': blob(w, root, 's\n') }), [], 'small\n');
    const t = tag(w, root, c, 'commit', 'small');
    expectAccepted(w, push(w, root, 'user:root', [{ old: zero, new: t, ref: 'refs/tags/small' }], [t]));
  });
});

for (const format of ['sha1', 'sha256'] as const) {
  describe(`airgapped: every new object counted, merges show their files (${format})`, () => {
    let w: GateWorld;
    let root: string;
    let zero: string;
    const MIB = 1048576;

    beforeAll(() => {
      w = new GateWorld({ format, template: 'airgapped' }).setup();
      root = w.client('user:root');
      zero = zeroId(w);
    });

    test('a small pointer commit on main is accepted', () => {
      writeFileSync(path.join(root, 'model.ptr.json'), '{"digest":"sha256:00","size":1}\n');
      out(w, root, ['add', 'model.ptr.json']);
      out(w, root, ['commit', '-q', '-m', 'pointer']);
      expectAccepted(w, () => w.push(root, 'user:root', ['HEAD:refs/heads/main']));
    });

    test('a merge that adds a non-pointer file itself is refused by blobs/pointers-only', () => {
      // An evil merge: the side branch is harmless, the merge's own tree adds weights.bin.
      const main = serverTip(w, 'refs/heads/main');
      const ptr = out(w, root, ['rev-parse', `${main}:model.ptr.json`]);
      const side = commit(w, root, tree(w, root, { 'model.ptr.json': ptr, 'notes.txt': blob(w, root, 'notes\n') }), [main], 'notes\n');
      const merge = commit(w, root, tree(w, root, { 'model.ptr.json': ptr, 'notes.txt': blob(w, root, 'notes\n'), 'weights.bin': blob(w, root, 'not a pointer\n') }), [main, side], 'merge\n');
      expectAttackRefused(w, push(w, root, 'user:root', [{ old: main, new: merge, ref: 'refs/heads/main' }], [merge, `^${main}`]), { code: 'POLICY_DENY', rule: 'blobs/pointers-only' });
    });

    test('a merge whose second parent is an old commit, adding a .so itself, is refused', () => {
      // Nothing new on the side (the active bundle's commit): only the merge is new, and only its own tree adds lib.so.
      const main = serverTip(w, 'refs/heads/main');
      const old = serverTip(w, 'refs/gatos/policies/active');
      const ptr = out(w, root, ['rev-parse', `${main}:model.ptr.json`]);
      const merge = commit(w, root, tree(w, root, { 'model.ptr.json': ptr, 'lib.so': blob(w, root, 'elf\n') }), [main, old], 'merge an old history\n');
      expectAttackRefused(w, push(w, root, 'user:root', [{ old: main, new: merge, ref: 'refs/heads/main' }], [merge, `^${main}`]), { code: 'POLICY_DENY', rule: 'blobs/pointers-only' });
    });

    test('a normal merge of pointer files is accepted', () => {
      const main = serverTip(w, 'refs/heads/main');
      const ptr = out(w, root, ['rev-parse', `${main}:model.ptr.json`]);
      const p2 = blob(w, root, '{"digest":"sha256:11","size":2}\n');
      const side = commit(w, root, tree(w, root, { 'model.ptr.json': ptr, 'data.ptr.json': p2 }), [main], 'data pointer\n');
      const other = commit(w, root, tree(w, root, { 'model.ptr.json': ptr, 'README.md': blob(w, root, 'readme\n') }), [main], 'readme\n');
      const merge = commit(w, root, tree(w, root, { 'model.ptr.json': ptr, 'data.ptr.json': p2, 'README.md': blob(w, root, 'readme\n') }), [other, side], 'merge\n');
      expectAccepted(w, push(w, root, 'user:root', [{ old: main, new: merge, ref: 'refs/heads/main' }], [merge, `^${main}`]));
    });

    test('a big blob that is only a ref tip is refused by size', () => {
      // No path: the old walk skipped it.
      const b = blob(w, root, randomBytes(MIB + 1));
      expectAttackRefused(w, push(w, root, 'user:root', [{ old: zero, new: b, ref: 'refs/heads/blob' }], [b]), SIZE);
    });

    test('a big blob only behind a tag at refs/tags/x is refused by size', () => {
      const b = blob(w, root, randomBytes(MIB + 1));
      const t = tag(w, root, b, 'blob', 'x');
      expectAttackRefused(w, push(w, root, 'user:root', [{ old: zero, new: t, ref: 'refs/tags/x' }], [t]), SIZE);
    });

    test('a tag at refs/tags/x pointing at a big blob is refused by type as well', () => {
      const b = blob(w, root, randomBytes(MIB + 3));
      const t = tag(w, root, b, 'blob', 'y');
      expectAttackRefused(w, push(w, root, 'user:root', [{ old: zero, new: t, ref: 'refs/tags/y' }], [t]), TYPE);
    });

    test('a commit with a 1.5 MB extra header on main is refused by size', () => {
      const main = serverTip(w, 'refs/heads/main');
      const t = out(w, root, ['rev-parse', `${main}^{tree}`]);
      const c = writeLiteral(w, root, 'commit', `tree ${t}\nparent ${main}\nauthor ${AUTHOR}\ncommitter ${AUTHOR}\nx-junk ${'j'.repeat(1500000)}\n\nlooks small\n`);
      const r = expectAttackRefused(w, push(w, root, 'user:root', [{ old: main, new: c, ref: 'refs/heads/main' }], [c, `^${main}`]), SIZE);
      expect(r.stderr).toContain(`commit ${c}`);
    });

    test('a tag with a 1.1 MB message is refused by size', () => {
      const main = serverTip(w, 'refs/heads/main');
      const t = tag(w, root, main, 'commit', 'release', `${'x'.repeat(MIB + 100000)}\n`);
      expectAttackRefused(w, push(w, root, 'user:root', [{ old: zero, new: t, ref: 'refs/heads/release/r1' }], [t]), SIZE);
    });

    test('a big blob in the second ref of a push is refused by size', () => {
      // The first ref is clean; the second carries the blob as its tip.
      const main = serverTip(w, 'refs/heads/main');
      const c = commit(w, root, out(w, root, ['rev-parse', `${main}^{tree}`]), [main], 'clean\n');
      const b = blob(w, root, randomBytes(MIB + 5));
      expectAttackRefused(w, push(w, root, 'user:root', [{ old: main, new: c, ref: 'refs/heads/main' }, { old: zero, new: b, ref: 'refs/heads/release/blob' }], [c, `^${main}`, b]), SIZE);
    });
  });
}
