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
}

/** Content did not hash to the expected SHA-256 (a corrupt or truncated download). Retryable by re-downloading. */
export class BlobIntegrityError extends Error {
  readonly code = 'HUB_ERR_BLOB_INTEGRITY'
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
  readonly code = 'HUB_ERR_BLOB_NOT_FOUND'
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
