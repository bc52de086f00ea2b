/**
 * The types of the .rgs language. Sets hold strings only; maps are keyed by
 * strings; records have a fixed field list; `caps` is the capability table
 * (name -> expiry epoch or null). There are no floats and no null values in
 * expressions: an absent attribute is an evaluation error, never a default.
 */

export type RgsType =
  | { readonly kind: 'bool' }
  | { readonly kind: 'int' }
  | { readonly kind: 'string'; readonly oneOf?: readonly string[] }
  | { readonly kind: 'set' }
  | { readonly kind: 'caps' }
  | { readonly kind: 'map'; readonly value: RgsType }
  | { readonly kind: 'record'; readonly name: string; readonly fields: Readonly<Record<string, RgsType>> };

export const BOOL: RgsType = { kind: 'bool' };
export const INT: RgsType = { kind: 'int' };
export const STRING: RgsType = { kind: 'string' };
export const SET: RgsType = { kind: 'set' };
export const CAPS: RgsType = { kind: 'caps' };

export function enumOf(values: readonly string[]): RgsType {
  return { kind: 'string', oneOf: values };
}

/** How a type is named in messages: "string", "set of strings", "record actor". */
export function typeName(t: RgsType): string {
  switch (t.kind) {
    case 'set':
      return 'set of strings';
    case 'caps':
      return 'capability table';
    case 'map':
      return `map of ${typeName(t.value)}`;
    case 'record':
      return `record ${t.name}`;
    case 'string':
      return t.oneOf ? `string (one of ${t.oneOf.join(', ')})` : 'string';
    default:
      return t.kind;
  }
}

/** Structural equality, ignoring enum restrictions (an enum is still a string). */
export function sameType(a: RgsType, b: RgsType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'map' && b.kind === 'map') return sameType(a.value, b.value);
  if (a.kind === 'record' && b.kind === 'record') return a.name === b.name;
  return true;
}
