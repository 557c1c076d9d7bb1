import { createHash, randomUUID } from 'node:crypto'
import { link, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { PassThrough, pipeline, type Readable } from 'node:stream'
import {
  assertSha256,
  BlobIntegrityError,
  BlobNotFoundError,
  type BlobStat,
  type BlobStore,
  type PutResult,
} from './blob-store.js'

/** Options of {@link DiskBlobStore}. */
export interface DiskBlobStoreOptions {
  /** fsync files and directories before reporting success (default true; turn off only in tests/benches). */
  readonly fsync?: boolean
}

function isErrno(err: unknown, ...codes: string[]): boolean {
  return typeof err === 'object' && err !== null && codes.includes((err as { code?: string }).code ?? '')
}

/**
 * Blobs as files under `root`, fanned out as `ab/cd/<sha256>`.
 * Content is written to `root/.tmp`, hashed on the way, synced, then published atomically with a
 * hard link (exactly one concurrent writer of the same content "creates" it; the others see `existed`).
 * A published file is therefore always complete and matches its name.
 */
export class DiskBlobStore implements BlobStore {
  private readonly tmpDir: string
  private readonly fsync: boolean

  constructor(
    readonly root: string,
    options: DiskBlobStoreOptions = {},
  ) {
    this.tmpDir = join(root, '.tmp')
    this.fsync = options.fsync ?? true
  }

  /** Path of a blob on disk (for diagnostics; callers should use {@link get}). */
  pathOf(sha256: string): string {
    const hash = assertSha256(sha256)
    return join(this.root, hash.slice(0, 2), hash.slice(2, 4), hash)
  }

  async put(content: Readable | Buffer | Uint8Array, expectedSha256?: string): Promise<PutResult> {
    const expected = expectedSha256 === undefined ? undefined : assertSha256(expectedSha256)
    await mkdir(this.tmpDir, { recursive: true })
    const tmp = join(this.tmpDir, `${process.pid}-${randomUUID()}`)
    try {
      const { sha256, size } = await this.writeTemp(tmp, content)
      if (expected !== undefined && expected !== sha256) throw new BlobIntegrityError(expected, sha256, size)
      const existed = await this.publish(tmp, sha256, size)
      return { sha256, size, existed }
    } finally {
      await rm(tmp, { force: true })
    }
  }

  get(sha256: string): Readable {
    const path = this.pathOf(sha256)
    const out = new PassThrough()
    open(path, 'r').then(
      (handle) => pipeline(handle.createReadStream(), out, () => undefined),
      (err: unknown) => out.destroy(isErrno(err, 'ENOENT') ? new BlobNotFoundError(sha256) : (err as Error)),
    )
    return out
  }

  async has(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== null
  }

  async stat(sha256: string): Promise<BlobStat | null> {
    try {
      const s = await stat(this.pathOf(sha256))
      return { sha256: sha256.toLowerCase(), size: s.size }
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null
      throw err
    }
  }

  /** Removes temporary files older than `maxAgeMs` left by crashed writers; returns how many. */
  async cleanupTemp(maxAgeMs = 3_600_000, now: Date = new Date()): Promise<number> {
    let removed = 0
    let names: string[]
    try {
      names = await readdir(this.tmpDir)
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return 0
      throw err
    }
    for (const name of names) {
      const path = join(this.tmpDir, name)
      const s = await stat(path).catch(() => null)
      if (s && now.getTime() - s.mtimeMs > maxAgeMs) {
        await rm(path, { force: true })
        removed++
      }
    }
    return removed
  }

  private async writeTemp(tmp: string, content: Readable | Buffer | Uint8Array): Promise<{ sha256: string; size: number }> {
    const hash = createHash('sha256')
    let size = 0
    const handle = await open(tmp, 'wx')
    try {
      if (content instanceof Uint8Array) {
        hash.update(content)
        size = content.byteLength
        await handle.writeFile(content)
      } else {
        for await (const chunk of content) {
          const bytes: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array)
          hash.update(bytes)
          size += bytes.length
          await handle.write(bytes)
        }
      }
      if (this.fsync) await handle.sync()
    } finally {
      await handle.close()
    }
    return { sha256: hash.digest('hex'), size }
  }

  /** Publishes the synced temp file under its hash; returns true if the blob was already there. */
  private async publish(tmp: string, sha256: string, size: number): Promise<boolean> {
    const final = this.pathOf(sha256)
    await mkdir(dirname(final), { recursive: true })
    try {
      await link(tmp, final)
    } catch (err) {
      if (isErrno(err, 'EEXIST')) {
        const current = await stat(final).catch(() => null)
        if (current?.size === size) return true
        // A damaged copy (wrong size) is replaced by the verified one.
        await rename(tmp, final)
        await this.syncDir(dirname(final))
        return false
      }
      // File systems without hard links: rename is atomic too, but last writer wins.
      if (!isErrno(err, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK', 'ENOSYS')) throw err
      if ((await stat(final).catch(() => null))?.size === size) return true
      await rename(tmp, final)
    }
    await this.syncDir(dirname(final))
    return false
  }

  private async syncDir(dir: string): Promise<void> {
    if (!this.fsync) return
    // Makes the new directory entry durable; not supported on every platform, so best effort.
    const handle = await open(dir, 'r').catch(() => null)
    if (!handle) return
    await handle.sync().catch(() => undefined)
    await handle.close()
  }
}
