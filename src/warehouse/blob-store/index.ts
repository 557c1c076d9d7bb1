export {
  assertSha256,
  BlobIntegrityError,
  BlobNotFoundError,
  type BlobStat,
  type BlobStore,
  type PutResult,
  type SweepOptions,
  type SweepResult,
} from './blob-store.js'
export { DiskBlobStore, type DiskBlobStoreOptions } from './disk-blob-store.js'
