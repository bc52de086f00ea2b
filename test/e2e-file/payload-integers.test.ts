/**
 * A payload integer outside the fold integer range (signed 64-bit) is a
 * clear refusal at the gate, not a journal holding an event no fold can
 * read: a correctly signed event carrying 2^63 (a u64 DAG-CBOR holds) is
 * refused on push; the range's own edges are accepted; the producer refuses
 * the same number before signing.
 */
import { expectRefused } from '../helpers/gate-scenarios';
import { GateWorld } from '../helpers/gate-world';

jest.setTimeout(120_000);

describe('payload integers at the gate', () => {
  const JOURNAL = 'refs/gatos/journal/finance/user/alice';
  let w: GateWorld;
  let alice: string;

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1', template: 'minimal' }).setup();
    alice = w.client('user:alice');
  });

  test('a signed event whose payload holds 2^63 is refused (ENCODING_INVALID, gate/event), naming the range', async () => {
    await w.forgeEvent(alice, 'user:alice', 'finance', { kind: 'payload', payload: { amount: 2n ** 63n } });
    expectRefused(w, () => {
      const r = w.push(alice, 'user:alice', [JOURNAL]);
      expect(r.stderr).toContain('at payload.amount: the integer 9223372036854775808 is outside the fold integer range (signed 64-bit, -2^63 to 2^63-1)');
      return r;
    }, 'ENCODING_INVALID', 'gate/event');
    // Leave the forged commit behind: the next test starts from the server's (empty) journal.
    w.git(alice, ['update-ref', '-d', JOURNAL]);
  });

  test('the edges of the range are accepted, exactly', () => {
    const add = w.gatos(alice, ['event', 'add', '--ns', 'finance', '--type', 'ledger.edge', '--payload', '{"max":9223372036854775807,"min":-9223372036854775808}', '--caps', 'journal:append', '--as', 'user:alice']);
    expect(add.status).toBe(0);
    const r = w.push(alice, 'user:alice', [JOURNAL]);
    expect([r.status, r.stderr]).toEqual([0, expect.not.stringContaining('DENIED') as unknown]);
  });

  test('the producer refuses 2^63 before signing, with the range and a hint', () => {
    const add = w.gatos(alice, ['event', 'add', '--ns', 'finance', '--type', 'ledger.big', '--payload', '{"amount":9223372036854775808}', '--caps', 'journal:append', '--as', 'user:alice']);
    expect(add.status).not.toBe(0);
    expect(add.stderr).toContain('the integer 9223372036854775808 is outside the fold integer range');
    expect(add.stderr).not.toMatch(/\n\s+at /);
  });
});
