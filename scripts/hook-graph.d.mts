import type { Metafile, Plugin } from 'esbuild';

export declare const FORBIDDEN_IN_HOOKS: readonly { readonly pattern: RegExp; readonly what: string }[];
export declare function forbiddenInputs(metafile: Metafile, outfile: string): string[];
export declare function hookGraphPlugin(root: string): Plugin;
