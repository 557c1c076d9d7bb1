import type { Readable } from 'node:stream'

/** What {@link BlobStore.put} stored. */
export interface PutResult {
  /** Lower-case hex SHA-256 of the content: the blob's address. */
  readonly sha256: string
  /** Size in bytes. */
  readonly size: number
  /** True when the same content was already stored (nothing new was written). */
  readonly existed: boolean
}

/** Metadata of a stored blob. */
export interface BlobStat {
  readonly sha256: string
  readonly size: number
}

/**
 * Content-addressed storage of file contents (SHA-256). Callers only see hashes, so a disk,
 * S3-compatible or other backend can be swapped without touching them.
 */
export interface BlobStore {
  /**
   * Stores content, hashing it while it is written. When `expectedSha256` is given and the
   * content hashes differently, nothing is stored and a {@link BlobIntegrityError} is thrown.
   * Idempotent: storing the same content twice keeps one copy (`existed: true` the second time).
   */
  put(content: Readable | Buffer | Uint8Array, expectedSha256?: string): Promise<PutResult>
  /** Streams a blob; the stream errors with {@link BlobNotFoundError} if it does not exist. */
  get(sha256: string): Readable
  has(sha256: string): Promise<boolean>
  /** Size of a blob, or `null` if it does not exist. */
  stat(sha256: string): Promise<BlobStat | null>
  /** Deletes blobs no row references and stale temporary files (see {@link SweepOptions}). */
  sweep(options: SweepOptions): Promise<SweepResult>
}

/** Options of {@link BlobStore.sweep}. */
export interface SweepOptions {
  /**
   * Age (since the blob was last written or re-stored) under which a blob is kept even when no row
   * references it: a row is inserted after its blob is stored, so this must exceed the longest
   * time between the two. Stale temporary files older than this are removed too.
   */
  readonly graceMs: number
  /** Of these hashes, the ones a row references (the store knows nothing about rows). */
  readonly referenced: (sha256s: readonly string[]) => Promise<Iterable<string>>
  /** Hashes per `referenced` call (default 500). */
  readonly batchSize?: number
  /** Stops between batches (shutdown). */
  readonly signal?: AbortSignal
}

/** What {@link BlobStore.sweep} did. */
export interface SweepResult {
  /** Blobs looked at. */
  readonly scanned: number
  /** Unreferenced blobs older than the grace period, deleted. */
  readonly removed: number
  /** Temporary files older than the grace period, deleted. */
  readonly tempRemoved: number
}

/** Content did not hash to the expected SHA-256 (a corrupt or truncated download). Retryable by re-downloading. */
export class BlobIntegrityError extends Error {
  readonly code = 'BLOB_INTEGRITY' // internal: never answered as such (the callers map it)
  constructor(
    readonly expectedSha256: string,
    readonly actualSha256: string,
    readonly size: number,
  ) {
    super(`blob hash mismatch: expected ${expectedSha256}, got ${actualSha256} (${size} bytes)`)
    this.name = 'BlobIntegrityError'
  }
}

/** No blob with this hash. */
export class BlobNotFoundError extends Error {
  readonly code = 'BLOB_NOT_FOUND' // internal: never answered as such
  constructor(readonly sha256: string) {
    super(`blob not found: ${sha256}`)
    this.name = 'BlobNotFoundError'
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/

/** Normalizes a SHA-256 hex string to lower case; throws a TypeError when it is not one (it could be a path). */
export function assertSha256(value: string): string {
  const lower = value.toLowerCase()
  if (!SHA256_HEX.test(lower)) throw new TypeError('invalid sha256: expected 64 hex characters')
  return lower
}
