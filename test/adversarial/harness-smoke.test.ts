/**
 * The harness itself: rawPush speaks receive-pack well enough that a legitimate
 * journal push it sends is accepted, and a refused one is reported as refused.
 */
import { GateWorld } from '../helpers/gate-world';
import { expectAccepted, expectAttackRefused, rawPush, zeroId } from './harness';

for (const format of ['sha1', 'sha256'] as const) {
  describe(`adversarial harness (${format})`, () => {
    let w: GateWorld;
    let alice: string;
    beforeAll(() => {
      w = new GateWorld({ format }).setup();
      alice = w.client('user:alice');
    });

    test('rawPush delivers an honest journal push that the gate accepts', () => {
      w.addEvent(alice, 'user:alice', 'finance');
      const ref = 'refs/gatos/journal/finance/user/alice';
      const tip = w.git(alice, ['rev-parse', ref]).stdout.trim();
      expectAccepted(w, () => rawPush(w, { from: alice, format, env: { GATOS_ACTOR: 'user:alice' }, commands: [{ old: zeroId(w), new: tip, ref }], revs: [tip] }));
      expect(w.serverRefs()).toContain(`${tip} ${ref}`);
    });

    test('rawPush reports a refusal as a failed push (a force push of the journal)', () => {
      const ref = 'refs/gatos/journal/finance/user/alice';
      const old = w.git(alice, ['rev-parse', ref]).stdout.trim();
      w.git(alice, ['update-ref', ref, `${old}~0`]);
      const parent = w.git(alice, ['rev-parse', `${old}^{tree}`]).stdout.trim();
      const other = w.git(alice, ['commit-tree', parent], {}, 'rewritten\n').stdout.trim();
      expectAttackRefused(w, () => rawPush(w, { from: alice, format, env: { GATOS_ACTOR: 'user:alice' }, commands: [{ old, new: other, ref }], revs: [other, `^${old}`] }), { code: 'FF_VIOLATION', rule: 'gate/fast-forward-only' });
    });
  });
}
