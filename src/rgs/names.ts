/** Names in a compiled policy that the compiler, the loader and the evaluator share (no parser here: the hooks load this). */

/** A label: letters, digits and . _ : - (at most 64), e.g. 'private' or 'pii:customer'. */
export const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
/** The id a denial carries when no rule allowed the request. */
export const DEFAULT_DENY_ID = 'default-deny';
