/**
 * End-to-end pushes for every template over a transport, with what each
 * template is meant to decide: the same world as the gate's scenarios
 * (gate-world.ts: install.sh, a trust graph, clients writing events with the
 * real CLI), with trust levels chosen so each template's own thresholds are
 * met by its writers and missed by its outsider. Checkpoints too: a valid
 * one is accepted, one with a forged State-Root trailer is refused.
 */
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectRefused } from '../helpers/gate-scenarios';
import { GateWorld, LEADS, type GateTransport, type Run } from '../helpers/gate-world';
import { formatTime } from '../../src/trust';
import type { TemplateName } from '../templates/template-files';

/** Per template: the writers' trust level, the outsider's, and what a grant-less or expired writer gets. */
interface TemplateFacts {
  readonly writerLevel: number;
  readonly outsiderLevel: number;
  /** Whether events need a journal:append grant (minimal: no). */
  readonly grantsRequired: boolean;
  readonly policyRule: string;
  readonly ownRefRule: string;
}

export const FACTS: Record<TemplateName, TemplateFacts> = {
  minimal: { writerLevel: 1, outsiderLevel: 0, grantsRequired: false, policyRule: 'policy/vouched-actors', ownRefRule: 'journal/own-ref' },
  regulated: { writerLevel: 1, outsiderLevel: 2, grantsRequired: true, policyRule: 'policy/trusted-publishers', ownRefRule: 'journal/append' },
  airgapped: { writerLevel: 2, outsiderLevel: 3, grantsRequired: true, policyRule: 'policy/trusted-publishers', ownRefRule: 'journal/append' },
};

const NS = 'finance';
const journal = (name: string) => `refs/gatos/journal/${NS}/user/${name}`;

function must(r: Run, what: string): Run {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The gate world with the template's trust levels, and `user:dave` as the outsider who tries to change the policy. */
class TemplateWorld extends GateWorld {
  constructor(
    readonly template: TemplateName,
    transport: GateTransport,
  ) {
    super({ format: 'sha1', template, transport });
  }

  override setup(): this {
    const f = FACTS[this.template];
    must(this.git(this.root, ['init', '-q', '--bare', this.gitDir]), 'git init --bare');
    must(this.git(this.root, ['init', '-q', '-b', 'main', this.admin]), 'git init admin');
    must(this.gatos(this.admin, ['init']), 'gatos init');
    const at = { GATOS_NOW: formatTime(this.adminNow) };
    for (const a of ['user:root', 'user:alice', 'user:bob', 'user:carol', 'user:dave']) must(this.gatos(this.admin, ['key', 'new', '--actor', a]), `key new ${a}`);
    // root, alice and bob are the @leads whose quorum the regulated template wants (GateWorld.quorum).
    must(this.gatos(this.admin, ['trust', 'add', 'user:root', this.publicKey('user:root'), '--level', '9', '--group', 'leads', '--as', 'user:root'], at), 'trust root');
    for (const a of ['user:alice', 'user:bob', 'user:carol']) must(this.gatos(this.admin, ['trust', 'add', a, this.publicKey(a), '--level', String(f.writerLevel), ...(LEADS.includes(a) ? ['--group', 'leads'] : []), '--as', 'user:root'], at), `trust ${a}`);
    must(this.gatos(this.admin, ['trust', 'add', 'user:dave', this.publicKey('user:dave'), '--level', String(f.outsiderLevel), '--as', 'user:root'], at), 'trust dave');
    const caps = 'journal:append,state:checkpoint';
    must(this.gatos(this.admin, ['trust', 'grant', '--to', 'user:alice', '--caps', caps, '--exp', formatTime(this.now + 365 * 86400), '--as', 'user:root'], at), 'grant alice');
    must(this.gatos(this.admin, ['trust', 'grant', '--to', 'user:carol', '--caps', caps, '--exp', formatTime(this.now - 86400), '--as', 'user:root'], at), 'grant carol (expired)');
    must(this.gatos(this.root, ['install', this.gitDir, '--template', this.template, '--trust', path.join(this.admin, 'gatos/trust')]), 'install');
    return this;
  }
}

export function templateScenarios(transport: GateTransport, template: TemplateName): void {
  const f = FACTS[template];
  describe(`template ${template} over ${transport.name}`, () => {
    let w: TemplateWorld;
    let alice: string;
    beforeAll(() => {
      w = new TemplateWorld(template, transport).setup();
      alice = w.client('user:alice');
    });

    it('accepts signed events from a writer with a grant, and audits nothing', () => {
      w.addEvent(alice, 'user:alice', NS);
      const r = w.push(alice, 'user:alice', [journal('alice')]);
      expect(r.stderr).not.toContain('DENIED');
      expect(r.status).toBe(0);
      expect(w.auditEntries()).toHaveLength(0);
    });

    it('accepts a valid checkpoint and refuses one with a forged State-Root (PROOF_INVALID), repository unchanged', () => {
      w.addEvent(alice, 'user:alice', NS);
      expect(w.push(alice, 'user:alice', [journal('alice')]).status).toBe(0);
      must(w.gatos(alice, ['fold', 'checkpoint', '--ns', NS, '--as', 'user:alice']), 'fold checkpoint');
      const ok = w.push(alice, 'user:alice', [`refs/gatos/state/${NS}`]);
      expect(ok.stderr).not.toContain('DENIED');
      expect(ok.status).toBe(0);
      w.addEvent(alice, 'user:alice', NS);
      expect(w.push(alice, 'user:alice', [journal('alice')]).status).toBe(0);
      must(w.gatos(alice, ['fold', 'checkpoint', '--ns', NS, '--as', 'user:alice']), 'fold checkpoint');
      // The forger keeps tree and proof but claims another state: only the State-Root trailer changes.
      const stateRef = `refs/gatos/state/${NS}`;
      const message = must(w.git(alice, ['log', '-1', '--format=%B', stateRef]), 'log').stdout;
      const forged = message.replace(/^State-Root: blake3:[0-9a-f]{64}$/m, `State-Root: blake3:${'0'.repeat(64)}`);
      expect(forged).not.toBe(message);
      const tree = must(w.git(alice, ['rev-parse', `${stateRef}^{tree}`]), 'tree').stdout.trim();
      const parent = must(w.git(alice, ['rev-parse', `${stateRef}~1`]), 'parent').stdout.trim();
      const commit = must(w.git(alice, ['commit-tree', tree, '-p', parent], {}, forged), 'commit-tree').stdout.trim();
      must(w.git(alice, ['update-ref', stateRef, commit]), 'update-ref');
      expectRefused(w, () => w.push(alice, 'user:alice', [stateRef]), 'PROOF_INVALID', 'gate/proof-of-fold');
      w.fetch(alice, 'user:alice');
    });

    it('refuses a force push on a journal (FF_VIOLATION)', () => {
      w.git(alice, ['update-ref', journal('alice'), `${journal('alice')}~1`]);
      w.addEvent(alice, 'user:alice', NS);
      expectRefused(w, () => w.push(alice, 'user:alice', [journal('alice')], { force: true }), 'FF_VIOLATION', 'gate/fast-forward-only');
      w.fetch(alice, 'user:alice');
    });

    it('refuses an unsigned event and a badly signed one', async () => {
      await w.forgeEvent(alice, 'user:alice', NS, { kind: 'unsigned' });
      expectRefused(w, () => w.push(alice, 'user:alice', [journal('alice')]), 'TRAILER_INVALID', 'gate/event');
      w.fetch(alice, 'user:alice');
      await w.forgeEvent(alice, 'user:alice', NS, { kind: 'bad-signature' });
      expectRefused(w, () => w.push(alice, 'user:alice', [journal('alice')]), 'SIG_INVALID', 'gate/event');
      w.fetch(alice, 'user:alice');
    });

    it('refuses a replayed ULID (DUP_COMMIT) and a wrong Fold-Root (PROOF_INVALID)', async () => {
      const tipUlid = must(w.git(alice, ['log', '-1', '--format=%s', journal('alice')]), 'log').stdout.trim().split(' ')[1] as string;
      await w.forgeEvent(alice, 'user:alice', NS, { kind: 'replayed-ulid', ulid: tipUlid });
      expectRefused(w, () => w.push(alice, 'user:alice', [journal('alice')]), 'DUP_COMMIT', 'gate/event');
      w.fetch(alice, 'user:alice');
      await w.forgeEvent(alice, 'user:alice', NS, { kind: 'wrong-fold-root', foldRoot: `sha256:${'ab'.repeat(32)}` });
      expectRefused(w, () => w.push(alice, 'user:alice', [journal('alice')]), 'PROOF_INVALID', 'gate/event');
      w.fetch(alice, 'user:alice');
    });

    it(f.grantsRequired ? 'refuses a writer without a grant (POLICY_DENY) and one whose grant expired (CAP_EXPIRED)' : 'needs no grant: events claiming no capability are accepted from writers without one', () => {
      const bob = w.client('user:bob');
      const carol = w.client('user:carol');
      if (!f.grantsRequired) {
        // The gate still refuses a claimed capability nobody granted; claiming none is what minimal allows.
        for (const [dir, actor] of [[bob, 'user:bob'], [carol, 'user:carol']] as const) {
          must(w.gatos(dir, ['event', 'add', '--ns', NS, '--type', 'note.added', '--payload', '{"text":"hello"}', '--as', actor]), 'event add');
          const r = w.push(dir, actor, [journal(actor.slice(5))]);
          expect(r.stderr).not.toContain('DENIED');
          expect(r.status).toBe(0);
        }
        return;
      }
      w.addEvent(bob, 'user:bob', NS, [], {});
      w.addEvent(carol, 'user:carol', NS, [], { GATOS_NOW: formatTime(w.now - 2 * 86400) });
      expectRefused(w, () => w.push(bob, 'user:bob', [journal('bob')]), 'POLICY_DENY');
      expectRefused(w, () => w.push(carol, 'user:carol', [journal('carol')]), 'CAP_EXPIRED');
    });

    it("refuses a push to another actor's journal (POLICY_DENY)", () => {
      const bob = w.client('user:bob', 'bob-as-alice');
      w.addEvent(bob, 'user:bob', NS);
      expectRefused(w, () => w.push(bob, 'user:alice', [`${journal('bob')}:${journal('bob')}`], { force: true }), 'POLICY_DENY', f.ownRefRule);
    });

    it('refuses any client write to the audit ref', () => {
      expectRefused(w, () => w.push(alice, 'user:alice', [`${journal('alice')}:refs/gatos/audit/policy`], { force: true }), 'POLICY_DENY', 'gate/audit-readonly');
    });

    it('refuses a policy change by an actor below the trust level, accepts it from a trusted one', () => {
      const dave = w.client('user:dave', 'dave-policy');
      w.gatos(dave, ['policy', 'init', '--template', template, '--force']);
      writeFileSync(path.join(dave, 'gatos/policies/extra.rgs'), 'rules:\n  - id: extra/allow-all\n    when: { intent: write }\n    allow_if: true\n');
      must(w.gatos(dave, ['policy', 'publish', '--as', 'user:dave']), 'publish (dave)');
      expectRefused(w, () => w.push(dave, 'user:dave', ['refs/gatos/policies/*']), 'POLICY_DENY', f.policyRule);

      const root = w.client('user:root', 'root-policy');
      w.gatos(root, ['policy', 'init', '--template', template, '--force']);
      cpSync(path.join(w.admin, 'gatos/trust'), path.join(root, 'gatos/trust'), { recursive: true });
      writeFileSync(path.join(root, 'gatos/policies/extra.rgs'), 'rules:\n  - id: extra/no-bus\n    when: { ref: "refs/gatos/mbus/**" }\n    deny_if: true\n');
      must(w.gatos(root, ['policy', 'publish', '--as', 'user:root']), 'publish (root)');
      const r = w.push(root, 'user:root', ['refs/gatos/policies/*']);
      expect(r.stderr).not.toContain('DENIED');
      expect(r.status).toBe(0);
    });
  });
}
