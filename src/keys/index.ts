/** Private keys: the file format (pure) and the store on disk (adapter). */
export { KEY_FILE_TYPE, formatKeyFile, parseKeyFile, type ActorKey } from './key-file';
export { defaultKeyDir, keyFilePath, loadKey, newKey, type NewKeyOptions } from './store';
export { signFast } from './signer';
