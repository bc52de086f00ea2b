/**
 * The client's clone: finding its work tree and git directory, the gatos/
 * folders in it, reading and writing their files. Adapter (disk, git).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from '../canon/jcs';
import { err, expectOk, gateError, ok, type Result } from '../core/result';
import { openRepo, type GitRepo } from '../git';
import { emptyGraphJson } from '../trust';

export const WORKSPACE_FOLDERS = ['gatos/policies', 'gatos/folds', 'gatos/trust', 'gatos/config', 'gatos/trust/grants', 'gatos/trust/revocations'] as const;
export const GRAPH_FILE = 'gatos/trust/graph.json';

export interface Workspace {
  /** Absolute path of the work tree. */
  readonly root: string;
  readonly gitDir: string;
}

/** The work tree around `cwd`; a bare repository or no repository is refused. */
export function findWorkspace(cwd: string): Result<Workspace> {
  try {
    const out = execFileSync('git', ['rev-parse', '--is-bare-repository', '--show-toplevel', '--absolute-git-dir'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n');
    if (out[0] === 'true' || out.length < 3) return err(gateError('USAGE', `${cwd} is a bare repository`, { hint: 'gatos client commands run in a clone with a work tree' }));
    return ok({ root: out[1] as string, gitDir: out[2] as string });
  } catch {
    return err(gateError('NOT_FOUND', `${cwd} is not inside a git repository`, { hint: 'run git init or git clone first, then run this command inside the clone' }));
  }
}

export async function openWorkspaceRepo(ws: Workspace): Promise<Result<GitRepo>> {
  const r = await openRepo(ws.gitDir);
  return r.ok ? r : err(r.error);
}

/** Creates the missing folders and an empty trust graph; never overwrites. Returns what it created. */
export function initWorkspace(ws: Workspace): string[] {
  const made: string[] = [];
  for (const dir of WORKSPACE_FOLDERS) {
    const abs = path.join(ws.root, dir);
    if (!existsSync(abs)) {
      mkdirSync(abs, { recursive: true });
      made.push(`${dir}/`);
    }
    const keep = path.join(abs, '.gitkeep');
    if (['gatos/policies', 'gatos/folds', 'gatos/config', 'gatos/trust/grants', 'gatos/trust/revocations'].includes(dir) && readdirSync(abs).length === 0) writeFileSync(keep, '');
  }
  const graph = path.join(ws.root, GRAPH_FILE);
  if (!existsSync(graph)) {
    writeFileSync(graph, expectOk(canonicalJson(emptyGraphJson())));
    made.push(GRAPH_FILE);
  }
  return made;
}

export function isInitialized(ws: Workspace): boolean {
  return existsSync(path.join(ws.root, GRAPH_FILE));
}

export function requireInitialized(ws: Workspace): Result<true> {
  return isInitialized(ws) ? ok(true) : err(gateError('NOT_FOUND', `${ws.root} has no GATOS workspace (${GRAPH_FILE} is missing)`, { hint: 'run gatos init first' }));
}

/** Every file under `dir` (relative to the work tree), keyed by its '/'-separated work-tree path. Symbolic links are refused. */
export function readFolder(ws: Workspace, dir: string): Result<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  const walk = (rel: string): Result<true> => {
    const abs = path.join(ws.root, rel);
    if (!existsSync(abs)) return ok(true);
    for (const name of readdirSync(abs).sort()) {
      const childRel = `${rel}/${name}`;
      const st = lstatSync(path.join(ws.root, childRel));
      if (st.isSymbolicLink()) return err(gateError('USAGE', `${childRel} is a symbolic link`, { hint: 'the workspace holds plain files only' }));
      if (st.isDirectory()) {
        const r = walk(childRel);
        if (!r.ok) return r;
      } else if (st.isFile()) out.set(childRel, new Uint8Array(readFileSync(path.join(ws.root, childRel))));
    }
    return ok(true);
  };
  const r = walk(dir);
  return r.ok ? ok(out) : r;
}

export function readWorkspaceFile(ws: Workspace, rel: string): Result<Uint8Array> {
  try {
    return ok(new Uint8Array(readFileSync(path.join(ws.root, rel))));
  } catch {
    return err(gateError('NOT_FOUND', `${rel} is missing`, { hint: 'run gatos init' }));
  }
}

export function writeWorkspaceFile(ws: Workspace, rel: string, bytes: Uint8Array): void {
  const abs = path.join(ws.root, rel);
  mkdirSync(path.dirname(abs), { recursive: true });
  writeFileSync(abs, bytes);
}
