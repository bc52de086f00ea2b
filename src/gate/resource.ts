/**
 * Resource URIs, the seed's "gatos://<repo>/<ns>/<path> as the resource field
 * everywhere" (audit entries, proofs, evidence packs). <repo> is the
 * repository's name: the gatos.repoName setting, else the bare repository's
 * directory name without `.git` (on a client: the remote URL's last segment,
 * the same name). <ns> is the ref's namespace, `_` for refs outside one.
 * <path> is the ref's plane and the rest of its name: `journal/user/alice`,
 * `state`, `audit/proofs`; for refs outside a namespace the ref name without
 * `refs/` (`gatos/policies/active`, `heads/main`). Every segment is
 * percent-encoded over its UTF-8 bytes (RFC 3986: only unreserved
 * characters stay), so a URI is one line of ASCII. docs/formats.md. Pure.
 */
import { textBytes } from '../core/byte-text';
import { classifyRef } from './ref-class';

/** The <ns> of a ref that belongs to no namespace. */
export const NO_NS = '_';

function encodeSegment(s: string): string {
  let out = '';
  for (const b of textBytes(s)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** gatos://<repo>/<ns>/<path>, each segment of `path` encoded on its own. */
export function resourceUri(repo: string, ns: string, path: string): string {
  return `gatos://${encodeSegment(repo)}/${encodeSegment(ns)}/${path.split('/').map(encodeSegment).join('/')}`;
}

/** The resource a ref names. */
export function refResource(repo: string, ref: string): string {
  const c = classifyRef(ref);
  if (c.plane === 'journal') return resourceUri(repo, c.journal.ns, `journal/${ref.slice(`refs/gatos/journal/${c.journal.ns}/`.length)}`);
  if (c.plane === 'state') return resourceUri(repo, c.ns, 'state');
  if (c.plane === 'proofs') return resourceUri(repo, c.ns, 'audit/proofs');
  return resourceUri(repo, NO_NS, ref.startsWith('refs/') ? ref.slice('refs/'.length) : ref);
}

/** The name <repo> stands for when gatos.repoName is not set: a path's or URL's last segment without `.git`. */
export function repoNameOf(pathOrUrl: string): string {
  const last = pathOrUrl.replace(/[/\\]+$/, '').split(/[/\\:]/).pop() ?? '';
  return last.endsWith('.git') ? last.slice(0, -'.git'.length) : last;
}
