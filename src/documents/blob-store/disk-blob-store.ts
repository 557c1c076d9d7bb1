import { createHash, randomUUID } from 'node:crypto'
import { link, mkdir, open, readdir, rename, rm, stat, utimes } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { PassThrough, pipeline, type Readable } from 'node:stream'
import {
  assertSha256,
  BlobIntegrityError,
  BlobNotFoundError,
  type BlobStat,
  type BlobStore,
  type PutResult,
  type SweepOptions,
  type SweepResult,
} from './blob-store.js'

const FAN = /^[0-9a-f]{2}$/
const HASH = /^[0-9a-f]{64}$/

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
 * A published file is therefore always complete and matches its name. Its modification time is
 * the last time it was stored: {@link sweep} keeps unreferenced blobs younger than the grace period.
 */
export class DiskBlobStore implements BlobStore {
  private readonly tmpDir: string
  /** Blobs being deleted by a sweep (moved here first, so a concurrent writer can be detected). */
  private readonly asideDir: string
  private readonly fsync: boolean

  constructor(
    readonly root: string,
    options: DiskBlobStoreOptions = {},
  ) {
    this.tmpDir = join(root, '.tmp')
    this.asideDir = join(root, '.sweep')
    this.fsync = options.fsync ?? true
  }

  /** Path of a blob on disk (for diagnostics; callers should use {@link get}). */
  pathOf(sha256: string): string {
    const hash = assertSha256(sha256)
    return join(this.root, hash.slice(0, 2), hash.slice(2, 4), hash)
  }

  async put(content: Readable | Buffer | Uint8Array, expectedSha256?: string): Promise<PutResult> {
    const tmp = join(this.tmpDir, `${process.pid}-${randomUUID()}`)
    try {
      const expected = expectedSha256 === undefined ? undefined : assertSha256(expectedSha256)
      await mkdir(this.tmpDir, { recursive: true })
      const { sha256, size } = await this.writeTemp(tmp, content)
      if (expected !== undefined && expected !== sha256) throw new BlobIntegrityError(expected, sha256, size)
      const existed = await this.publish(tmp, sha256, size)
      return { sha256, size, existed }
    } catch (err) {
      // A source left unread would keep its producer (a socket, a file) open.
      if (!(content instanceof Uint8Array) && !content.destroyed) content.destroy()
      throw err
    } finally {
      // Never hides the real error; a temp file that cannot be removed now is swept once stale.
      await rm(tmp, { force: true }).catch(() => undefined)
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
      // EEXIST: stored before; the others: a file system without hard links.
      if (!isErrno(err, 'EEXIST', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'EMLINK', 'ENOSYS')) throw err
      const current = await stat(final).catch(() => null)
      // Re-stored content is touched: its age restarts, so the sweeper's grace covers the row about to reference it.
      if (current?.size === size && (await this.touch(final))) return true
      // A damaged copy (wrong size), one swept meanwhile, or no hard links: the verified file takes the name atomically.
      await rename(tmp, final)
    }
    await this.syncDir(dirname(final))
    return false
  }

  private async touch(path: string): Promise<boolean> {
    const now = new Date()
    return utimes(path, now, now).then(
      () => true,
      () => false,
    )
  }

  /**
   * Deletes every blob that is older than `graceMs` and that no row references, then the temp files
   * older than `graceMs`. Safe with other sweepers and writers running: a blob is first moved aside,
   * and put back if a writer re-stored (touched) it meanwhile; a writer that finds its name free
   * publishes its own copy. Fan-out folders are kept (removing one would race with a writer).
   */
  async sweep(options: SweepOptions): Promise<SweepResult> {
    const { graceMs, batchSize = 500, signal } = options
    await this.restoreAside()
    let scanned = 0
    let removed = 0
    let batch: string[] = []
    const flush = async () => {
      const hashes = batch
      batch = []
      if (hashes.length === 0) return
      const referenced = new Set(await options.referenced(hashes))
      for (const hash of hashes) if (!referenced.has(hash) && (await this.evict(hash, graceMs))) removed++
    }
    for await (const hash of this.walk()) {
      if (signal?.aborted) break
      scanned++
      batch.push(hash)
      if (batch.length >= batchSize) await flush()
    }
    if (!signal?.aborted) await flush()
    const tempRemoved = signal?.aborted ? 0 : await this.cleanupTemp(graceMs)
    return { scanned, removed, tempRemoved }
  }

  /** Every stored hash, folder by folder. */
  private async *walk(): AsyncGenerator<string> {
    for (const a of await this.list(this.root)) {
      if (!FAN.test(a)) continue
      for (const b of await this.list(join(this.root, a))) {
        if (!FAN.test(b)) continue
        for (const name of await this.list(join(this.root, a, b))) if (HASH.test(name) && name.startsWith(a + b)) yield name
      }
    }
  }

  private async list(dir: string): Promise<string[]> {
    try {
      return await readdir(dir)
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return []
      throw err
    }
  }

  /** Deletes one unreferenced blob if it is (still) older than the grace period. */
  private async evict(sha256: string, graceMs: number): Promise<boolean> {
    const path = this.pathOf(sha256)
    const before = await stat(path).catch(() => null)
    if (!before || Date.now() - before.mtimeMs <= graceMs) return false
    await mkdir(this.asideDir, { recursive: true })
    const aside = join(this.asideDir, `${sha256}-${process.pid}-${randomUUID()}`)
    try {
      await rename(path, aside)
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return false
      throw err
    }
    // Touched between the first look and the move: a row is about to reference it.
    const after = await stat(aside).catch(() => null)
    if (!after) return false
    if (Date.now() - after.mtimeMs <= graceMs) {
      await this.restore(aside, path)
      return false
    }
    await rm(aside, { force: true })
    return true
  }

  /** Puts a moved-aside blob back under its name (unless a writer already published it again). */
  private async restore(aside: string, path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true })
    try {
      await link(aside, path)
    } catch (err) {
      if (!isErrno(err, 'EEXIST', 'ENOENT')) throw err
    }
    await rm(aside, { force: true })
  }

  /** Blobs left aside by a sweeper that died mid-way go back: the next sweep decides again. */
  private async restoreAside(): Promise<void> {
    for (const name of await this.list(this.asideDir)) {
      const hash = name.slice(0, 64)
      if (HASH.test(hash)) await this.restore(join(this.asideDir, name), this.pathOf(hash))
      else await rm(join(this.asideDir, name), { force: true })
    }
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
