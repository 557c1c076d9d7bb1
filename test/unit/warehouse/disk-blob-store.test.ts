import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BlobIntegrityError, BlobNotFoundError, DiskBlobStore } from '../../../src/documents/blob-store/index.js'

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex')

let root: string
let store: DiskBlobStore

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'lgsp-blobs-'))
  store = new DiskBlobStore(root)
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

/** Every file under root except the temp folder, relative paths. */
async function storedFiles(): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort()
}

describe('DiskBlobStore', () => {
  it('round-trips a buffer under a fanned-out content address', async () => {
    const body = Buffer.from('hello warehouse')
    const put = await store.put(body)
    expect(put).toEqual({ sha256: sha(body), size: body.length, existed: false })
    const h = sha(body)
    expect(await storedFiles()).toEqual([join(h.slice(0, 2), h.slice(2, 4), h)])
    expect(await text(store.get(h))).toBe('hello warehouse')
    expect(await store.has(h)).toBe(true)
    expect(await store.stat(h.toUpperCase())).toEqual({ sha256: h, size: body.length })
  })

  it('stores a multi-chunk stream and checks the expected hash', async () => {
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(10_000, i))
    const all = Buffer.concat(chunks)
    const put = await store.put(Readable.from(chunks), sha(all))
    expect(put).toEqual({ sha256: sha(all), size: all.length, existed: false })
    expect(await readFile(store.pathOf(put.sha256))).toEqual(all)
  })

  it('deduplicates identical content', async () => {
    const first = await store.put(Buffer.from('same'))
    const second = await store.put(Readable.from([Buffer.from('sa'), Buffer.from('me')]))
    expect(first.existed).toBe(false)
    expect(second).toEqual({ ...first, existed: true })
    expect(await storedFiles()).toHaveLength(1)
  })

  it('refuses corrupt content: typed error, nothing stored, no temp file left', async () => {
    const good = Buffer.from('the real file')
    const corrupt = Buffer.from('the real fil')
    const err = await store.put(corrupt, sha(good)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BlobIntegrityError)
    expect(err).toMatchObject({ expectedSha256: sha(good), actualSha256: sha(corrupt), size: corrupt.length })
    expect(await storedFiles()).toEqual([])
    expect(await store.has(sha(good))).toBe(false)
    expect(await store.has(sha(corrupt))).toBe(false)
  })

  it('cleans up when the source stream fails midway', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('partial'))
        this.destroy(new Error('connection reset'))
      },
    })
    await expect(store.put(failing)).rejects.toThrow('connection reset')
    expect(await storedFiles()).toEqual([])
  })

  it('handles concurrent puts of the same content: one creates, the rest see it existed', async () => {
    const body = Buffer.from('x'.repeat(100_000))
    const results = await Promise.all(Array.from({ length: 12 }, () => store.put(Readable.from([body]), sha(body))))
    expect(results.filter((r) => !r.existed)).toHaveLength(1)
    expect(new Set(results.map((r) => r.sha256))).toEqual(new Set([sha(body)]))
    expect(await storedFiles()).toHaveLength(1)
    expect(await readFile(store.pathOf(sha(body)))).toEqual(body)
  })

  it('replaces a damaged copy (wrong size) with verified content', async () => {
    const body = Buffer.from('complete content')
    await store.put(body)
    await writeFile(store.pathOf(sha(body)), 'compl')
    expect(await store.put(body)).toMatchObject({ existed: false })
    expect(await readFile(store.pathOf(sha(body)))).toEqual(body)
  })

  it('reports missing blobs and rejects non-hash addresses', async () => {
    const missing = sha('nothing')
    expect(await store.has(missing)).toBe(false)
    expect(await store.stat(missing)).toBeNull()
    await expect(text(store.get(missing))).rejects.toBeInstanceOf(BlobNotFoundError)
    expect(() => store.get('../../etc/passwd')).toThrow(TypeError)
    await expect(store.put(Buffer.from('a'), 'abc')).rejects.toThrow(TypeError)
  })

  it('removes stale temp files left by a crashed writer', async () => {
    await store.put(Buffer.from('warm up'))
    const stale = join(root, '.tmp', 'crashed-writer')
    await writeFile(stale, 'half a file')
    const old = new Date(Date.now() - 2 * 3_600_000)
    await utimes(stale, old, old)
    await writeFile(join(root, '.tmp', 'active-writer'), 'in progress')
    expect(await store.cleanupTemp(3_600_000)).toBe(1)
    await expect(stat(stale)).rejects.toThrow()
    expect(await readdir(join(root, '.tmp'))).toEqual(['active-writer'])
  })

  it('leaves no temp file on any failed write: hash mismatch, failing or aborted stream, bad address, publish error', async () => {
    const tempFiles = async () => (await readdir(join(root, '.tmp')).catch(() => [])).length
    await expect(store.put(Buffer.from('abc'), sha('abd'))).rejects.toBeInstanceOf(BlobIntegrityError)
    // A stream that stops without an error (a client that went away).
    const aborted = new Readable({
      read() {
        this.push(Buffer.alloc(64 * 1024, 1))
        setImmediate(() => this.destroy())
      },
    })
    await expect(store.put(aborted)).rejects.toThrow()
    // A stream whose expected hash is not a hash: refused before reading, and the stream is released.
    const unread = Readable.from([Buffer.from('x')])
    await expect(store.put(unread, 'not-a-hash')).rejects.toThrow(TypeError)
    expect(unread.destroyed).toBe(true)
    // The fan-out folder cannot be created (a file is in the way): the write fails after the temp file exists.
    const body = Buffer.from('blocked')
    await writeFile(join(root, sha(body).slice(0, 2)), 'not a folder')
    await expect(store.put(Readable.from([body]))).rejects.toThrow()
    expect(await tempFiles()).toBe(0)
    expect(await storedFiles()).toEqual([sha(body).slice(0, 2)])
  })

  describe('sweep', () => {
    const HOUR = 3_600_000
    const age = async (path: string, ms: number) => {
      const t = new Date(Date.now() - ms)
      await utimes(path, t, t)
    }
    /** Puts each body and ages its file by `ms`. */
    const stored = async (body: string, ms: number) => {
      const { sha256 } = await store.put(Buffer.from(body))
      await age(store.pathOf(sha256), ms)
      return sha256
    }
    const exists = (hash: string) => store.has(hash)

    it('deletes unreferenced blobs older than the grace, keeps referenced and young ones, removes stale temp files', async () => {
      const orphan = await stored('orphan of a refused upload', 2 * HOUR)
      const referenced = await stored('a document row points here', 2 * HOUR)
      const young = await stored('just written, row not inserted yet', 10_000)
      const staleTemp = join(root, '.tmp', 'crashed-writer')
      await writeFile(staleTemp, 'half')
      await age(staleTemp, 2 * HOUR)
      await writeFile(join(root, '.tmp', 'writing-now'), 'in progress')
      const asked: string[][] = []
      const result = await store.sweep({
        graceMs: HOUR,
        referenced: async (hashes) => {
          asked.push([...hashes])
          return hashes.filter((h) => h === referenced)
        },
      })
      expect(result).toEqual({ scanned: 3, removed: 1, tempRemoved: 1 })
      expect(asked.flat().sort()).toEqual([orphan, referenced, young].sort())
      expect(await exists(orphan)).toBe(false)
      expect(await exists(referenced)).toBe(true)
      expect(await exists(young)).toBe(true)
      expect(await readdir(join(root, '.tmp'))).toEqual(['writing-now'])
      expect(await readdir(join(root, '.sweep'))).toEqual([])
    })

    it('asks about references in batches and sweeps every folder', async () => {
      const hashes = await Promise.all(Array.from({ length: 25 }, (_, i) => stored(`orphan ${i}`, 2 * HOUR)))
      const sizes: number[] = []
      const result = await store.sweep({ graceMs: HOUR, batchSize: 10, referenced: async (batch) => (sizes.push(batch.length), []) })
      expect(sizes).toEqual([10, 10, 5])
      expect(result).toMatchObject({ scanned: 25, removed: 25 })
      for (const h of hashes) expect(await exists(h)).toBe(false)
    })

    it('keeps an old orphan that is stored again while the sweep runs (its row is about to be inserted)', async () => {
      const body = Buffer.from('uploaded again after the reference check')
      const hash = await stored(body.toString(), 2 * HOUR)
      // The new upload lands after the sweeper asked the database and before it looks at the file.
      const result = await store.sweep({
        graceMs: HOUR,
        referenced: async () => {
          expect(await store.put(body)).toMatchObject({ existed: true })
          return []
        },
      })
      expect(result.removed).toBe(0)
      expect(await readFile(store.pathOf(hash))).toEqual(body)
    })

    it('puts back blobs a crashed sweeper left aside, then decides again', async () => {
      const body = Buffer.from('moved aside, then the sweeper died')
      const hash = sha(body)
      await mkdir(join(root, '.sweep'), { recursive: true })
      const aside = join(root, '.sweep', `${hash}-999-crashed`)
      await writeFile(aside, body)
      const result = await store.sweep({ graceMs: HOUR, referenced: async (hashes) => hashes })
      expect(result).toMatchObject({ scanned: 1, removed: 0 })
      expect(await readFile(store.pathOf(hash))).toEqual(body)
      expect(await readdir(join(root, '.sweep'))).toEqual([])
    })

    it('stops between batches when aborted', async () => {
      await Promise.all(Array.from({ length: 6 }, (_, i) => stored(`orphan ${i}`, 2 * HOUR)))
      const ac = new AbortController()
      const result = await store.sweep({
        graceMs: HOUR,
        batchSize: 2,
        signal: ac.signal,
        referenced: async () => {
          ac.abort()
          return []
        },
      })
      expect(result).toEqual({ scanned: 2, removed: 2, tempRemoved: 0 })
      expect((await storedFiles()).length).toBe(4)
    })
  })
})
