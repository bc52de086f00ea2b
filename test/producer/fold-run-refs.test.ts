/**
 * `gatos fold run --events <ref>` folds the signed events on the clone's
 * journal refs, and gives what a checkpoint of the same journals records.
 */
import { Producer } from './producer-env';

describe('gatos fold run over journal refs', () => {
  const p = new Producer();
  beforeAll(() => {
    p.setup();
    p.now = '2026-01-02T00:00:00Z';
    p.event('user:bob', 'invoice.created', { id: 'inv-1', amount: 1200 });
    p.event('user:bob', 'invoice.paid', { id: 'inv-1', amount: 1200 });
    p.event('user:alice', 'invoice.created', { id: 'inv-2', amount: 700 });
  });

  test('a glob folds every matching journal and agrees with the checkpoint', () => {
    const run = JSON.parse(p.ok(['fold', 'run', '--fold', 'gatos/folds/ledger.yaml', '--events', 'refs/gatos/journal/finance/**', '--json'])) as { state_root: string; events: number; files: Record<string, string> };
    expect(run.events).toBe(3);
    expect(JSON.parse(run.files['state/finance/by-type.json'] ?? 'null')).toEqual({ 'invoice.created': 2, 'invoice.paid': 1 });
    const cp = p.ok(['fold', 'checkpoint', '--ns', 'finance', '--as', 'user:alice']);
    expect(cp).toContain(`state_root = ${run.state_root}`);
  });

  test('one ref folds that journal only', () => {
    const run = JSON.parse(p.ok(['fold', 'run', '--fold', 'gatos/folds/ledger.yaml', '--events', 'refs/gatos/journal/finance/user/bob', '--json'])) as { events: number; files: Record<string, string> };
    expect(run.events).toBe(2);
    expect(JSON.parse(run.files['state/finance/by-type.json'] ?? 'null')).toEqual({ 'invoice.created': 1, 'invoice.paid': 1 });
  });

  test('a ref that matches no journal is a clear error, not an empty state', () => {
    const r = p.gatos(['fold', 'run', '--fold', 'gatos/folds/ledger.yaml', '--events', 'refs/gatos/journal/nowhere/**']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error[NOT_FOUND]: no journal ref matches refs/gatos/journal/nowhere/**');
    expect(r.stderr).toContain('hint:');
  });
});
