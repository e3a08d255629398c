// Tar archives for workspace snapshots, in plain TypeScript over Uint8Array so that the same code runs in Node
// and in the browser: `TarWriter`/`tarToBytes` write them, `readTar` reads them, `checkTarEntry` says which
// entries are safe to restore.
export { type ByteInput } from './byte-source.js';
export { type TarEntryType } from './tar-header.js';
export { checkTarEntry, normalizeTarPath, unsafePathReason } from './tar-paths.js';
export { readTar, readTarHeads, type ReadTarOptions, type TarEntry, type TarEntryHead } from './tar-reader.js';
export { type TarEntryOptions, type TarSink, TarWriter, tarToBytes } from './tar-writer.js';
