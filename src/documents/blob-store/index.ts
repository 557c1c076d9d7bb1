export * from './blob-store.js'
export { DiskBlobStore, type DiskBlobStoreOptions } from './disk-blob-store.js'
