/**
 * The note pre-receive leaves for update: "this exact update was decided
 * under this exact policy, and allowed". update trusts a record only if
 * every part of the key matches; anything else and it decides by itself.
 * The key is a digest so it makes a safe file name. Pure.
 */
import { sha256 } from '../canon/digest';
import { toHex, utf8 } from '../core/bytes';
import type { RefUpdate } from './ref-update';

export const RECORD_VERSION = 'gatos-verdict-v1';

export function recordKey(u: RefUpdate, policyRoot: string): string {
  return toHex(sha256(utf8(`${RECORD_VERSION}\0${u.ref}\0${u.oldId}\0${u.newId}\0${policyRoot}`)));
}

/** The record's content: the key's parts in clear, so a reader can check them, not only the name. */
export function recordText(u: RefUpdate, policyRoot: string): string {
  return `${RECORD_VERSION}\n${u.ref}\n${u.oldId}\n${u.newId}\n${policyRoot}\nallowed\n`;
}
