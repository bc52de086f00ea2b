/**
 * The daemon's watch on a served repository's objects/ (decision 0053): a
 * quarantine git makes there is read, once its writes pause, into the
 * daemon's LooseCache, and forgotten when git removes it.
 */
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
});
