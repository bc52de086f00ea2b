/**
 * What git and the host hand a hook, as bytes turned into strings without
 * loss (src/core/byte-text.ts): pre-receive's stdin, the update hook's
 * arguments and the environment. Node decodes argv and the environment as
 * UTF-8 and replaces invalid bytes with U+FFFD, so two different ref or
 * host user names could read the same; here they stay distinct and the
 * audit entry records their exact bytes. Adapter (the process, /proc).
 */
import { readFileSync } from 'node:fs';
import { textOfBytes } from '../core/byte-text';

/** NUL-separated strings of a /proc file, decoded losslessly; undefined when it cannot be read (not Linux). */
export function procStrings(file: string): string[] | undefined {
  try {
    const b = readFileSync(file);
    const out: string[] = [];
    let start = 0;
    for (let i = 0; i < b.length; i++) {
      if (b[i] === 0) {
        out.push(textOfBytes(b.subarray(start, i)));
        start = i + 1;
      }
    }
    if (start < b.length) out.push(textOfBytes(b.subarray(start)));
    return out;
  } catch {
    return undefined;
  }
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
