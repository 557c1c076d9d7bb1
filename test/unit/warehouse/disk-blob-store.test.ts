import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { text } from 'node:stream/consumers'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  BlobIntegrityError,
  BlobNotFoundError,
  DiskBlobStore,
} from '../../../src/warehouse/blob-store/index.js'

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
})
