/**
 * Fold-RNG: whether a fold uses the RNG is read from its compiled bytes
 * (FoldRuntime.usesRng); `gatos fold checkpoint` writes `Fold-RNG: pcg32@1`
 * exactly then, and verification (the CLI's and the gate's, over a real
 * push) refuses a checkpoint that drops it or adds it where the fold does
 * not use the RNG.
 */
import { compileFoldSource } from '../../src/fold/compile';
import { loadCompiledFold } from '../../src/fold/load';
import { RNG_ID } from '../../src/fold/engine-id';
import { GateWorld } from '../helpers/gate-world';
import { expectRefused } from '../helpers/gate-scenarios';

const DICE = `
inputs = { "refs/gatos/journal/games/**" }

function init()
  return { rolls = {}, n = 0 }
end

function step(state, event)
  local roll = rng(event.ulid)
  state.rolls[event.ulid] = roll(6)
  state.n = state.n + 1
  return state
end

function emit(state)
  return { ["state/games/rolls.json"] = state.rolls, ["state/games/count.json"] = { n = state.n } }
end
`;

function usesRng(source: string, file = 'folds/x.lua'): boolean {
  const c = compileFoldSource(source, file);
  if (!c.ok) throw new Error(c.diagnostics.map((d) => d.message).join('\n'));
  const rt = loadCompiledFold(c.bytes);
  if (!rt.ok) throw new Error(rt.error.message);
  return rt.value.usesRng;
}

describe('FoldRuntime.usesRng is a property of the compiled fold', () => {
  test('an EchoLua fold that calls rng uses it', () => {
    expect(usesRng(DICE)).toBe(true);
  });

  test('an EchoLua fold that names rng only in code that never runs still uses it (decided statically)', () => {
    const dead = DICE.replace('local roll = rng(event.ulid)\n  state.rolls[event.ulid] = roll(6)', 'if false then state.x = rng(1)(6) end\n  state.rolls[event.ulid] = 1');
    expect(dead).not.toBe(DICE);
    expect(usesRng(dead)).toBe(true);
  });

  test('a local named rng shadows the builtin: no use', () => {
    const shadow = DICE.replace('local roll = rng(event.ulid)', 'local rng = function(s) return function(n) return n end end\n  local roll = rng(event.ulid)');
    expect(usesRng(shadow)).toBe(false);
  });

  test('a fold without rng, and every YAML fold, does not use it', () => {
    expect(usesRng(DICE.replace('local roll = rng(event.ulid)', 'local roll = function(n) return n end'))).toBe(false);
    const yaml = 'version: 1\ninputs: ["refs/gatos/journal/**"]\nreducers:\n  - { name: n, kind: g-counter, key: "$.type" }\nemit:\n  - { path: state/n.json, from: n }\n';
    expect(usesRng(yaml, 'folds/n.yaml')).toBe(false);
  });
});

describe('Fold-RNG on checkpoints, through the CLI and the gate (sha1, regulated)', () => {
  let w: GateWorld;
  let alice: string;
  const GAMES = 'refs/gatos/journal/games/user/alice';
  const FINANCE = 'refs/gatos/journal/finance/user/alice';

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1' }).setup();
    // The trusted root publishes the template plus an EchoLua fold that rolls dice.
    w.publishRegulated('root-dice', { 'gatos/folds/dice.lua': DICE });
    alice = w.client('user:alice');
  });

  function trailers(commit: string): string {
    return w.git(alice, ['log', '-1', '--format=%(trailers:only,unfold)', commit]).stdout;
  }

  /** The same tree and parent under a changed message: what a forger can build without the fold. */
  function reword(ref: string, change: (message: string) => string): void {
    const honest = w.git(alice, ['rev-parse', ref]).stdout.trim();
    const message = w.git(alice, ['log', '-1', '--format=%B', honest]).stdout;
    const forgedMessage = change(message);
    expect(forgedMessage).not.toBe(message);
    const tree = w.git(alice, ['rev-parse', `${honest}^{tree}`]).stdout.trim();
    const parents = w.git(alice, ['log', '-1', '--format=%P', honest]).stdout.trim().split(' ').filter((p) => p !== '');
    // Author and committer kept too (the verifier checks them against the proof).
    const [an, ae, ad, cn, ce, cd] = w.git(alice, ['log', '-1', '--date=raw', '--format=%an%n%ae%n%ad%n%cn%n%ce%n%cd', honest]).stdout.split('\n');
    const who = { GIT_AUTHOR_NAME: an ?? '', GIT_AUTHOR_EMAIL: ae ?? '', GIT_AUTHOR_DATE: ad ?? '', GIT_COMMITTER_NAME: cn ?? '', GIT_COMMITTER_EMAIL: ce ?? '', GIT_COMMITTER_DATE: cd ?? '' };
    const forged = w.git(alice, ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p])], who, forgedMessage).stdout.trim();
    w.git(alice, ['update-ref', ref, forged]);
  }

  test('a checkpoint of a fold that uses the RNG carries Fold-RNG, verifies, and is accepted by the gate', () => {
    w.addEvent(alice, 'user:alice', 'games', ['--fold', 'dice']);
    w.addEvent(alice, 'user:alice', 'games', ['--fold', 'dice']);
    expect(w.push(alice, 'user:alice', [GAMES]).status).toBe(0);
    const cp = w.gatos(alice, ['fold', 'checkpoint', '--ns', 'games', '--fold', 'dice', '--as', 'user:alice']);
    expect(cp.stderr).toBe('');
    expect(cp.status).toBe(0);
    expect(trailers('refs/gatos/state/games')).toContain(`Fold-RNG: ${RNG_ID}\n`);
    const v = w.gatos(alice, ['fold', 'verify', 'refs/gatos/state/games']);
    expect(v.status).toBe(0);
    expect(v.stdout).toContain('identical');
    const r = w.push(alice, 'user:alice', ['refs/gatos/state/games']);
    expect(r.stderr).not.toContain('DENIED');
    expect(r.status).toBe(0);
  });

  test('the same checkpoint without its Fold-RNG trailer is refused (PROOF_INVALID), by fold verify and by the gate', () => {
    w.addEvent(alice, 'user:alice', 'games', ['--fold', 'dice']);
    expect(w.push(alice, 'user:alice', [GAMES]).status).toBe(0);
    expect(w.gatos(alice, ['fold', 'checkpoint', '--ns', 'games', '--fold', 'dice', '--as', 'user:alice']).status).toBe(0);
    const honest = w.git(alice, ['rev-parse', 'refs/gatos/state/games']).stdout.trim();
    reword('refs/gatos/state/games', (m) => m.replace(/^Fold-RNG: .*\n/m, ''));
    const v = w.gatos(alice, ['fold', 'verify', 'refs/gatos/state/games']);
    expect(v.status).not.toBe(0);
    expect(v.stderr).toContain('PROOF_INVALID');
    expect(v.stderr).toContain('uses the RNG but the checkpoint has no Fold-RNG trailer');
    expectRefused(w, () => w.push(alice, 'user:alice', ['refs/gatos/state/games']), 'PROOF_INVALID', 'gate/proof-of-fold');
    w.git(alice, ['update-ref', 'refs/gatos/state/games', honest]);
    expect(w.push(alice, 'user:alice', ['refs/gatos/state/games']).status).toBe(0);
  });

  test('a checkpoint of a fold without randomness carries no Fold-RNG, and one that claims it is refused', () => {
    w.addEvent(alice, 'user:alice', 'finance', ['--fold', 'flags']);
    expect(w.push(alice, 'user:alice', [FINANCE]).status).toBe(0);
    const cp = w.gatos(alice, ['fold', 'checkpoint', '--ns', 'finance', '--fold', 'flags', '--as', 'user:alice']);
    expect(cp.status).toBe(0);
    expect(trailers('refs/gatos/state/finance')).not.toContain('Fold-RNG');
    reword('refs/gatos/state/finance', (m) => m.replace(/^(Fold-Math: .*\n)/m, `$1Fold-RNG: ${RNG_ID}\n`));
    const v = w.gatos(alice, ['fold', 'verify', 'refs/gatos/state/finance']);
    expect(v.status).not.toBe(0);
    expect(v.stderr).toContain("it has a Fold-RNG trailer but fold 'flags' does not use the RNG");
    expectRefused(w, () => w.push(alice, 'user:alice', ['refs/gatos/state/finance']), 'PROOF_INVALID', 'gate/proof-of-fold');
  });
});
