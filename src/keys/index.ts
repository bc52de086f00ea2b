/** Private keys: the file format (pure) and the store on disk (adapter). */
export { formatKeyFile, parseKeyFile, type ActorKey } from './key-file';
export { defaultKeyDir, loadKey, newKey } from './store';
export { signFast } from './signer';
