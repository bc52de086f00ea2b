/**
 * The FAQ's EchoLua example (spec/seeds/000_*.txt, "folds/invoices.lua"),
 * verbatim: `function fold(events)` over the whole window with dpairs,
 * returning emit_json_canonical(path, value). It compiles, folds, resumes
 * from a saved window with the same bytes, and is checkpointed through a real
 * push that the gate verifies. Read from ../shared/spec/seeds when present,
 * else from the copy below (the same text).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compileFoldSource } from '../../../src/fold/compile';
import { loadCompiledFold } from '../../../src/fold/load';
import type { FoldEvent, FoldRuntime } from '../../../src/fold/contract';
import { SPEC_DIR } from '../../helpers/vectors';
import { GateWorld } from '../../helpers/gate-world';
import { ev } from '../events';

const COPY = `-- Pure fold: Last-writer-wins by invoice id, deterministic order.
function fold(events)
  local by_id = {}
  for _, e in dpairs(events) do              -- dpairs sorts by ULID
    if e.type == "intent.exec.insert_invoice" then
      local id = e.payload.id
      by_id[id] = { id=id, amount=e.payload.amount, status="draft", ts=e.ulid }
    elseif e.type == "intent.exec.approve_invoice" then
      local id = e.payload.id
      if by_id[id] then by_id[id].status = "approved"; by_id[id].ts = e.ulid end
    end
  end
  return emit_json_canonical("state/finance/invoices.json", by_id)
end
`;

/** The snippet under "### folds/invoices.lua (authoring)" in the FAQ seed, or the copy. */
function seedSource(): { source: string; from: string } {
  const dir = path.join(SPEC_DIR, 'seeds');
  const faq = existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith('000_')) : undefined;
  if (faq === undefined) return { source: COPY, from: 'the copy in this test' };
  const text = readFileSync(path.join(dir, faq), 'utf8');
  const m = /### folds\/invoices\.lua[^\n]*\n+```lua\n([^]*?)```/.exec(text);
  if (!m) throw new Error(`the FAQ seed ${faq} no longer holds the folds/invoices.lua example`);
  return { source: m[1] as string, from: faq };
}

const { source: SEED } = seedSource();

function load(): FoldRuntime {
  const c = compileFoldSource(SEED, 'folds/invoices.lua');
  if (!c.ok) throw new Error(c.diagnostics.map((d) => `${d.location.line}:${d.location.column} ${d.message}`).join('\n'));
  const rt = loadCompiledFold(c.bytes);
  if (!rt.ok) throw new Error(rt.error.message);
  return rt.value;
}

const J = 'refs/gatos/journal/finance/user/alice';
const EVENTS: FoldEvent[] = [
  ev(1, 'intent.exec.insert_invoice', { id: 'inv-1', amount: 100n }, J),
  ev(2, 'intent.exec.insert_invoice', { id: 'inv-2', amount: 250n }, J),
  ev(3, 'intent.exec.approve_invoice', { id: 'inv-1' }, J),
  ev(4, 'intent.exec.approve_invoice', { id: 'inv-9' }, J),
  ev(5, 'other.type', { id: 'inv-2' }, 'refs/gatos/journal/ops/user/alice'),
];

function emitted(rt: FoldRuntime, state: unknown): string {
  const files = rt.emit(state);
  if (!files.ok) throw new Error(files.error.message);
  return [...files.value].map(([p, b]) => `${p}\n${Buffer.from(b).toString('utf8')}`).join('\n');
}

describe('the FAQ EchoLua example, verbatim', () => {
  test('is the text the seed prints (when the seed is present)', () => {
    expect(SEED).toBe(COPY);
  });

  test('compiles; with no inputs it reads every journal', () => {
    const rt = load();
    expect(rt.inputs).toEqual(['refs/gatos/journal/**']);
  });

  test('folds the window: last writer wins by id, approvals update status and ts', () => {
    const rt = load();
    const s = rt.step(rt.init(), EVENTS);
    if (!s.ok) throw new Error(s.error.message);
    // inv-1 inserted at ulid 1 and approved at ulid 3; inv-2 inserted at 2; inv-9 never inserted.
    const u = (n: number): string => EVENTS[n - 1]?.ulid as string;
    expect(emitted(rt, s.value)).toBe(
      `state/finance/invoices.json\n{"inv-1":{"amount":100,"id":"inv-1","status":"approved","ts":"${u(3)}"},"inv-2":{"amount":250,"id":"inv-2","status":"draft","ts":"${u(2)}"}}`,
    );
  });

  test('incremental contract: any split, and a save/load of the window between, gives the same bytes', () => {
    const rt = load();
    const whole = rt.step(rt.init(), EVENTS);
    if (!whole.ok) throw new Error(whole.error.message);
    for (let cut = 0; cut <= EVENTS.length; cut++) {
      const a = rt.step(rt.init(), EVENTS.slice(0, cut));
      if (!a.ok) throw new Error(a.error.message);
      const resumed = rt.loadState(rt.saveState(a.value));
      if (!resumed.ok) throw new Error(resumed.error.message);
      const b = rt.step(resumed.value, EVENTS.slice(cut));
      if (!b.ok) throw new Error(b.error.message);
      expect(Buffer.from(rt.saveState(b.value)).toString('hex')).toBe(Buffer.from(rt.saveState(whole.value)).toString('hex'));
      expect(emitted(rt, b.value)).toBe(emitted(rt, whole.value));
    }
  });

  test('fold(events) cannot change the window (read-only, like emit in the step form)', () => {
    const c = compileFoldSource('function fold(events) events[1].type = "x" return emit_json_canonical("state/x.json", 1) end\n', 'folds/w.lua');
    if (!c.ok) throw new Error(c.diagnostics.map((d) => d.message).join('\n'));
    const rt = loadCompiledFold(c.bytes);
    if (!rt.ok) throw new Error(rt.error.message);
    const s = rt.value.step(rt.value.init(), EVENTS.slice(0, 1));
    if (!s.ok) throw new Error(s.error.message);
    const e = rt.value.emit(s.value);
    expect(e.ok).toBe(false);
    expect(e.ok ? '' : e.error.message).toContain('FROZEN');
  });

  test('mixing fold(events) with init/step/emit is a compile error', () => {
    const c = compileFoldSource(`${COPY}function init() return {} end\n`, 'folds/mixed.lua');
    expect(c.ok).toBe(false);
    expect(c.ok ? [] : c.diagnostics.map((d) => d.code)).toContain('fold-shape');
  });
});

describe('the FAQ EchoLua example checkpointed through a real push (sha1, regulated)', () => {
  let w: GateWorld;
  let alice: string;
  const FINANCE = 'refs/gatos/journal/finance/user/alice';

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1' }).setup();
    w.publishRegulated('root-seed', { 'gatos/folds/invoices.lua': SEED });
    alice = w.client('user:alice');
  });

  function add(type: string, payload: object): void {
    const r = w.gatos(alice, ['event', 'add', '--ns', 'finance', '--type', type, '--payload', JSON.stringify(payload), '--caps', 'journal:append', '--as', 'user:alice', '--fold', 'invoices']);
    expect(r.stderr).toContain('appended to refs/gatos/journal/finance/user/alice');
    expect(r.status).toBe(0);
  }

  test('events pushed, a checkpoint folded by the seed fold verifies and the gate accepts it', () => {
    add('intent.exec.insert_invoice', { id: 'inv-1', amount: 100 });
    add('intent.exec.insert_invoice', { id: 'inv-2', amount: 250 });
    add('intent.exec.approve_invoice', { id: 'inv-1' });
    const p = w.push(alice, 'user:alice', [FINANCE]);
    expect(p.stderr).not.toContain('DENIED');
    expect(p.status).toBe(0);
    const cp = w.gatos(alice, ['fold', 'checkpoint', '--ns', 'finance', '--fold', 'invoices', '--as', 'user:alice']);
    expect(cp.stderr).toBe('');
    expect(cp.status).toBe(0);
    const state = w.git(alice, ['show', 'refs/gatos/state/finance:state/finance/invoices.json']).stdout;
    expect(JSON.parse(state)).toMatchObject({ 'inv-1': { status: 'approved', amount: 100 }, 'inv-2': { status: 'draft', amount: 250 } });
    const v = w.gatos(alice, ['fold', 'verify', 'refs/gatos/state/finance']);
    expect(v.status).toBe(0);
    expect(v.stdout).toContain('identical');
    const r = w.push(alice, 'user:alice', ['refs/gatos/state/finance']);
    expect(r.stderr).not.toContain('DENIED');
    expect(r.status).toBe(0);
  });

  test('a second checkpoint resumes from the saved window and the gate accepts it too', () => {
    add('intent.exec.approve_invoice', { id: 'inv-2' });
    expect(w.push(alice, 'user:alice', [FINANCE]).status).toBe(0);
    const cp = w.gatos(alice, ['fold', 'checkpoint', '--ns', 'finance', '--fold', 'invoices', '--as', 'user:alice']);
    expect(cp.stderr).toBe('');
    expect(cp.status).toBe(0);
    const state = JSON.parse(w.git(alice, ['show', 'refs/gatos/state/finance:state/finance/invoices.json']).stdout) as Record<string, { status: string }>;
    expect(state['inv-2']?.status).toBe('approved');
    const r = w.push(alice, 'user:alice', ['refs/gatos/state/finance']);
    expect(r.stderr).not.toContain('DENIED');
    expect(r.status).toBe(0);
  });
});
