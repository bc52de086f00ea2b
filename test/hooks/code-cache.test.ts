/**
 * The hooks' V8 code cache ($GIT_DIR/gatos/cache) only ever costs or saves
 * time: with no cache, a cache V8 rejects, a damaged cache file, or a cache
 * folder that cannot be created, real pushes are accepted and refused
 * exactly as with a sound cache, and a usable cache is written again (by the
 * first run that loads the active bundle from its record, when one can be
 * written: decision 0046).
 */
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { expectRefused } from '../helpers/gate-scenarios';
import { GateWorld } from '../helpers/gate-world';

jest.setTimeout(120_000);

const JOURNAL = 'refs/gatos/journal/finance/user/alice';
const MAGIC = 'gatos-v8-code-cache-1\n';

describe('the hooks\' V8 code cache', () => {
  let w: GateWorld;
  let alice: string;
  let bob: string;
  const cacheDir = () => path.join(w.gitDir, 'gatos', 'cache');
  const cacheFiles = () => readdirSync(cacheDir()).filter((f) => f.endsWith('.v8'));
  const push = () => {
    w.addEvent(alice, 'user:alice', 'finance');
    return w.git(alice, ['push', 'origin', JOURNAL], { ...w.transport.env('user:alice'), GATOS_TRACE: '1' });
  };
  /** Every decision is still made: an accepted push and a refused one (bob has no grant). */
  const decisionsHold = (cacheNote: RegExp) => {
    const r = push();
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(cacheNote);
    w.addEvent(bob, 'user:bob', 'finance');
    expectRefused(w, () => w.push(bob, 'user:bob', ['refs/gatos/journal/finance/user/bob']), 'POLICY_DENY');
  };

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1' }).setup();
    alice = w.client('user:alice');
    bob = w.client('user:bob');
  });

  it('is written by the first run that loads the active bundle from its record, and used by the next', () => {
    rmSync(cacheDir(), { recursive: true, force: true });
    // The first run loads the active bundle in full and records it (decision 0046): the next run, which reads the record, writes the cache.
    const first = push();
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/V8 code cache none, left to the next run to write/);
    expect(cacheFiles()).toEqual([]);
    decisionsHold(/V8 code cache none, written at exit/);
    expect(cacheFiles().length).toBeGreaterThan(0);
    decisionsHold(/V8 code cache used/);
  });

  it('is rewritten when V8 rejects it', () => {
    for (const f of cacheFiles()) {
      const junk = Buffer.alloc(4096, 7);
      writeFileSync(path.join(cacheDir(), f), Buffer.concat([Buffer.from(MAGIC), createHash('sha256').update(junk).digest(), junk]));
    }
    decisionsHold(/V8 code cache rejected by V8, rewritten at exit/);
    decisionsHold(/V8 code cache used/);
  });

  it('is ignored when the file is damaged (its own digest does not match)', () => {
    for (const f of cacheFiles()) {
      const file = path.join(cacheDir(), f);
      const b = readFileSync(file);
      b.writeUInt8((b.at(-1) ?? 0) ^ 1, b.length - 1);
      writeFileSync(file, b);
    }
    decisionsHold(/V8 code cache none, written at exit/);
    decisionsHold(/V8 code cache used/);
  });

  it('costs nothing but time when its folder cannot be created', () => {
    rmSync(cacheDir(), { recursive: true, force: true });
    writeFileSync(cacheDir(), 'not a folder\n');
    try {
      decisionsHold(/V8 code cache none, written at exit/);
      decisionsHold(/V8 code cache none, written at exit/);
    } finally {
      rmSync(cacheDir(), { force: true });
    }
  });
});
