/**
 * The daemon's watch on a served repository's objects/ (decision 0053): a
 * quarantine git makes there is read, once its writes pause, into the
 * daemon's LooseCache, and forgotten when git removes it. A request
 * cancels it: nothing it watched is read again, and its watchers are closed
 * by release(), after the reply (decision 0055).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { LooseCache } from '../../src/git/loose';
import { QuarantineWatch } from '../../src/serve/prefetch-watch';
import { gitDirOf, initRepo, writeCommit } from '../helpers/git';

describe('the quarantine watch', () => {
  it('reads a new quarantine\'s loose objects into the cache', async () => {
    const dir = initRepo({ format: 'sha1' });
    const id = writeCommit(dir, { message: 'one\n', files: { 'event.cbor': 'x' }, ref: 'refs/heads/main' });
    const objects = path.join(gitDirOf(dir), 'objects');
    const cache = new LooseCache();
    let seen: (n: number) => void = () => undefined;
    const reads: number[] = [];
    const watch = new QuarantineWatch(objects, () => 'sha1', cache, (_dir, n) => {
      reads.push(n);
      seen(n);
    });
    watch.start();
    try {
      const read = new Promise<number>((resolve) => {
        seen = (n) => n > 0 && resolve(n);
      });
      const quarantine = path.join(objects, 'tmp_objdir-incoming-test');
      mkdirSync(path.join(quarantine, id.slice(0, 2)), { recursive: true });
      const from = path.join(objects, id.slice(0, 2));
      for (const f of readdirSync(from)) copyFileSync(path.join(from, f), path.join(quarantine, id.slice(0, 2), f));
      expect(await read).toBe(1);
      expect(cache.size).toBe(1);
      rmSync(quarantine, { recursive: true, force: true });
    } finally {
      watch.stop();
    }
  });

  it('reads every object of a push whose objects land in several fan-out folders, once they stop coming', async () => {
    const dir = initRepo({ format: 'sha1' });
    const commit = writeCommit(dir, { message: 'one\n', files: { 'event.cbor': 'x' }, ref: 'refs/heads/main' });
    const git = (args: string[]): string => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
    // The commit, its tree and its blob, as a one-event push writes them.
    const ids = [commit, git(['rev-parse', `${commit}^{tree}`]), git(['rev-parse', `${commit}:event.cbor`])];
    const objects = path.join(gitDirOf(dir), 'objects');
    const cache = new LooseCache();
    const reads: number[] = [];
    let seen: (n: number) => void = () => undefined;
    const watch = new QuarantineWatch(objects, () => 'sha1', cache, (_dir, n) => {
      reads.push(n);
      seen(n);
    });
    watch.start();
    try {
      const all = new Promise<void>((resolve) => {
        seen = (n) => n === ids.length && resolve();
      });
      const quarantine = path.join(objects, 'tmp_objdir-incoming-several');
      mkdirSync(quarantine);
      // Only the quarantine's own folder is watched (decision 0059): each new fan-out folder times the read again.
      for (const id of ids) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        mkdirSync(path.join(quarantine, id.slice(0, 2)), { recursive: true });
        copyFileSync(path.join(objects, id.slice(0, 2), id.slice(2)), path.join(quarantine, id.slice(0, 2), id.slice(2)));
      }
      await all;
      expect(cache.size).toBe(ids.length);
      rmSync(quarantine, { recursive: true, force: true });
    } finally {
      watch.stop();
    }
  });

  it('a cancelled quarantine is never read again; release() closes its watchers', async () => {
    const dir = initRepo({ format: 'sha1' });
    const one = writeCommit(dir, { message: 'one\n', files: { 'event.cbor': 'x' }, ref: 'refs/heads/main' });
    const two = writeCommit(dir, { message: 'two\n', files: { 'event.cbor': 'y' }, ref: 'refs/heads/other' });
    const objects = path.join(gitDirOf(dir), 'objects');
    const copy = (id: string, into: string): void => {
      mkdirSync(path.join(into, id.slice(0, 2)), { recursive: true });
      const from = path.join(objects, id.slice(0, 2));
      for (const f of readdirSync(from)) if (f === id.slice(2)) copyFileSync(path.join(from, f), path.join(into, id.slice(0, 2), f));
    };
    const reads: string[] = [];
    let seen: (dir: string) => void = () => undefined;
    const watch = new QuarantineWatch(objects, () => 'sha1', new LooseCache(), (d) => {
      reads.push(path.basename(d));
      seen(d);
    });
    const next = (name: string): Promise<void> =>
      new Promise((resolve) => {
        seen = (d) => path.basename(d) === name && resolve();
      });
    watch.start();
    try {
      const a = path.join(objects, 'tmp_objdir-incoming-a');
      const readA = next('tmp_objdir-incoming-a');
      copy(one, a);
      await readA;
      watch.cancel();
      expect(watch.watched).toBe(1);
      // Written after the request came: not read. A quarantine made after it is watched and read as usual; its read
      // is timed after this write, so a read of the cancelled one would have come first.
      copy(two, a);
      const b = path.join(objects, 'tmp_objdir-incoming-b');
      const readB = next('tmp_objdir-incoming-b');
      copy(two, b);
      await readB;
      expect(reads).toEqual(['tmp_objdir-incoming-a', 'tmp_objdir-incoming-b']);
      expect(watch.watched).toBe(2);
      watch.release();
      // Only the cancelled one is closed.
      expect(watch.watched).toBe(1);
      rmSync(a, { recursive: true, force: true });
      rmSync(b, { recursive: true, force: true });
    } finally {
      watch.stop();
    }
    expect(watch.watched).toBe(0);
  });
});
