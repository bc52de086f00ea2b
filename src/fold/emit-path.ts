/**
 * Paths of emitted state files. A fold writes only inside its own tree, so
 * a path is relative, has no empty, '.' or '..' segment, no backslash or
 * control character, and is in Unicode NFC (two spellings of one name would
 * otherwise give two roots for the same tree). No path may also be a
 * directory of another: a Git tree cannot hold both `a` and `a/b`.
 */
import { textProblem } from '../canon/text';
import { utf8 } from '../core/bytes';
import { err, gateError, ok, type Result } from '../core/result';
import { compareCodePoints } from './order';

const MAX_PATH_BYTES = 4096;

/** Why `path` is not a valid emitted path, or undefined when it is. */
export function emitPathProblem(path: string): { message: string; hint: string } | undefined {
  const hint = "write a relative path with '/' between names, e.g. 'state/finance/invoices.json'";
  if (path.length === 0) return { message: 'the path is empty', hint };
  if (path.startsWith('/')) return { message: `'${path}' is absolute (starts with '/')`, hint };
  if (path.endsWith('/')) return { message: `'${path}' ends with '/'`, hint: 'name a file, not a directory' };
  if (path.includes('\\')) return { message: `'${path}' contains a backslash`, hint: "separate names with '/'" };
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(path)) return { message: `'${JSON.stringify(path)}' contains a control character`, hint };
  const text = textProblem(path);
  if (text?.kind === 'lone-surrogate') return { message: 'the path contains a lone surrogate', hint };
  if (text) return { message: `'${path}' is not in Unicode NFC`, hint: 'normalize the path to NFC' };
  for (const seg of path.split('/')) {
    if (seg === '') return { message: `'${path}' has an empty segment ('//')`, hint };
    if (seg === '.' || seg === '..') return { message: `'${path}' has a '${seg}' segment`, hint: 'a fold cannot emit outside its own tree' };
    if (seg === '.git') return { message: `'${path}' has a '.git' segment`, hint: 'Git refuses such paths in trees' };
  }
  if (utf8(path).byteLength > MAX_PATH_BYTES) return { message: `the path is longer than ${MAX_PATH_BYTES} bytes`, hint: 'use a shorter path' };
  return undefined;
}

export function checkEmitPath(path: string): Result<string> {
  const problem = emitPathProblem(path);
  return problem ? err(gateError('FOLD_ERROR', `invalid emitted path: ${problem.message}`, { hint: problem.hint })) : ok(path);
}

/** Valid paths in code point order, or the first problem: an invalid path, a repeat, or a file that is also a directory. */
export function checkEmitTree(paths: Iterable<string>): Result<string[]> {
  const sorted = [...paths].sort(compareCodePoints);
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i] as string;
    const bad = checkEmitPath(p);
    if (!bad.ok) return bad;
    const prev = sorted[i - 1];
    if (prev === p) return err(gateError('FOLD_ERROR', `the path '${p}' is emitted twice`, { hint: 'each emitted file needs its own path' }));
  }
  // 'a' and 'a/b' need not be neighbours ('a-x' sorts between them), so test every prefix.
  const all = new Set(sorted);
  for (const p of sorted) {
    for (let at = p.indexOf('/'); at >= 0; at = p.indexOf('/', at + 1)) {
      const dir = p.slice(0, at);
      if (all.has(dir)) {
        return err(gateError('FOLD_ERROR', `'${dir}' is emitted as a file and is also the directory of '${p}'`, { hint: 'a Git tree cannot hold a file and a directory of the same name' }));
      }
    }
  }
  return ok(sorted);
}
