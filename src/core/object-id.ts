/**
 * Object ids of the two formats git knows. The zero id (all zeros, as long as
 * a real id) marks a ref that does not exist: a create has a zero old id, a
 * delete a zero new id.
 */

export type ObjectFormat = 'sha1' | 'sha256';

const HEX_LENGTH: Readonly<Record<ObjectFormat, number>> = { sha1: 40, sha256: 64 };

/** Hex digits in an id of `format` (40 or 64). */
export function hexLength(format: ObjectFormat): number {
  return HEX_LENGTH[format];
}

/** Bytes in a raw id of `format`, as stored inside tree objects (20 or 32). */
export function rawLength(format: ObjectFormat): number {
  return HEX_LENGTH[format] / 2;
}

export function zeroId(format: ObjectFormat): string {
  return '0'.repeat(HEX_LENGTH[format]);
}

const ID_RE: Readonly<Record<ObjectFormat, RegExp>> = { sha1: /^[0-9a-f]{40}$/, sha256: /^[0-9a-f]{64}$/ };

/** A full, lowercase id of `format`; abbreviations and names are not ids. */
export function isObjectId(format: ObjectFormat, text: string): boolean {
  return ID_RE[format].test(text);
}

export function isZeroId(text: string): boolean {
  return /^0+$/.test(text) && (text.length === 40 || text.length === 64);
}

/** The format an id's length tells (40 hex digits sha1, 64 sha256); anything else tells nothing. */
export function formatOfId(id: string | undefined): ObjectFormat | undefined {
  if (id === undefined || !/^[0-9a-f]+$/.test(id)) return undefined;
  return id.length === 40 ? 'sha1' : id.length === 64 ? 'sha256' : undefined;
}

export function parseObjectFormat(text: string): ObjectFormat | undefined {
  return text === 'sha1' || text === 'sha256' ? text : undefined;
}
