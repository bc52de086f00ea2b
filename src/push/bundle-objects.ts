/**
 * The active bundle's objects without `git cat-file`: the hooks keep a copy
 * of each object of the active bundle (its commit, trees and files) in git's
 * own loose format in $GIT_DIR/gatos/cache/objects, and read it back with the
 * loose-object reader (src/git/loose.ts), which checks every object whole:
 * its header's type and size, and the hash of header and contents against
 * the id asked for. A copy can therefore only ever be the object its id
 * names, whoever wrote the file; a damaged or foreign one is no copy, and git
 * is asked. Only what loading the commit refs/gatos/policies/active names
 * reads goes through here, so every id asked for is reachable from that ref
 * and in the repository too. Packed in the repository (as install.sh and
 * `git gc` leave it), the bundle otherwise costs a cat-file process on every
 * cold push: about 9 ms of CPU here (decision 0042). Adapter (filesystem).
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { ok, type GateError, type Result } from '../core/result';
import type { BundleSource } from '../bundle/load';
import { isObjectId, parseCommit, parseTree, type Commit, type GitError, type GitObject, type GitRepo, type ObjectFormat } from '../git';
import { LooseObjects } from '../git/loose';
import type { TreeEntry } from '../git/parse-tree';

export function bundleObjectsDir(gitDir: string): string {
  return path.join(gitDir, 'gatos', 'cache', 'objects');
}

/** The file of object `id` in a folder laid out as git's loose objects. */
export function looseFile(dir: string, id: string): string {
  return path.join(dir, id.slice(0, 2), id.slice(2));
}

/** A view of `repo` for loading the active bundle: kept copies first, then git; save() keeps what git gave. */
export class BundleObjects implements BundleSource {
  readonly gitDir: string;
  readonly format: ObjectFormat;
  private readonly dir: string;
  private readonly kept: LooseObjects;
  private readonly fetched: GitObject[] = [];

  constructor(private readonly repo: GitRepo) {
    this.gitDir = repo.gitDir;
    this.format = repo.format;
    this.dir = bundleObjectsDir(repo.gitDir);
    this.kept = new LooseObjects([this.dir], repo.format);
  }

  async readCommit(name: string): Promise<Result<Commit, GitError | GateError>> {
    const o = await this.read(name, 'commit');
    return o ? parseCommit(o.id, o.data, this.format) : this.repo.readCommit(name);
  }

  async readTree(name: string): Promise<Result<TreeEntry[], GitError | GateError>> {
    const o = await this.read(name, 'tree');
    return o ? parseTree(o.id, o.data, this.format) : this.repo.readTree(name);
  }

  async readBlob(name: string): Promise<Result<Uint8Array, GitError>> {
    const o = await this.read(name, 'blob');
    return o ? ok(o.data) : this.repo.readBlob(name);
  }

  /** Keeps a copy of every object git had to give; a failure only means asking git again next time. */
  save(): void {
    for (const o of this.fetched) {
      const file = looseFile(this.dir, o.id);
      try {
        if (existsSync(file)) continue;
        mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, deflateSync(Buffer.concat([Buffer.from(`${o.type} ${o.data.length}\0`, 'latin1'), o.data])), { mode: 0o600 });
        renameSync(tmp, file);
      } catch {
        // Not kept: read from git next time.
      }
    }
    this.fetched.length = 0;
  }

  /** The object of this type: a kept copy, else git's (remembered for save()); undefined: the repository's own read answers, errors included. */
  private async read(name: string, type: GitObject['type']): Promise<GitObject | undefined> {
    const kept = isObjectId(this.format, name) ? this.kept.read(name) : undefined;
    if (kept?.type === type) return kept;
    const o = await this.repo.readObject(name);
    if (!o.ok || o.value.type !== type) return undefined;
    if (isObjectId(this.format, name)) this.fetched.push(o.value);
    return o.value;
  }
}
