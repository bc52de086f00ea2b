/**
 * The FAQ's YAML fold (the origin seed `spec/seeds/000_*.txt`), verbatim:
 * `gatos foldc` compiles it and writes folds/invoices.rgf.sha beside the
 * .rgf; `gatos fold run` folds events with it; and, published in a bundle,
 * it checkpoints a journal through a real push to the gate and verifies.
 * The snippet is read from the seed when the spec folder is present
 * (../shared/spec/seeds from the repository, or ../../shared from a
 * worktree), else from the copy below.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { runCli } from '../helpers/cli';
import { GateWorld } from '../helpers/gate-world';
import { tmpDir } from '../helpers/tmp';

/** The FAQ's snippet, as printed in the seed (used when the seed is not on disk). */
const FAQ_COPY = `# folds/invoices.yaml (source)
version: 1
inputs: ["gatos/journal/finance/**"]
reducers:
  - kind: map-join-lww
    key: "$.id"
emit:
  - path: "state/finance/invoices.json"
`;

function seedSnippet(): { text: string; from: string } {
  const repo = path.resolve(__dirname, '../..');
  for (const dir of [path.resolve(repo, '../shared/spec/seeds'), path.resolve(repo, '../../shared/spec/seeds')]) {
    if (!existsSync(dir)) continue;
    const faq = readdirSync(dir).find((f) => /^000_.*\.txt$/.test(f));
    if (!faq) continue;
    const text = readFileSync(path.join(dir, faq), 'utf8');
    const m = /```yaml\n(# folds\/invoices\.yaml \(source\)\n[\s\S]*?)```/.exec(text);
    if (m?.[1]) return { text: m[1], from: path.join(dir, faq) };
  }
  return { text: FAQ_COPY, from: 'the copy in this test' };
}

const SEED = seedSnippet();

describe(`the FAQ's YAML fold, verbatim (from ${SEED.from})`, () => {
  test('the snippet is the one the FAQ prints', () => {
    expect(SEED.text).toBe(FAQ_COPY);
  });

  test('foldc compiles it and writes folds/invoices.rgf.sha holding fold_root = sha256:<hex>; fold run folds by $.id', () => {
    const dir = tmpDir();
    mkdirSync(path.join(dir, 'folds'));
    writeFileSync(path.join(dir, 'folds/invoices.yaml'), SEED.text);
    const c = runCli(['foldc', 'folds/invoices.yaml', '-o', 'folds/invoices.rgf'], { cwd: dir });
    expect(c.stderr).toBe('');
    expect(c.status).toBe(0);
    const root = `sha256:${createHash('sha256').update(readFileSync(path.join(dir, 'folds/invoices.rgf'))).digest('hex')}`;
    expect(readFileSync(path.join(dir, 'folds/invoices.rgf.sha'), 'utf8')).toBe(`fold_root = ${root}\n`);
    expect(c.stdout).toContain(`fold_root = ${root}\n`);

    const events = [
      { journal: 'refs/gatos/journal/finance/user/bob', ulid: '01J00000000000000000000001', type: 'invoice.created', actor: 'user:bob', payload: { id: 'inv-1', amount: 5 } },
      { journal: 'refs/gatos/journal/finance/user/alice', ulid: '01J00000000000000000000002', type: 'invoice.created', actor: 'user:alice', payload: { id: 'inv-2', amount: 7 } },
      { journal: 'refs/gatos/journal/finance/user/bob', ulid: '01J00000000000000000000003', type: 'invoice.paid', actor: 'user:bob', payload: { id: 'inv-1', amount: 5, paid: true } },
      // Outside `inputs` (gatos/journal/finance/** means refs/gatos/journal/finance/**): not folded.
      { journal: 'refs/gatos/journal/hr/user/bob', ulid: '01J00000000000000000000004', type: 'x', actor: 'user:bob', payload: { id: 'inv-9' } },
    ];
    writeFileSync(path.join(dir, 'events.jsonl'), events.map((e) => JSON.stringify(e)).join('\n'));
    const r = runCli(['fold', 'run', '--fold', 'folds/invoices.rgf', '--events', 'events.jsonl', '--json'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { files: Record<string, string>; fold_root: string };
    expect(out.fold_root).toBe(root);
    expect(out.files).toEqual({ 'state/finance/invoices.json': '{"inv-1":{"amount":5,"id":"inv-1","paid":true},"inv-2":{"amount":7,"id":"inv-2"}}' });
  });

  describe('published in a bundle, checkpointed through a real push, verified', () => {
    let w: GateWorld;
    let alice: string;
    const FINANCE = 'refs/gatos/journal/finance/user/alice';

    beforeAll(() => {
      w = new GateWorld({ format: 'sha1' }).setup();
      w.publishRegulated('root-faq', { 'gatos/folds/invoices.yaml': SEED.text });
      alice = w.client('user:alice');
    });

    test('events by id fold to the last writer per id; the checkpoint verifies and the gate accepts it', () => {
      const add = (payload: object) =>
        w.gatos(alice, ['event', 'add', '--ns', 'finance', '--type', 'invoice.created', '--payload', JSON.stringify(payload), '--caps', 'journal:append', '--as', 'user:alice', '--fold', 'invoices']);
      for (const p of [{ id: 'inv-1', amount: 5 }, { id: 'inv-2', amount: 7 }, { id: 'inv-1', amount: 6 }]) {
        const a = add(p);
        expect(a.stderr).not.toContain('error');
        expect(a.status).toBe(0);
      }
      const pushed = w.push(alice, 'user:alice', [FINANCE]);
      expect(pushed.stderr).not.toContain('DENIED');
      expect(pushed.status).toBe(0);
      const cp = w.gatos(alice, ['fold', 'checkpoint', '--ns', 'finance', '--fold', 'invoices', '--as', 'user:alice']);
      expect(cp.stderr).toBe('');
      expect(cp.status).toBe(0);
      const state = w.git(alice, ['show', 'refs/gatos/state/finance:state/finance/invoices.json']);
      expect(state.stdout).toBe('{"inv-1":{"amount":6,"id":"inv-1"},"inv-2":{"amount":7,"id":"inv-2"}}');
      const v = w.gatos(alice, ['fold', 'verify', 'refs/gatos/state/finance']);
      expect(v.status).toBe(0);
      expect(v.stdout).toContain('identical');
      const r = w.push(alice, 'user:alice', ['refs/gatos/state/finance']);
      expect(r.stderr).not.toContain('DENIED');
      expect(r.status).toBe(0);
    });
  });
});
