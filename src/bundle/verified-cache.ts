/**
 * A record that a bundle commit was verified whole once: its bundle-id (the
 * BLAKE3 over every file) and, since v2, that its commit, tree and files are
 * exactly what publish writes for its sources (published.ts: recompiling
 * them is the costliest check of a load; decision 0012). A commit id names
 * its tree and every blob, so the same commit always holds the same files
 * and passes the same checks; the record lets a later load skip those two,
 * nothing else. A v1 record vouched for the bundle-id alone and is ignored;
 * a record names the release that wrote it and is ignored by any other. Kept in $GIT_DIR/gatos/cache (as trusted as
 * $GIT_DIR/hooks: whoever can write one can replace the other), named by the
 * commit, carrying a sha256 of its own bytes. Missing, damaged, for another
 * commit or anything odd: no record, and the bundle is verified in full.
 * Adapter (reads and writes files).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { seal, unseal } from '../canon/sealed';
import { decodeUtf8, utf8 } from '../core/bytes';
import { VERSION } from '../core/version';

const MAGIC = 'gatos-bundle-verified-v2\n';

export function verifiedCacheFile(gitDir: string, commit: string): string {
  return path.join(gitDir, 'gatos', 'cache', `bundle-${commit}.verified`);
}

/** The bundle-id recorded for exactly `commit`, if the record is whole; undefined otherwise. */
export function readVerified(gitDir: string, commit: string): string | undefined {
  try {
    const body = unseal(MAGIC, new Uint8Array(readFileSync(verifiedCacheFile(gitDir, commit))));
    const text = body && decodeUtf8(body);
    if (text === undefined) return undefined;
    const m = /^commit ([0-9a-f]{40}|[0-9a-f]{64})\nbundle-id ([0-9a-f]{64})\ngatos (\S+)\n$/.exec(text);
    // Written by another release: its compilers may emit other bytes for the same sources, so check again.
    return m && m[1] === commit && m[3] === VERSION ? m[2] : undefined;
  } catch {
    return undefined;
  }
}

/** Records that `commit` was verified with bundle-id `id`; a failure only means verifying in full next time. */
export function writeVerified(gitDir: string, commit: string, id: string): void {
  try {
    const file = verifiedCacheFile(gitDir, commit);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const body = utf8(`commit ${commit}\nbundle-id ${id}\ngatos ${VERSION}\n`);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, seal(MAGIC, body), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // No record: the next load verifies in full.
  }
}
