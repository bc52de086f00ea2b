/**
 * The push-gate's end-to-end scenarios, parameterised by transport so the
 * same accepted and refused pushes run over file://, ssh:// and http://.
 * Every refusal is checked for its code and rule on the client's `remote:`
 * lines, for an audit entry naming them, and for a server whose refs did
 * not move. Call gateScenarios(transport) inside a test file.
 */
import path from 'node:path';
import { cpSync, writeFileSync } from 'node:fs';
import { GateWorld, fileTransport, type GateTransport } from './gate-world';
import type { ObjectFormat } from './git';

/** A policy that lets a branch push through only with a verified push certificate of the pusher (the signed-push suites). */
export const SIGNED_ONLY = `rules:
  - id: signed/branches
    description: branch pushes carry a verified push certificate of the pusher
    when: { ref: "refs/heads/**" }
    deny_if: "not (push_cert.verified and push_cert.actor == actor.id)"
    reason: "pushes to branches must be signed (git push --signed) with the pusher's own key"
`;

export interface ScenarioOptions {
  readonly formats?: readonly ObjectFormat[];
  readonly template?: string;
}

const JOURNAL = 'refs/gatos/journal/finance/user/alice';

/** Pushes that must be refused: refs unchanged, one new audit entry with the code and rule. */
export function expectRefused(world: GateWorld, push: () => { status: number | null; stderr: string }, code: string, rule?: string): void {
  const before = world.serverRefs();
  const entries = world.auditEntries().length;
  const r = push();
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain(`code:   ${code}`);
  if (rule) expect(r.stderr).toContain(`rule:   ${rule}`);
  expect(r.stderr).toMatch(/remote: .*DENIED refs\//);
  expect(world.serverRefs()).toBe(before);
  const after = world.auditEntries();
  expect(after.length).toBe(entries + 1);
  const last = after[after.length - 1];
  expect(last?.outcome).toBe('refused');
  expect(last?.denials.some((d) => d.code === code && (rule === undefined || d.rule === rule) && d.enforced)).toBe(true);
}

export function gateScenarios(transport: GateTransport = fileTransport, opts: ScenarioOptions = {}): void {
  for (const format of opts.formats ?? (['sha1', 'sha256'] as const)) {
    describe(`push-gate over ${transport.name}, ${format}, template ${opts.template ?? 'regulated'}`, () => {
      let w: GateWorld;
      let alice: string;

      beforeAll(() => {
        w = new GateWorld({ format, transport, ...(opts.template ? { template: opts.template } : {}) }).setup();
        alice = w.client('user:alice');
      });

      it('accepts signed events from an actor with a grant, and records nothing', () => {
        w.addEvent(alice, 'user:alice', 'finance');
        w.addEvent(alice, 'user:alice', 'finance');
        const r = w.push(alice, 'user:alice', [JOURNAL]);
        expect(r.stderr).not.toContain('DENIED');
        expect(r.status).toBe(0);
        expect(w.serverRefs()).toContain(` ${JOURNAL}`);
        expect(w.auditEntries()).toHaveLength(0);
        w.addEvent(alice, 'user:alice', 'finance');
        expect(w.push(alice, 'user:alice', [JOURNAL]).status).toBe(0);
      });

      it('accepts a checkpoint that refolds identically, refuses a forged State-Root (PROOF_INVALID)', () => {
        const state = 'refs/gatos/state/finance';
        const cp = w.gatos(alice, ['fold', 'checkpoint', '--ns', 'finance', '--as', 'user:alice']);
        expect(cp.stderr).toBe('');
        expect(cp.status).toBe(0);
        const ok = w.push(alice, 'user:alice', [state]);
        expect(ok.stderr).not.toContain('DENIED');
        expect(ok.status).toBe(0);
        w.addEvent(alice, 'user:alice', 'finance');
        expect(w.push(alice, 'user:alice', [JOURNAL]).status).toBe(0);
        expect(w.gatos(alice, ['fold', 'checkpoint', '--ns', 'finance', '--as', 'user:alice']).status).toBe(0);
        // The forger keeps tree, parent and signature and claims another state root.
        const honest = w.git(alice, ['rev-parse', state]).stdout.trim();
        const message = w.git(alice, ['log', '-1', '--format=%B', honest]).stdout;
        const forgedMessage = message.replace(/^State-Root: blake3:[0-9a-f]{64}$/m, `State-Root: blake3:${'0'.repeat(64)}`);
        expect(forgedMessage).not.toBe(message);
        const tree = w.git(alice, ['rev-parse', `${honest}^{tree}`]).stdout.trim();
        const parent = w.git(alice, ['rev-parse', `${honest}^`]).stdout.trim();
        const forged = w.git(alice, ['commit-tree', tree, '-p', parent], {}, forgedMessage).stdout.trim();
        w.git(alice, ['update-ref', state, forged]);
        expectRefused(w, () => w.push(alice, 'user:alice', [state]), 'PROOF_INVALID', 'gate/proof-of-fold');
        w.git(alice, ['update-ref', state, honest]);
        const again = w.push(alice, 'user:alice', [state]);
        expect(again.stderr).not.toContain('DENIED');
        expect(again.status).toBe(0);
      });

      it('refuses a force push on a journal (FF_VIOLATION)', () => {
        w.git(alice, ['update-ref', JOURNAL, `${JOURNAL}~1`]);
        w.addEvent(alice, 'user:alice', 'finance');
        expectRefused(w, () => w.push(alice, 'user:alice', [JOURNAL], { force: true }), 'FF_VIOLATION', 'gate/fast-forward-only');
        w.fetch(alice, 'user:alice');
      });

      it('refuses an unsigned event (TRAILER_INVALID)', async () => {
        await w.forgeEvent(alice, 'user:alice', 'finance', { kind: 'unsigned' });
        expectRefused(w, () => w.push(alice, 'user:alice', [JOURNAL]), 'TRAILER_INVALID', 'gate/event');
        w.fetch(alice, 'user:alice');
      });

      it('refuses a badly signed event (SIG_INVALID)', async () => {
        await w.forgeEvent(alice, 'user:alice', 'finance', { kind: 'bad-signature' });
        expectRefused(w, () => w.push(alice, 'user:alice', [JOURNAL]), 'SIG_INVALID', 'gate/event');
        w.fetch(alice, 'user:alice');
      });

      it('refuses a replayed ULID (DUP_COMMIT)', async () => {
        const tipUlid = w.git(alice, ['log', '-1', '--format=%s', JOURNAL]).stdout.trim().split(' ')[1] as string;
        await w.forgeEvent(alice, 'user:alice', 'finance', { kind: 'replayed-ulid', ulid: tipUlid });
        expectRefused(w, () => w.push(alice, 'user:alice', [JOURNAL]), 'DUP_COMMIT', 'gate/event');
        w.fetch(alice, 'user:alice');
      });

      it('refuses an event bound to a fold the bundle does not have (wrong Fold-Root: PROOF_INVALID)', async () => {
        await w.forgeEvent(alice, 'user:alice', 'finance', { kind: 'wrong-fold-root', foldRoot: `sha256:${'ab'.repeat(32)}` });
        expectRefused(w, () => w.push(alice, 'user:alice', [JOURNAL]), 'PROOF_INVALID', 'gate/event');
        w.fetch(alice, 'user:alice');
      });

      it('refuses events of an actor without a grant (POLICY_DENY)', () => {
        const bob = w.client('user:bob');
        w.addEvent(bob, 'user:bob', 'finance', [], {});
        expectRefused(w, () => w.push(bob, 'user:bob', ['refs/gatos/journal/finance/user/bob']), 'POLICY_DENY');
      });

      it('refuses events of an actor whose grant expired (CAP_EXPIRED)', () => {
        const carol = w.client('user:carol');
        // Written while the grant was valid (two days ago), pushed after it expired (one day ago).
        w.addEvent(carol, 'user:carol', 'finance', [], { GATOS_NOW: new Date((w.now - 2 * 86400) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') });
        expectRefused(w, () => w.push(carol, 'user:carol', ['refs/gatos/journal/finance/user/carol']), 'CAP_EXPIRED');
      });

      it("refuses a push to another actor's journal (POLICY_DENY)", () => {
        const bob = w.client('user:bob', 'bob-2');
        w.addEvent(bob, 'user:bob', 'finance');
        expectRefused(w, () => w.push(bob, 'user:alice', ['refs/gatos/journal/finance/user/bob']), 'POLICY_DENY');
      });

      it('refuses any client write to the audit ref (POLICY_DENY, gate/audit-readonly)', () => {
        expectRefused(w, () => w.push(alice, 'user:alice', [`${JOURNAL}:refs/gatos/audit/policy`], { force: true }), 'POLICY_DENY', 'gate/audit-readonly');
      });

      it('refuses a policy change by an actor below the trust level (POLICY_DENY)', () => {
        const dir = w.client('user:alice', 'alice-policy');
        w.gatos(dir, ['policy', 'init', '--template', opts.template ?? 'regulated', '--force']);
        writeFileSync(path.join(dir, 'gatos/policies/extra.rgs'), 'rules:\n  - id: extra/allow-all\n    when: { intent: write }\n    allow_if: true\n');
        const pub = w.gatos(dir, ['policy', 'publish', '--as', 'user:alice']);
        expect(pub.status).toBe(0);
        expectRefused(w, () => w.push(dir, 'user:alice', ['refs/gatos/policies/*']), 'POLICY_DENY');
      });

      it('accepts a policy change by a trusted actor, and enforces the new bundle', () => {
        const dir = w.client('user:root', 'root-policy');
        w.gatos(dir, ['policy', 'init', '--template', opts.template ?? 'regulated', '--force']);
        cpSync(path.join(w.admin, 'gatos/trust'), path.join(dir, 'gatos/trust'), { recursive: true });
        writeFileSync(path.join(dir, 'gatos/policies/extra.rgs'), 'rules:\n  - id: extra/no-tags\n    when: { ref: "refs/tags/**" }\n    deny_if: true\n');
        expect(w.gatos(dir, ['policy', 'publish', '--as', 'user:root']).status).toBe(0);
        const active = w.git(dir, ['rev-parse', 'refs/gatos/policies/active']).stdout.trim();
        const r = w.push(dir, 'user:root', ['refs/gatos/policies/*']);
        expect(r.stderr).not.toContain('DENIED');
        expect(r.status).toBe(0);
        expect(w.serverRefs()).toContain(`${active} refs/gatos/policies/active`);
        w.git(dir, ['commit', '--allow-empty', '-q', '-m', 'tagged']);
        w.git(dir, ['tag', 'v1']);
        expectRefused(w, () => w.push(dir, 'user:root', ['refs/tags/v1']), 'POLICY_DENY', 'extra/no-tags');
      });
    });
  }
}
