/**
 * What git and the host hand a hook, as bytes turned into strings without
 * loss (src/core/byte-text.ts): pre-receive's stdin, the update hook's
 * arguments and the environment. Node decodes argv and the environment as
 * UTF-8 and replaces invalid bytes with U+FFFD, so two different ref or
 * host user names could read the same; here they stay distinct and the
 * audit entry records their exact bytes. Adapter (the process, /proc).
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { textOfBytes } from '../core/byte-text';

/**
 * A /proc file's bytes: an open, reads until end-of-file, a close. /proc files report size 0, so readFileSync
 * adds an fstat and reads into 64 KiB chunks it then joins; the daemon reads three per push (decision 0055).
 */
export function readProcFile(file: string): Buffer {
  const fd = openSync(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(8192);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        const more = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(more, 0, 0, n);
        buf = more;
      }
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) return buf.subarray(0, n);
      n += r;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * NUL-separated strings of a /proc file, decoded losslessly; undefined when it cannot be read (not Linux). Decoded
 * whole, then split: a NUL byte is never part of a UTF-8 sequence, nor of an escaped byte, so each string is what
 * decoding it alone gives.
 */
export function procStrings(file: string): string[] | undefined {
  let b: Buffer;
  try {
    b = readProcFile(file);
  } catch {
    return undefined;
  }
  if (b.length === 0) return [];
  const out = textOfBytes(b).split('\0');
  // A last string ended by its NUL (as the kernel writes them) leaves an empty piece after it.
  if (b[b.length - 1] === 0) out.pop();
  return out;
}

/** pre-receive's stdin: the raw bytes (for a chained hook) and their lossless text. */
export function readStdin(): { bytes: Buffer; text: string } {
  const bytes = readFileSync(0);
  return { bytes, text: textOfBytes(bytes) };
}

/** The hook's arguments (process.argv after the script), with any that Node decoded lossily read again from /proc. */
export function hookArgs(): string[] {
  const args = process.argv.slice(2);
  if (!args.some((a) => a.includes('\ufffd'))) return args;
  const raw = procStrings('/proc/self/cmdline');
  return raw && raw.length >= args.length ? raw.slice(raw.length - args.length) : args;
}

/** process.env, with every value Node decoded lossily read again from /proc (the host's user names are bytes too). */
export function hookEnv(): NodeJS.ProcessEnv {
  const env = process.env;
  if (!Object.values(env).some((v) => v?.includes('\ufffd'))) return env;
  const raw = procStrings('/proc/self/environ');
  if (!raw) return env;
  const out: NodeJS.ProcessEnv = { ...env };
  for (const kv of raw) {
    const eq = kv.indexOf('=');
    if (eq <= 0) continue;
    const key = kv.slice(0, eq);
    if (out[key]?.includes('\ufffd')) out[key] = kv.slice(eq + 1);
  }
  return out;
}
