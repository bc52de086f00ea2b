/**
 * Private keys on disk, outside any repository: `<key-dir>/<kind>/<name>.key`,
 * mode 0600 in 0700 directories. The key dir is `--key-dir`, else
 * $GATOS_KEY_DIR, else $XDG_CONFIG_HOME/gatos/keys, else ~/.config/gatos/keys.
 * Adapter: the only code that reads or writes key files.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateKeyPair } from '../canon/ed25519';
import { toHex } from '../core/bytes';
import { err, gateError, ok, type GateError, type Result } from '../core/result';
import { parseActor } from '../actors';
import { formatKeyFile, parseKeyFile, type ActorKey } from './key-file';

export function defaultKeyDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GATOS_KEY_DIR) return path.resolve(env.GATOS_KEY_DIR);
  const base = env.XDG_CONFIG_HOME ? path.resolve(env.XDG_CONFIG_HOME) : path.join(env.HOME ?? os.homedir(), '.config');
  return path.join(base, 'gatos', 'keys');
}

export function keyFilePath(keyDir: string, actorId: string): Result<string> {
  const a = parseActor(actorId);
  if (!a.ok) return a;
  return ok(path.join(keyDir, a.value.kind, `${a.value.name}.key`));
}

function inside(dir: string, root: string): boolean {
  const rel = path.relative(root, dir);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export interface NewKeyOptions {
  readonly keyDir: string;
  readonly actor: string;
  /** Keep an existing key as <name>.<16 hex>.key and write a new one. */
  readonly rotate?: boolean;
  /** Work trees the key dir must not be inside. */
  readonly forbiddenRoots?: readonly string[];
}

export function newKey(o: NewKeyOptions): Result<{ file: string; key: ActorKey; rotatedTo?: string }> {
  const file = keyFilePath(o.keyDir, o.actor);
  if (!file.ok) return file;
  for (const root of o.forbiddenRoots ?? []) {
    if (inside(path.resolve(o.keyDir), path.resolve(root))) {
      return err(gateError('USAGE', `the key dir ${o.keyDir} is inside the repository ${root}; a private key must never be committed`, { hint: 'use the default (~/.config/gatos/keys) or --key-dir outside the work tree' }));
    }
  }
  let kept: string | undefined;
  if (existsSync(file.value)) {
    if (!o.rotate) return err(gateError('USAGE', `${file.value} already holds a key for ${o.actor}`, { hint: 'to replace it, rotate: gatos key new --actor ... --rotate (then gatos trust add to publish the new key)' }));
    const old = loadKey(o.keyDir, o.actor);
    if (!old.ok) return old;
    kept = file.value.replace(/\.key$/, `.${toHex(old.value.publicKey).slice(0, 16)}.key`);
  }
  const pair = generateKeyPair();
  const key: ActorKey = { actor: o.actor, seed: pair.seed, publicKey: pair.publicKey };
  // Every step that can fail on the disk (a file where a folder should be, no permission, a read-only
  // file system) fails before the old key is moved aside, and says which key dir to change.
  const step = (what: string, f: () => void): GateError | undefined => {
    try {
      f();
      return undefined;
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      return gateError('USAGE', `cannot ${what} in the key dir ${o.keyDir}: ${reason}`, { hint: 'choose a directory you can write with --key-dir or GATOS_KEY_DIR (default ~/.config/gatos/keys)' });
    }
  };
  const dir = path.dirname(file.value);
  const failed =
    step('create the folder', () => mkdirSync(dir, { recursive: true, mode: 0o700 })) ??
    step('restrict the folder to you', () => chmodSync(dir, 0o700)) ??
    (kept ? step('keep the previous key', () => renameSync(file.value, kept)) : undefined) ??
    step('write the key', () => writeFileSync(file.value, formatKeyFile(key), { mode: 0o600, flag: 'wx' }));
  if (failed) return err(failed);
  return ok({ file: file.value, key, ...(kept ? { rotatedTo: kept } : {}) });
}

export function loadKey(keyDir: string, actorId: string): Result<ActorKey> {
  const file = keyFilePath(keyDir, actorId);
  if (!file.ok) return file;
  let mode: number;
  let bytes: Uint8Array;
  try {
    mode = statSync(file.value).mode;
    bytes = new Uint8Array(readFileSync(file.value));
  } catch {
    const where = existsSync(keyDir) ? `at ${file.value}` : `at ${file.value} (the key dir ${keyDir} does not exist)`;
    return err(gateError('NOT_FOUND', `no private key for ${actorId} ${where}`, { hint: `make one with gatos key new --actor ${actorId}, or point --key-dir / GATOS_KEY_DIR at your keys` }));
  }
  if ((mode & 0o077) !== 0) {
    return err(gateError('USAGE', `${file.value} can be read by other users (mode ${(mode & 0o777).toString(8)})`, { hint: `run chmod 600 ${file.value}` }));
  }
  const key = parseKeyFile(bytes, file.value);
  if (!key.ok) return key;
  if (key.value.actor !== actorId) return err(gateError('USAGE', `${file.value} holds the key of ${key.value.actor}, not ${actorId}`, { hint: 'the key file was moved; make a new key' }));
  return key;
}
