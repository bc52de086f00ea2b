/**
 * Checkpoint bypasses (issue 10 classes 4, 5 and 9; issue 17 classes 1, 3
 * and 4): forged checkpoints pushed to a gate installed by ./install.sh,
 * made with the producer's own library changed where a forger would change
 * it (./checkpoint-forge.ts) or with git plumbing. The principle under test:
 * the gate enforces every rule the producer (src/checkpoint/make.ts)
 * applies, so for the same journal heads it accepts exactly one state.
 *
 * Each world publishes a bundle with two folds: `log`, an order-sensitive
 * EchoLua fold over the finance and ops journals, and `cfg`, a YAML fold
 * over config and settings. alice (holding journal:append and
 * state:checkpoint) writes everywhere; bob holds no grant, carol's expired.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GateWorld, REPO_ROOT, ulidAt, type Run } from '../helpers/gate-world';
import { expectAccepted, expectAttackRefused, serverConfig } from './harness';
import { forgeCheckpoint, type ForgeSpec } from './checkpoint-forge';

const LOG_LUA = `-- Order-sensitive: the log lists flags in the order they were folded.
inputs = { "refs/gatos/journal/finance/**", "refs/gatos/journal/ops/**" }
function init() return { log = "", n = 0 } end
function step(s, e)
  s.log = s.log .. e.payload.flag .. ";"
  s.n = s.n + 1
  return s
end
function emit(s) return { ["state/log.json"] = { log = s.log, n = s.n } } end
`;

const CFG_YAML = readFileSync(path.join(REPO_ROOT, 'templates/regulated/gatos/folds/flags.yaml'), 'utf8').replace(
  'inputs: ["refs/gatos/journal/**"]',
  'inputs: ["refs/gatos/journal/config/**", "refs/gatos/journal/settings/**"]',
);

const ALICE = 'user:alice';
const journal = (ns: string, who = 'alice'): string => `refs/gatos/journal/${ns}/user/${who}`;
const state = (ns: string): string => `refs/gatos/state/${ns}`;
const PROOF = { code: 'PROOF_INVALID', rule: 'gate/proof-of-fold' };

interface WorldSpec {
  readonly format: 'sha1' | 'sha256';
  readonly template: 'regulated' | 'minimal';
  readonly hooks?: 'update';
}

/** The world, its bundle with the two folds published by root, alice's client with journals in finance, ops and config. */
function setupWorld(spec: WorldSpec): { w: GateWorld; alice: string } {
  // An update-hook-only world is installed with both hooks for the bundle's publication (its quorum grant and the
  // policy refs are decided together by pre-receive: docs/governance.md), then pre-receive is removed.
  const w = new GateWorld({ format: spec.format, template: spec.template }).setup();
  const root = w.client('user:root');
  const ok = (r: Run, what: string): void => {
    if (r.status !== 0) throw new Error(`${what}: ${r.stdout}\n${r.stderr}`);
  };
  ok(w.gatos(root, ['policy', 'init', '--template', spec.template, '--force']), 'policy init');
  cpSync(path.join(w.admin, 'gatos/trust'), path.join(root, 'gatos/trust'), { recursive: true });
  rmSync(path.join(root, 'gatos/folds'), { recursive: true, force: true });
  writeFolds(root);
  ok(w.gatos(root, ['policy', 'publish', '--as', 'user:root']), 'policy publish');
  ok(w.push(root, 'user:root', ['refs/gatos/policies/*']), 'push bundle');
  if (spec.hooks === 'update') rmSync(path.join(w.gitDir, 'hooks', 'pre-receive'));
  const alice = w.client(ALICE);
  for (const ns of ['finance', 'ops', 'config']) w.addEvent(alice, ALICE, ns);
  ok(w.push(alice, ALICE, ['finance', 'ops', 'config'].map((ns) => journal(ns))), 'push journals');
  return { w, alice };
}

function writeFolds(dir: string): void {
  const folds = path.join(dir, 'gatos/folds');
  mkdirSync(folds, { recursive: true });
  writeFileSync(path.join(folds, 'log.lua'), LOG_LUA);
  writeFileSync(path.join(folds, 'cfg.yaml'), CFG_YAML);
}

/** The checkpoint attacks and legitimate variants of one world; `full` adds the variants that need every ref in one pre-receive decision. */
function checkpointSuite(spec: WorldSpec, full: boolean): void {
  describe(`checkpoint bypasses (${spec.format}, ${spec.template}${spec.hooks ? ', update hook only' : ''})`, () => {
    let w: GateWorld;
    let alice: string;
    const fetch = (): void => w.fetch(alice, ALICE);
    const forge = (s: Partial<ForgeSpec>): Promise<string> => forgeCheckpoint(w, alice, { ns: 'finance', fold: 'log', signer: ALICE, ...s });
    const push = (refs: readonly string[], who = ALICE, dir?: string) => () => w.push(dir ?? alice, who, refs);
    const honest = (ns: string, as = ALICE, extra: readonly string[] = []): Run => {
      const r = w.gatos(alice, ['fold', 'checkpoint', '--ns', ns, '--as', as, ...extra]);
      if (r.status !== 0) throw new Error(`fold checkpoint: ${r.stderr}`);
      return r;
    };
    const head = (ref: string): string => w.git(alice, ['rev-parse', ref]).stdout.trim();

    beforeAll(() => {
      ({ w, alice } = setupWorld(spec));
      // Legitimate: the first checkpoint of finance, folded from scratch.
      honest('finance');
      expectAccepted(w, push([state('finance')]));
    }, 120_000);

    // ---- Issue 10 class 4: unverified bytes riding on a verified commit.
    test('a 1.5 MB extra commit header on an otherwise honest checkpoint is refused', async () => {
      fetch();
      // The attacker smuggles 1.5 MB of bytes into a checkpoint whose proof and files are all correct.
      const forged = await forge({ headers: [`x-junk ${'a'.repeat(1_500_000)}`] });
      const r = expectAttackRefused(w, push([state('finance')]), PROOF);
      expect(r.stderr).toContain('commit object');
      // gatos fold verify agrees with the gate.
      const v = w.gatos(alice, ['fold', 'verify', forged]);
      expect(v.status).not.toBe(0);
      expect(v.stderr).toContain('commit object');
    });

    test('an empty folder at the root of a checkpoint tree is refused', async () => {
      fetch();
      // The attacker adds a tree entry that no file check sees: an empty folder.
      const forged = await forge({ emptyDirIn: '' });
      const r = expectAttackRefused(w, push([state('finance')]), PROOF);
      expect(r.stderr).toContain('an empty folder');
      expect(w.gatos(alice, ['fold', 'verify', forged]).status).not.toBe(0);
    });

    test('an empty folder inside state/ of a checkpoint tree is refused', async () => {
      fetch();
      // The same, deeper in the emitted state.
      await forge({ emptyDirIn: 'state' });
      expectAttackRefused(w, push([state('finance')]), PROOF);
    });

    if (full) {
      test('an encoding header on an honest checkpoint is refused', async () => {
        fetch();
        // A header git honours when showing the message (re-encoding it), never signed by the proof.
        await forge({ headers: ['encoding ISO-8859-1'] });
        expectAttackRefused(w, push([state('finance')]), PROOF);
      });

      test('a gpgsig header on an honest checkpoint is refused', async () => {
        fetch();
        // A made-up signature header that tools would display as a signed checkpoint.
        await forge({ headers: ['gpgsig -----BEGIN PGP SIGNATURE-----', ' ', ' iQEzBAABCAAdFiEE', ' -----END PGP SIGNATURE-----'] });
        expectAttackRefused(w, push([state('finance')]), PROOF);
      });

      test('an empty folder inside .gatos/ of a checkpoint tree is refused', async () => {
        fetch();
        // An empty folder beside the proof, in the reserved folder.
        await forge({ emptyDirIn: '.gatos' });
        expectAttackRefused(w, push([state('finance')]), PROOF);
      });
    }

    // ---- Issue 10 class 5: a checkpoint that forgets history.
    test('a scratch checkpoint over fewer journals than its parent folded is refused', async () => {
      fetch();
      // The attacker refolds from scratch without the ops journal: the state silently loses ops' events.
      await forge({ heads: (h) => (h.delete(journal('ops')), h) });
      const r = expectAttackRefused(w, push([state('finance')]), PROOF);
      expect(r.stderr).toContain(journal('ops'));
    });

    test('a resumed checkpoint that drops a journal its parent folded is refused', async () => {
      fetch();
      // The same on the resume path.
      await forge({ base: 'resume', heads: (h) => (h.delete(journal('ops')), h) });
      expectAttackRefused(w, push([state('finance')]), PROOF);
    });

    test('legitimate: a resumed checkpoint after more events is accepted', () => {
      fetch();
      w.addEvent(alice, ALICE, 'finance');
      w.addEvent(alice, ALICE, 'finance');
      expectAccepted(w, push([journal('finance')]));
      honest('finance');
      expectAccepted(w, push([state('finance')]));
    });

    if (full) {
      test('a scratch checkpoint that rewinds a journal its parent folded is refused', async () => {
        fetch();
        // The attacker folds finance only up to the commit before the one the parent folded.
        const older = head(`${journal('finance')}~1`);
        await forge({ heads: (h) => h.set(journal('finance'), older) });
        expectAttackRefused(w, push([state('finance')]), PROOF);
      });
    }

    test('a checkpoint pushed before the journal events it folds is PROOF_INVALID with a hint, not a gate error', () => {
      fetch();
      // Not an attack by intent, but the gate must answer cleanly: the window ends are not on the server.
      w.addEvent(alice, ALICE, 'finance');
      honest('finance');
      // The update hook alone names its own rule: it cannot see whether the same push brings the journal.
      const alone = spec.hooks === 'update';
      if (alone) {
        // Evaluate mode too: the checkpoint is unverified (its events are on no server ref), not a policy outcome.
        serverConfig(w, 'gatos.mode', 'evaluate');
        try {
          expectAttackRefused(w, push([state('finance')]), { code: 'PROOF_INVALID', rule: 'gate/update-hook-journal-first' });
        } finally {
          serverConfig(w, 'gatos.mode', 'enforce');
        }
      }
      const r = expectAttackRefused(w, push([state('finance')]), alone ? { code: 'PROOF_INVALID', rule: 'gate/update-hook-journal-first' } : PROOF);
      expect(r.stderr).not.toContain('bad object');
      expect(r.stderr).toContain(alone ? 'push the journal first' : 'push the journals first');
      // Legitimate: once the journal lands, the same checkpoint is accepted.
      expectAccepted(w, push([journal('finance')]));
      expectAccepted(w, push([state('finance')]));
    });

    if (full) {
      test('a first checkpoint that leaves out a journal the same push brings is refused; the honest one with it is accepted', async () => {
        fetch();
        w.addEvent(alice, ALICE, 'settings');
        // The attacker's first config checkpoint folds config but not the settings journal pushed alongside it.
        await forge({ ns: 'config', fold: 'cfg', heads: (h) => (h.delete(journal('settings')), h) });
        expectAttackRefused(w, push([journal('settings'), state('config')]), PROOF);
        // Legitimate: a checkpoint pushed with its journal in the same push.
        w.git(alice, ['update-ref', '-d', state('config')]);
        honest('config');
        expectAccepted(w, push([journal('settings'), state('config')]));
      });
    } else {
      test('a first checkpoint that leaves out a journal on the server is refused', async () => {
        fetch();
        w.addEvent(alice, ALICE, 'settings');
        expectAccepted(w, push([journal('settings')]));
        // The attacker's first config checkpoint folds config but not the settings journal already on the server.
        await forge({ ns: 'config', fold: 'cfg', heads: (h) => (h.delete(journal('settings')), h) });
        expectAttackRefused(w, push([state('config')]), PROOF);
      });
    }

    // ---- Issue 17 class 1: a resumed checkpoint replaying an event out of order.
    test('a resumed checkpoint that folds a late event after the watermark is refused; the honest scratch one is accepted', async () => {
      fetch();
      // An ops event written (in another clone) before a finance event, pushed only after the finance event was checkpointed.
      const other = w.client(ALICE, `alice-late-${spec.format}`);
      // ULIDs carry whole seconds here: the ops event's is pinned a second back with the lowest tail, so it sorts first.
      w.addEvent(other, ALICE, 'ops', ['--ulid', `${ulidAt(Math.floor(Date.now() / 1000) - 1).slice(0, 10)}${'0'.repeat(16)}`]);
      w.addEvent(alice, ALICE, 'finance');
      expectAccepted(w, push([journal('finance')]));
      honest('finance');
      expectAccepted(w, push([state('finance')]));
      expectAccepted(w, push([journal('ops')], ALICE, other));
      fetch();
      // The forger resumes anyway, folding the ops event last: another log for the same heads.
      const forged = await forge({ base: 'resume' });
      const r = expectAttackRefused(w, push([state('finance')]), PROOF);
      expect(r.stderr).toContain('watermark');
      // gatos fold verify agrees with the gate.
      const v = w.gatos(alice, ['fold', 'verify', forged]);
      expect(v.status).not.toBe(0);
      expect(`${v.stdout}${v.stderr}`).toContain('watermark');
      // Legitimate: the honest producer refolds from scratch, and that state lands.
      fetch();
      honest('finance');
      expectAccepted(w, push([state('finance')]));
    });

    // ---- Issue 17 class 3: a checkpoint's fold bound to the namespace it is written to.
    test('a finance checkpoint made with a fold that reads only config journals is refused', async () => {
      fetch();
      // `gatos fold checkpoint --ns finance --fold cfg`, by a producer that skips the namespace check.
      await forge({ fold: 'cfg' });
      const r = expectAttackRefused(w, push([state('finance')]), PROOF);
      expect(r.stderr).toContain('does not read');
    });

    if (full) {
      test('the honest producer refuses --fold with a fold that does not read the namespace', () => {
        fetch();
        const r = w.gatos(alice, ['fold', 'checkpoint', '--ns', 'finance', '--fold', 'cfg', '--as', ALICE]);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain('does not read');
      });

      test('a checkpoint of a namespace no fold reads is refused', async () => {
        fetch();
        // The attacker writes the log fold's state to refs/gatos/state/payroll, a namespace it does not read.
        await forge({ ns: 'payroll' });
        expectAttackRefused(w, push([state('payroll')]), PROOF);
      });
    }

    // ---- Issue 17 class 4: a window naming journals outside the fold's inputs.
    test('a window that names a journal the fold does not read is refused', async () => {
      fetch();
      // The config journal rides in the finance window: the proof names a foreign journal.
      const cfg = head(journal('config'));
      await forge({ heads: (h) => h.set(journal('config'), cfg) });
      const r = expectAttackRefused(w, push([state('finance')]), PROOF);
      expect(r.stderr).toContain(journal('config'));
    });

    if (full) {
      test('a resumed window that adds a journal the fold does not read is refused', async () => {
        fetch();
        const cfg = head(journal('config'));
        // The same on the resume path.
        await forge({ base: 'resume', heads: (h) => h.set(journal('config'), cfg) });
        expectAttackRefused(w, push([state('finance')]), PROOF);
      });
    }

    // ---- Issue 10 class 9: the signer of a checkpoint must hold state:checkpoint.
    if (spec.template === 'regulated' && !spec.hooks) {
      test('a checkpoint signed by bob (no state:checkpoint grant) and pushed by alice is refused', () => {
        fetch();
        // alice holds the grant and pushes; the proof's actor bob holds none.
        honest('finance', 'user:bob', ['--scratch']);
        const r = expectAttackRefused(w, push([state('finance')]), { code: 'POLICY_DENY', rule: 'gate/proof-of-fold' });
        expect(r.stderr).toContain('state:checkpoint');
      });

      test('a checkpoint signed by carol (expired state:checkpoint grant) and pushed by alice is CAP_EXPIRED', () => {
        fetch();
        honest('finance', 'user:carol', ['--scratch']);
        expectAttackRefused(w, push([state('finance')]), { code: 'CAP_EXPIRED', rule: 'gate/proof-of-fold' });
      });
    }
    if (spec.template === 'minimal') {
      test('minimal: a checkpoint signed and pushed by bob, who holds no state:checkpoint grant, is refused', () => {
        const bob = w.client('user:bob');
        // minimal lets anyone push a checkpoint; the signer must still hold the capability.
        const r0 = w.gatos(bob, ['fold', 'checkpoint', '--ns', 'finance', '--as', 'user:bob', '--scratch']);
        expect(r0.status).toBe(0);
        const r = expectAttackRefused(w, push([state('finance')], 'user:bob', bob), { code: 'POLICY_DENY', rule: 'gate/proof-of-fold' });
        expect(r.stderr).toContain('state:checkpoint');
      });
    }
  });
}

checkpointSuite({ format: 'sha1', template: 'regulated' }, true);
checkpointSuite({ format: 'sha256', template: 'minimal' }, false);
checkpointSuite({ format: 'sha1', template: 'regulated', hooks: 'update' }, false);
