/**
 * What is derived from a loose object's bytes is kept with the object
 * (src/git/parsed.ts, decision 0053): computed once while the object lives,
 * never for an object the loose reader did not make, and never carried over
 * to another file holding the same id.
 */
import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { expectOk } from '../../src/core/result';
import { openRepo, type GitObject } from '../../src/git';
import { LooseCache } from '../../src/git/loose';
import { derived, keepDerived } from '../../src/git/parsed';
import { git, gitDirOf, initRepo, writeCommit } from '../helpers/git';

const object = (text: string): GitObject => {
  const data = new TextEncoder().encode(text);
  return { id: 'x', type: 'blob', size: data.length, data };
};

describe('derived answers kept with loose objects', () => {
  it('derives once per object and key, by the object or its bytes; an object without a slot derives every time', () => {
    let calls = 0;
    const derive = () => ({ n: ++calls });
    const kept = object('kept');
    keepDerived(kept);
    const first = derived(kept, 'k sha1', derive);
    expect(derived(kept, 'k sha1', derive)).toBe(first);
    expect(derived(kept.data, 'k sha1', derive)).toBe(first);
    // Another key (another format, another derivation) is derived on its own.
    expect(derived(kept, 'k sha256', derive)).not.toBe(first);
    // Equal bytes in another object share nothing.
    const twin = object('kept');
    expect(derived(twin, 'k sha1', derive)).not.toBe(first);
    expect(derived(twin, 'k sha1', derive)).not.toBe(derived(twin, 'k sha1', derive));
    expect(calls).toBe(5);
  });

  it('a commit read loose is parsed once across pushes while its file stays; another file under its id, or cat-file, parses again', async () => {
    const dir = initRepo({ format: 'sha1' });
    const id = writeCommit(dir, { message: 'one\n', files: { 'a.txt': 'a\n' }, ref: 'refs/heads/main' });
    const file = path.join(gitDirOf(dir), 'objects', id.slice(0, 2), id.slice(2));
    const shared = new LooseCache();
    const read = async () => {
      const repo = expectOk(await openRepo(gitDirOf(dir), { format: 'sha1', looseCache: shared }));
      try {
        return expectOk(await repo.readCommit(id));
      } finally {
        await repo.close();
      }
    };
    const first = await read();
    expect(await read()).toBe(first);
    // The same bytes as another file (another inode): read, checked and parsed again, to the same value.
    copyFileSync(file, `${file}.copy`);
    rmSync(file);
    copyFileSync(`${file}.copy`, file);
    rmSync(`${file}.copy`);
    const again = await read();
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
    // Packed: cat-file reads it, and nothing is kept.
    git(dir, ['repack', '-a', '-d', '-q']);
    git(dir, ['prune-packed']);
    const packed = await read();
    expect(packed).toEqual(first);
    expect(await read()).not.toBe(packed);
  });

  it('keeps a bounded number of answers per object (signature checks by ever new keys or signatures are not hoarded)', () => {
    // A journal's old tip stays kept across pushes: each refused push could add checks of made-up signatures over it.
    const kept = object('envelope bytes');
    keepDerived(kept);
    for (let i = 0; i < 1000; i++) derived(kept.data, `ed25519 ${i}`, () => false);
    let calls = 0;
    derived(kept.data, 'ed25519 1000', () => ++calls);
    derived(kept.data, 'ed25519 1000', () => ++calls);
    expect(calls).toBe(2);
    // What was kept first is still kept.
    expect(derived(kept.data, 'ed25519 0', () => true)).toBe(false);
  });
});
