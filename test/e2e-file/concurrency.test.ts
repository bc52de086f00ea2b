/**
 * Eight clients push at once to the same journal: half append (one of them
 * wins each race, the rest lose git's own compare-and-swap), half force-push
 * a rewritten history (the gate refuses each). Afterwards: the journal only
 * ever moved forward, and every refusal the clients saw has its own audit
 * entry on one linear chain.
 */
import { spawn } from 'node:child_process';
import { GateWorld } from '../helpers/gate-world';

jest.setTimeout(180_000);

const JOURNAL = 'refs/gatos/journal/finance/user/alice';

function pushAsync(w: GateWorld, dir: string, force: boolean): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn('git', ['push', ...(force ? ['--force'] : []), 'origin', JOURNAL], { cwd: dir, env: w.env(w.transport.env('user:alice')) });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    p.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('8 concurrent pushes to one journal', () => {
  it.each(['sha1', 'sha256'] as const)('%s: no accepted non-fast-forward, no lost audit entry', async (format) => {
    const w = new GateWorld({ format }).setup();
    const seed = w.client('user:alice', 'seed');
    w.addEvent(seed, 'user:alice', 'finance');
    w.addEvent(seed, 'user:alice', 'finance');
    expect(w.push(seed, 'user:alice', [JOURNAL]).status).toBe(0);
    const base = w.git(seed, ['rev-parse', JOURNAL]).stdout.trim();

    const clients = Array.from({ length: 8 }, (_, i) => {
      const dir = w.client('user:alice', `c${i}`);
      const force = i % 2 === 1;
      if (force) w.git(dir, ['update-ref', JOURNAL, `${JOURNAL}~1`]);
      w.addEvent(dir, 'user:alice', 'finance');
      return { dir, force };
    });
    const before = w.auditEntries().length;
    const results = await Promise.all(clients.map((c) => pushAsync(w, c.dir, c.force)));

    const refusedByGate = results.filter((r) => r.stderr.includes('DENIED refs/'));
    expect(refusedByGate.length).toBeGreaterThanOrEqual(4);
    for (const [i, r] of results.entries()) if (clients[i]?.force) expect(r.status).not.toBe(0);
    expect(results.filter((r) => r.status === 0).length).toBeGreaterThanOrEqual(1);

    const tip = w.git(w.root, ['--git-dir', w.gitDir, 'rev-parse', JOURNAL]).stdout.trim();
    expect(w.git(w.root, ['--git-dir', w.gitDir, 'merge-base', '--is-ancestor', base, tip]).status).toBe(0);
    expect(w.git(w.root, ['--git-dir', w.gitDir, 'rev-list', '--count', `${base}..${tip}`]).stdout.trim()).toBe(String(results.filter((r) => r.status === 0).length));

    const entries = w.auditEntries();
    expect(entries.length - before).toBe(refusedByGate.length);
    const chain = w.git(w.root, ['--git-dir', w.gitDir, 'rev-list', '--parents', 'refs/gatos/audit/policy']).stdout.trim().split('\n');
    expect(chain.every((l) => l.split(' ').length <= 2)).toBe(true);
    expect(w.git(w.root, ['--git-dir', w.gitDir, 'fsck', '--strict', '--no-dangling']).status).toBe(0);
  });
});
