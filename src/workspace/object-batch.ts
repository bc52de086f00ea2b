/**
 * Writes many objects with one git process: they are packed here (pack v2,
 * each object deflated whole, no deltas) and handed to `git index-pack
 * --stdin`, which checks every object and installs the pack. Objects git
 * already has are skipped, so a batch can be written twice.
 */
import { appendAll } from '../core/arrays';
import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { concatBytes } from '../core/bytes';
import { err, gateError, ok, type Result } from '../core/result';
import type { GitRepo, ObjectFormat } from '../git';
import { makeObject, type GitObjectBytes, type StoredType } from './git-objects';

const TYPE_CODE: Readonly<Record<StoredType, number>> = { commit: 1, tree: 2, blob: 3 };

function entryHeader(type: StoredType, size: number): Uint8Array {
  const out: number[] = [];
  let n = size;
  let byte = (TYPE_CODE[type] << 4) | (n & 0x0f);
  n = Math.floor(n / 16);
  while (n > 0) {
    out.push(byte | 0x80);
    byte = n & 0x7f;
    n = Math.floor(n / 128);
  }
  out.push(byte);
  return Uint8Array.from(out);
}

function be32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}

/** A complete pack of `objects` (repeats removed), checksummed with the repository's hash. */
export function buildPack(format: ObjectFormat, objects: readonly GitObjectBytes[]): Uint8Array {
  const seen = new Set<string>();
  const parts: Uint8Array[] = [];
  for (const o of objects) {
    if (seen.has(o.id)) continue;
    seen.add(o.id);
    parts.push(entryHeader(o.type, o.data.byteLength), deflateSync(o.data, { level: 1 }));
  }
  const body = concatBytes([new Uint8Array([0x50, 0x41, 0x43, 0x4b]), be32(2), be32(seen.size), ...parts]);
  const sum = createHash(format === 'sha1' ? 'sha1' : 'sha256').update(body).digest();
  return concatBytes([body, new Uint8Array(sum)]);
}

/** Objects gathered for one write. */
export class ObjectBatch {
  private readonly objects: GitObjectBytes[] = [];

  constructor(readonly format: ObjectFormat) {}

  add(type: StoredType, data: Uint8Array): string {
    const o = makeObject(this.format, type, data);
    this.objects.push(o);
    return o.id;
  }

  addAll(objects: readonly GitObjectBytes[]): void {
    appendAll(this.objects, objects);
  }

  get size(): number {
    return this.objects.length;
  }

  /** Writes every object in one `git index-pack`. */
  async write(repo: GitRepo): Promise<Result<void>> {
    if (this.objects.length === 0) return ok(undefined);
    const pack = buildPack(this.format, this.objects);
    const r = await repo.run(['index-pack', '--stdin', '--strict'], { input: pack });
    if (!r.ok) return err(gateError('GIT_ERROR', `git index-pack refused ${this.objects.length} objects: ${r.error.stderr.trim() || r.error.message}`, { hint: 'this is a bug in gatos or a damaged repository' }));
    this.objects.length = 0;
    return ok(undefined);
  }
}
