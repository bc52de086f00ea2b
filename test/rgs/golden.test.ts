import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { compilePolicy, evaluate, loadPolicy } from '../../src/rgs';

/** Sources with committed, hand-reviewed .rgc bytes (see test/fixtures/rgs/golden/README.md). */
const DIR = path.resolve(__dirname, '../fixtures/rgs/golden');
const NAMES = readdirSync(DIR).filter((f) => f.endsWith('.rgs')).map((f) => f.slice(0, -4)).sort();
const README = readFileSync(path.join(DIR, 'README.md'), 'utf8');

describe('golden .rgc bytes', () => {
  test('there are golden sources', () => {
    expect(NAMES).toEqual(['features', 'minimal', 'origin']);
  });

  test.each(NAMES)('%s.rgs compiles to the committed %s.rgc byte for byte', (name) => {
    const text = readFileSync(path.join(DIR, `${name}.rgs`), 'utf8');
    const golden = readFileSync(path.join(DIR, `${name}.rgc`));
    const r = compilePolicy([{ file: `${name}.rgs`, text }]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Buffer.from(r.value.bytes).toString('hex')).toBe(golden.toString('hex'));
    const root = `sha256:${createHash('sha256').update(golden).digest('hex')}`;
    expect(r.value.root).toBe(root);
    expect(README).toContain(`| ${name}.rgc | ${golden.length} | ${root} |`);
  });

  test('the golden origin policy loads and decides as the origin document intends', () => {
    const p = loadPolicy(readFileSync(path.join(DIR, 'origin.rgc')));
    if (!p.ok) throw new Error(p.error.message);
    const req = { intent: 'write', ref: 'refs/gatos/journal/finance/user/a', actor: { id: 'user:a' }, caps: { 'journal:append': null }, trust: { 'user:a': { level: 2 } }, labels: ['private'], remote: 'internal', now: 1 };
    expect(evaluate(p.value, req).effect).toBe('allow');
    expect(evaluate(p.value, { ...req, remote: 'github' }).effect).toBe('deny');
  });
});
