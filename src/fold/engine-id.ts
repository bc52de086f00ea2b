/**
 * The identity of the fold engine, recorded in every checkpoint's Fold-Engine
 * trailer. Any change to the semantics of the VM, the IR, the number model or
 * the RNG bumps the matching version, so an old checkpoint is never checked
 * against new semantics by accident.
 */
export const ECHO_VERSION = '0.5.0';
export const ELC_VERSION = '1.1.0';
export const NUM_MODEL = 'q32.32';
export const RNG_ID = 'pcg32@1';

/** `echo@<semver>+elc@<semver>+num=q32.32+rng=pcg32@<ver>` */
export const FOLD_ENGINE = `echo@${ECHO_VERSION}+elc@${ELC_VERSION}+num=${NUM_MODEL}+rng=${RNG_ID}`;

/** Fold-Math trailer value. */
export const FOLD_MATH = 'fixed-q32.32';
