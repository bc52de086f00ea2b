/** Policy bundles: build (pure), publish and load (git adapters); see docs/formats.md §5. */
export { bundleId } from './bundle-id';
export { buildBundle, type Bundle } from './build';
export { MANIFEST_FILE, POLICY_FILE, encodeManifest, foldFile, type Manifest } from './manifest';
export { loadBundle, type LoadedBundle } from './load';
export { publishBundle } from './publish';
export { publishMessage } from './published';
export { declaredBundleIds } from './fold-root';
