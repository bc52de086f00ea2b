/** Policy bundles: build (pure), publish and load (git adapters); see docs/formats.md §5. */
export { BUNDLE_ID_MAGIC, bundleId } from './bundle-id';
export { WORKSPACE_DIRS, buildBundle, type Bundle, type BuildOutcome } from './build';
export { MANIFEST_FILE, POLICY_FILE, encodeManifest, findFold, foldFile, readManifest, type FoldEntry, type Manifest } from './manifest';
export { loadBundle, type LoadOptions, type LoadedBundle } from './load';
export { activeBundle, publishBundle, type Published } from './publish';
export { checkPublished, publishMessage } from './published';
