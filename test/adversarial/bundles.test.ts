/**
 * Issue 10 class 4 (bundles) and issue 17 class 6: a pushed policy bundle is
 * accepted only as the exact objects `gatos policy publish` writes for the
 * sources it carries. Bytes riding on a verified commit (extra headers, an
 * empty folder, an extra file, another message) and compiled files that are
 * not the compilation of the bundle's sources (a swapped .rgc, a fold whose
 * source says something else) are refused; honest publishes land.
 */
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { POLICY_FILE, foldFile } from '../../src/bundle';
import { sha256Text } from '../../src/canon/digest';
import { GateWorld } from '../helpers/gate-world';
import { built, consistent, entry, literalTree, rawEntries, revParse, writeBundle, workspaceOf, type BundleCommitOptions } from './forge-objects';
import { expectAccepted, expectAttackRefused } from './harness';
import type { Bundle } from '../../src/bundle';

jest.setTimeout(300_000);

const REFUSED = { code: 'PROOF_INVALID', rule: 'gate/bundle' } as const;
const EXTRA_RULE = 'rules:\n  - id: zz/allow-everything\n    when: { intent: write }\n    allow_if: true\n';

interface Attack {
  readonly name: string;
  /** The bundle as the attacker writes it, and how its commit departs from publish's. */
  forge(w: GateWorld, dir: string, template: string): { bundle: Bundle; commit?: BundleCommitOptions };
  /** Text the refusal must name. */
  readonly says: string;
}

const honest = (w: GateWorld, template: string, extra: Record<string, string> = {}) => built(workspaceOf(w, template, extra));

/** The attacks, each with a one-line statement of what the attacker tries. */
const ATTACKS: readonly Attack[] = [
  {
    // An extra commit header riding on an otherwise honest bundle commit.
    name: 'an extra commit header',
    forge: (w, _d, t) => ({ bundle: honest(w, t), commit: { extraHeaders: 'x-evil hello' } }),
    says: 'headers publish never writes: x-evil',
  },
  {
    // 1.5 MB of unverified bytes in one continued header.
    name: 'an extra commit header of 1.5 MB',
    forge: (w, _d, t) => ({ bundle: honest(w, t), commit: { extraHeaders: `x-payload ${'A'.repeat(1_500_000)}` } }),
    says: 'headers publish never writes: x-payload',
  },
  {
    // A signature header publish never writes (who signs is not part of a bundle).
    name: 'a gpgsig header',
    forge: (w, _d, t) => ({ bundle: honest(w, t), commit: { extraHeaders: 'gpgsig -----BEGIN PGP SIGNATURE-----\n AAAA\n -----END PGP SIGNATURE-----' } }),
    says: 'headers publish never writes: gpgsig',
  },
  {
    // An empty folder in the bundle tree: no file, so the bundle-id and every file check stay the same.
    name: 'an empty folder in the tree',
    forge: (w, dir, t) => {
      const bundle = honest(w, t);
      const honestTree = treeOf(w, dir, bundle);
      const empty = literalTree(w, dir, []);
      return { bundle, commit: { tree: literalTree(w, dir, sortedGit([...rawEntries(w, dir, honestTree), entry('40000', 'zz-empty', empty)])) } };
    },
    says: 'is not the one publish writes for its files',
  },
  {
    // An extra file outside the workspace folders, with manifest, bundle-id and trailers recomputed to agree.
    name: 'an extra file at the top',
    forge: (w, _d, t) => {
      const files = new Map(honest(w, t).files);
      files.set('notes.txt', new Uint8Array(Buffer.from('unverified\n')));
      return { bundle: consistent(files, honest(w, t).manifest) };
    },
    says: 'notes.txt is not a file gatos policy publish writes',
  },
  {
    // An extra compiled file nothing compiles to.
    name: 'an extra file under compiled/',
    forge: (w, _d, t) => {
      const b = honest(w, t);
      const files = new Map(b.files);
      files.set('compiled/folds/zz.rgf', b.files.get(POLICY_FILE) as Uint8Array);
      return { bundle: consistent(files, b.manifest) };
    },
    says: 'compiled/folds/zz.rgf is not a file gatos policy publish writes',
  },
  {
    // The .rgc of an allow-everything policy behind the template's .rgs sources: explain says one thing, the gate enforces another.
    name: 'a compiled policy that is not the compilation of its sources',
    forge: (w, _d, t) => {
      const b = honest(w, t);
      const swapped = honest(w, t, { 'gatos/policies/zz.rgs': EXTRA_RULE }).files.get(POLICY_FILE) as Uint8Array;
      const files = new Map(b.files);
      files.set(POLICY_FILE, swapped);
      return { bundle: consistent(files, { ...b.manifest, policyCodeRoot: sha256Text(swapped) }) };
    },
    says: `${POLICY_FILE} is not the compilation of the bundle's gatos/policies/*.rgs sources`,
  },
  {
    // An extra .rgs source the compiled policy leaves out: a rule people read and the gate never runs.
    name: 'a policy source left out of the compiled policy',
    forge: (w, _d, t) => {
      const b = honest(w, t);
      const files = new Map(b.files);
      files.set('gatos/policies/zz.rgs', new Uint8Array(Buffer.from(EXTRA_RULE.replace('allow_if: true', 'deny_if: true'))));
      return { bundle: consistent(files, b.manifest) };
    },
    says: `${POLICY_FILE} is not the compilation`,
  },
  {
    // A fold source that says it reads one namespace, compiled from a source that reads every journal.
    name: 'a fold source that does not compile to its compiled fold',
    forge: (w, _d, t) => {
      const b = honest(w, t);
      const [src, bytes] = [...b.files].find(([p]) => p.startsWith('gatos/folds/')) ?? [];
      if (!src || !bytes) throw new Error('no fold source');
      const files = new Map(b.files);
      files.set(src, new Uint8Array(Buffer.from(Buffer.from(bytes).toString('utf8').replace('inputs: ["refs/gatos/journal/**"]', 'inputs: ["refs/gatos/journal/finance/**"]'))));
      if (Buffer.from(files.get(src) as Uint8Array).equals(Buffer.from(bytes))) throw new Error('the fold source did not change');
      return { bundle: consistent(files, b.manifest) };
    },
    says: 'is not the compilation of its fold source',
  },
  {
    // A compiled fold from another source behind the template's fold source, manifest and roots recomputed.
    name: 'a compiled fold swapped for another',
    forge: (w, _d, t) => {
      const b = honest(w, t);
      const fold = b.manifest.folds[0];
      if (!fold) throw new Error('no fold');
      const srcText = Buffer.from(b.files.get(fold.source) as Uint8Array).toString('utf8').replace('inputs: ["refs/gatos/journal/**"]', 'inputs: ["refs/gatos/journal/finance/**"]');
      const other = honest(w, t, { [fold.source]: srcText });
      const compiled = other.files.get(foldFile(fold.id)) as Uint8Array;
      const files = new Map(b.files);
      files.set(foldFile(fold.id), compiled);
      return { bundle: consistent(files, other.manifest) };
    },
    says: 'is not the compilation of its fold source',
  },
  {
    // The publish message with a line of the attacker's added before the trailers.
    name: 'a message with an added line',
    forge: (w, _d, t) => ({ bundle: honest(w, t), commit: { message: (m) => m.replace('\n\n', '\n\nApproved by the board.\n\n') } }),
    says: 'its message is not the one publish writes',
  },
  {
    // Another subject line.
    name: 'another subject',
    forge: (w, _d, t) => ({ bundle: honest(w, t), commit: { message: (m) => m.replace(/^policy bundle /, 'hotfix: policy bundle ') } }),
    says: 'its message is not the one publish writes',
  },
];

/** The honest tree of `b` (as publish writes it), written in `dir`. */
function treeOf(w: GateWorld, dir: string, b: Bundle): string {
  writeBundle(w, dir, b);
  const t = revParse(w, dir, 'refs/gatos/policies/active^{tree}');
  w.fetch(dir, 'user:root');
  return t;
}

/** git's order: names as bytes, a tree compared as name + '/'. */
function sortedGit<T extends { mode: string; name: Buffer }>(entries: T[]): T[] {
  const key = (e: T) => Buffer.concat([e.name, Buffer.from(e.mode === '40000' ? '/' : '')]);
  return [...entries].sort((a, b) => Buffer.compare(key(a), key(b)));
}

interface WorldCase {
  readonly format: 'sha1' | 'sha256';
  readonly template: string;
  readonly hooks?: string;
  /** Which attacks this world runs (all when absent). */
  readonly only?: readonly string[];
}

const WORLDS: readonly WorldCase[] = [
  { format: 'sha1', template: 'regulated' },
  { format: 'sha256', template: 'regulated' },
  { format: 'sha1', template: 'minimal', only: ['an extra commit header', 'an empty folder in the tree', 'a compiled policy that is not the compilation of its sources', 'a fold source that does not compile to its compiled fold'] },
  { format: 'sha256', template: 'airgapped', hooks: 'update', only: ['an extra commit header of 1.5 MB', 'an extra file at the top', 'a compiled fold swapped for another', 'a message with an added line'] },
];

for (const wc of WORLDS) {
  describe(`policy bundles are publish's exact objects (${wc.format}, ${wc.template}${wc.hooks ? `, hooks: ${wc.hooks}` : ''})`, () => {
    let w: GateWorld;
    let root: string;
    let n = 0;
    /**
     * The update hook alone decides each ref by itself (one audit entry per
     * refused ref): there the attacker moves refs/gatos/policies/active only,
     * the ref that makes a bundle govern.
     */
    const pushed = (refs: string[]) => (wc.hooks === 'update' ? refs.slice(1) : refs);

    beforeAll(() => {
      w = new GateWorld({ format: wc.format, template: wc.template, ...(wc.hooks ? { hooks: wc.hooks } : {}) }).setup();
      root = w.client('user:root');
    });

    for (const a of ATTACKS.filter((x) => !wc.only || wc.only.includes(x.name))) {
      test(`refuses ${a.name}`, () => {
        w.fetch(root, 'user:root');
        const { bundle, commit } = a.forge(w, root, wc.template);
        const { refs } = writeBundle(w, root, bundle, commit);
        const r = expectAttackRefused(w, () => w.push(root, 'user:root', pushed(refs)), REFUSED);
        expect(r.stderr).toContain(a.says);
      });
    }

    // Legitimate: an honest `gatos policy publish` of changed sources, pushed with the stock client, lands and is enforced.
    test('accepts an honest publish of changed sources, and enforces it', () => {
      const dir = w.client('user:root', `root-publish-${++n}`);
      expect(w.gatos(dir, ['policy', 'init', '--template', wc.template, '--force']).status).toBe(0);
      cpSync(path.join(w.admin, 'gatos/trust'), path.join(dir, 'gatos/trust'), { recursive: true });
      writeFileSync(path.join(dir, 'gatos/policies/zz-tags.rgs'), `rules:\n  - id: zz/no-tag-${wc.format}\n    when: { ref: "refs/tags/blocked" }\n    deny_if: true\n`);
      const pub = w.gatos(dir, ['policy', 'publish', '--as', 'user:root']);
      expect(pub.status).toBe(0);
      expectAccepted(w, () => w.push(dir, 'user:root', ['refs/gatos/policies/*']));
      expect(w.serverRefs()).toContain(`${revParse(w, dir, 'refs/gatos/policies/active')} refs/gatos/policies/active`);
      if (wc.template !== 'airgapped') {
        // Its new rule is enforced (airgapped refuses every tag already, by another rule).
        w.git(dir, ['commit', '--allow-empty', '-q', '-m', 'tagged']);
        w.git(dir, ['tag', 'blocked']);
        expectAttackRefused(w, () => w.push(dir, 'user:root', ['refs/tags/blocked']), { code: 'POLICY_DENY', rule: `zz/no-tag-${wc.format}` });
      }
    });

    // Legitimate: the forger's own tool path, used honestly (the library's publish objects), lands too.
    test('accepts the exact objects publish writes, written by hand', () => {
      w.fetch(root, 'user:root');
      const { refs } = writeBundle(w, root, honest(w, wc.template, { 'gatos/policies/zz-by-hand.rgs': `rules:\n  - id: zz/by-hand\n    when: { ref: "refs/tags/by-hand" }\n    deny_if: true\n` }));
      expectAccepted(w, () => w.push(root, 'user:root', pushed(refs)));
    });
  });
}
