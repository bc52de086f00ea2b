/**
 * What a decision made ahead read of its environment (src/serve/env-reads.ts,
 * decision 0061): every way of asking for a variable is recorded, an
 * enumeration makes the whole environment count, git's own variables always
 * count, and SSH_CONNECTION and SSH_CLIENT count by what transportOf takes
 * of them (held here by a property over random values, and by the list of
 * the files in src/ that read them).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { transportOf } from '../../src/gate/pusher';
import { EnvReads, sameEnv } from '../../src/serve/env-reads';

const env = { GIT_DIR: '/srv/r.git', GATOS_ACTOR: 'user:alice', HOME: '/home/git', REMOTE_PORT: '5000' };

function readWith(read: (seen: Record<string, string>) => void): EnvReads {
  const r = new EnvReads(env);
  read(r.view() as Record<string, string>);
  return r;
}

describe('EnvReads', () => {
  it('compares environments key by key, both ways, once the whole was read', () => {
    expect(sameEnv({ A: '1', B: '2' }, { B: '2', A: '1' })).toBe(true);
    expect(sameEnv({ A: '1' }, { A: '1', B: '' })).toBe(false);
    expect(sameEnv({ A: '1', B: '' }, { A: '1' })).toBe(false);
    expect(sameEnv({ A: '1' }, { A: '2' })).toBe(false);
    expect(sameEnv({ A: '1' }, { B: '1' })).toBe(false);
  });

  it('records a variable however it is asked for: a read, `in`, a property check, a destructuring', () => {
    const ways: ((seen: Record<string, string>) => void)[] = [
      (seen) => void seen.GATOS_ACTOR,
      (seen) => void ('GATOS_ACTOR' in seen),
      (seen) => void Object.prototype.hasOwnProperty.call(seen, 'GATOS_ACTOR'),
      (seen) => {
        const { GATOS_ACTOR: actor } = seen;
        void actor;
      },
    ];
    for (const way of ways) {
      const r = readWith(way);
      expect(r.sameIn({ ...env })).toBe(true);
      expect(r.sameIn({ ...env, GATOS_ACTOR: 'user:bob' })).toBe(false);
      expect(r.sameIn({ GIT_DIR: env.GIT_DIR, HOME: env.HOME })).toBe(false);
      // Not read: may differ.
      expect(r.sameIn({ ...env, HOME: '/elsewhere', REMOTE_PORT: '6000' })).toBe(true);
    }
  });

  it('records an absent variable as absent: set later, it counts', () => {
    const r = readWith((seen) => void seen.GL_USER);
    expect(r.sameIn({ ...env })).toBe(true);
    expect(r.sameIn({ ...env, GL_USER: 'bob' })).toBe(false);
    expect(r.sameIn({ ...env, GL_USER: '' })).toBe(false);
  });

  it('compares the whole environment once it was enumerated (keys, a spread, JSON)', () => {
    const ways: ((seen: Record<string, string>) => void)[] = [(seen) => void Object.keys(seen), (seen) => void { ...seen }, (seen) => void JSON.stringify(seen), (seen) => void Object.entries(seen)];
    for (const way of ways) {
      const r = readWith(way);
      expect(r.sameIn({ ...env })).toBe(true);
      expect(r.sameIn({ ...env, REMOTE_PORT: '6000' })).toBe(false);
      expect(r.sameIn({ ...env, OTHER: '' })).toBe(false);
    }
  });

  it('compares every git variable, read or not, both ways, but the trace2 session git gives each hook', () => {
    const r = readWith(() => undefined);
    expect(r.sameIn({ ...env })).toBe(true);
    expect(r.sameIn({ ...env, GIT_DIR: '/srv/other.git' })).toBe(false);
    expect(r.sameIn({ ...env, GIT_PUSH_OPTION_COUNT: '0' })).toBe(false);
    expect(r.sameIn({ GATOS_ACTOR: 'user:alice' })).toBe(false);
    expect(r.sameIn({ ...env, GIT_TRACE2_PARENT_SID: 'x/y', GIT_TRACE2_PARENT_NAME: 'receive-pack' })).toBe(true);
  });

  it('counts SSH_CONNECTION and SSH_CLIENT by whether they are set, empty, and their client address', () => {
    const r = readWith((seen) => {
      void seen.SSH_CONNECTION;
      void seen.SSH_CLIENT;
    });
    const ssh = { ...env, SSH_CONNECTION: '10.0.0.1 40000 10.0.0.2 22' };
    const rs = new EnvReads(ssh);
    const seen = rs.view();
    void seen.SSH_CONNECTION;
    void seen.SSH_CLIENT;
    expect(rs.sameIn({ ...ssh, SSH_CONNECTION: '10.0.0.1 40001 10.0.0.3 2222' })).toBe(true);
    expect(rs.sameIn({ ...ssh, SSH_CONNECTION: '10.0.0.9 40000 10.0.0.2 22' })).toBe(false);
    expect(rs.sameIn({ ...ssh, SSH_CONNECTION: '' })).toBe(false);
    expect(rs.sameIn({ ...env })).toBe(false);
    expect(rs.sameIn({ ...ssh, SSH_CLIENT: '10.0.0.1 40000 22' })).toBe(false);
    expect(r.sameIn({ ...env, SSH_CONNECTION: '10.0.0.1 1 2 3' })).toBe(false);
  });

  // The projection is sound only while what reads these variables takes no more of them than it keeps.
  it('transportOf answers alike for any two ssh variables it counts alike', () => {
    const value = fc.oneof(fc.constant(undefined), fc.constant(''), fc.string(), fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a} ${b}`));
    fc.assert(
      fc.property(value, value, fc.string(), fc.string(), (connection, client, tailA, tailB) => {
        const variant = (v: string | undefined, tail: string): string | undefined => (v === undefined || v === '' ? v : `${v.split(' ')[0] ?? ''} ${tail}`);
        const set = (c: string | undefined, s: string | undefined): Record<string, string> => ({ ...(c !== undefined ? { SSH_CONNECTION: c } : {}), ...(s !== undefined ? { SSH_CLIENT: s } : {}) });
        const a = set(connection, client);
        const b = set(variant(connection, tailA), variant(client, tailB));
        const r = new EnvReads(a);
        const seen = r.view();
        void seen.SSH_CONNECTION;
        void seen.SSH_CLIENT;
        // b differs from a only after each value's first field: counted alike, and answered alike.
        expect(r.sameIn(b)).toBe(true);
        expect(transportOf(b)).toEqual(transportOf(a));
      }),
    );
  });

  it('SSH_CONNECTION and SSH_CLIENT are read, in what a daemon decides, only by transportOf', () => {
    const src = path.resolve(__dirname, '../../src');
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|sh)$/.test(name) && /SSH_CONNECTION|SSH_CLIENT/.test(readFileSync(p, 'utf8'))) files.push(path.relative(src, p));
      }
    };
    walk(src);
    // loader-refusal.ts: the cold hook's refusal when its own bundle cannot load, never the daemon's.
    expect(files.sort()).toEqual(['gate/pusher.ts', 'hooks/loader-refusal.ts', 'serve/env-reads.ts']);
  });
});
