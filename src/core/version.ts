/** The package version; the bundler keeps it in step with package.json (checked by a test). */
export const VERSION = '0.1.0';
