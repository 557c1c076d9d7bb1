import { createHash } from 'node:crypto'
import { readdir, utimes } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { buildPdf } from '../../src/sandbox/pki/index.js'

const H = { 'x-api-key': KEYS.province, 'content-type': 'application/json', 'x-purpose': 'TTHC' }
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const OWNER = '056085000888'
const HOUR = 3_600_000
const CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox; frame-ancestors 'none'"
const CSP_PDF = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')
const HTML = Buffer.from('<!doctype html><html><body><script>fetch("/v1/warehouse/owners/056085000888/documents")</script></body></html>')
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>')
const XML = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<GiayTo><Ma>1</Ma></GiayTo>\n')

const metadata = (documentId: string) => ({ documentId, ownerId: OWNER, documentCode: 'GT.KS.001', title: 'Giấy khai sinh', permanent: true })
const jsonBody = (documentId: string, file: Buffer, contentType: string | undefined, name = 'file.bin') => ({
  ...metadata(documentId),
  file: { name, ...(contentType === undefined ? {} : { contentType }), contentBase64: file.toString('base64') },
})

describe('warehouse content served back: allow-listed types, nosniff, CSP, attachment (acceptance 7); blobs', () => {
  let t: TestHub
  let blobDir: string
  /** Every file under the blob folder (blobs and temp files). */
  const blobFiles = async () => {
    const entries = await readdir(blobDir, { recursive: true, withFileTypes: true }).catch(() => [])
    return entries
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name))
      .sort()
  }
  const rows = async (documentId: string) => (await t.hub.db.query(`SELECT id FROM warehouse_documents WHERE local_id = $1`, [documentId])).rows.length
  const postJson = async (body: unknown) => {
    const res = await fetch(`${t.url}/v1/warehouse/documents`, { method: 'POST', headers: H, body: JSON.stringify(body) })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  const postMultipart = async (documentId: string, file: Buffer, partType: string, name: string, fileMeta: Record<string, unknown> = {}) => {
    const form = new FormData()
    form.append('metadata', JSON.stringify({ ...metadata(documentId), file: fileMeta }))
    form.append('file', new Blob([new Uint8Array(file)], { type: partType }), name)
    const res = await fetch(`${t.url}/v1/warehouse/documents`, { method: 'POST', headers: { 'x-api-key': KEYS.province }, body: form })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  const download = (id: string) => fetch(`${t.url}/v1/warehouse/documents/${id}/content`, { headers: { 'x-api-key': KEYS.province, 'x-purpose': 'TTHC' } })
  /** Refused with 415 naming the content type, and nothing stored: no row, no new file. */
  const expectRefused = async (
    documentId: string,
    send: () => Promise<{ status: number; body: Record<string, unknown> }>,
    rule = 'HUB_WAREHOUSE_CONTENT_TYPE',
  ) => {
    const before = await blobFiles()
    const res = await send()
    expect(res.status).toBe(415)
    expect(res.body).toMatchObject({ code: 'HUB_ERR_UNSUPPORTED_MEDIA_TYPE', status: 415, errors: [{ field: '/body/file/contentType', rule }] })
    expect(await rows(documentId)).toBe(0)
    expect(await blobFiles()).toEqual(before)
  }

  beforeAll(async () => {
    // The sweeper runs every second; the grace keeps everything this file uploads.
    t = await startTestHub({ env: { BLOB_SWEEP_INTERVAL_MS: 1000, BLOB_SWEEP_GRACE_MS: HOUR } })
    blobDir = t.config.BLOB_DIR || join(t.config.DATA_DIR, 'blobs')
  })
  afterAll(async () => {
    await t?.close()
  })

  it('refuses text/html and image/svg+xml uploads (JSON and multipart) with 415; nothing is stored', async () => {
    // A first accepted upload, so the blob folder exists and "no new file" means something.
    expect((await postJson(jsonBody('content-warmup', buildPdf('warm up'), 'application/pdf'))).status).toBe(202)
    expect((await blobFiles()).length).toBe(1)
    await expectRefused('html-json', () => postJson(jsonBody('html-json', HTML, 'text/html', 'page.html')))
    await expectRefused('html-json-2', () => postJson(jsonBody('html-json-2', HTML, 'Text/HTML; charset=utf-8', 'page.html')))
    await expectRefused('svg-json', () => postJson(jsonBody('svg-json', SVG, 'image/svg+xml', 'logo.svg')))
    await expectRefused('html-multipart', () => postMultipart('html-multipart', HTML, 'text/html', 'page.html'))
    await expectRefused('svg-multipart', () => postMultipart('svg-multipart', SVG, 'image/svg+xml', 'logo.svg'))
    // A part without a type may name one in the metadata; it meets the same allow-list.
    await expectRefused('html-meta', () => postMultipart('html-meta', HTML, 'application/octet-stream', 'page.html', { contentType: 'text/html' }))
    // Declared as PDF or PNG, but the bytes are HTML.
    await expectRefused('html-as-pdf', () => postJson(jsonBody('html-as-pdf', HTML, 'application/pdf', 'a.pdf')), 'HUB_WAREHOUSE_CONTENT_MISMATCH')
    await expectRefused('html-as-png', () => postMultipart('html-as-png', HTML, 'image/png', 'a.png'), 'HUB_WAREHOUSE_CONTENT_MISMATCH')
  })

  it('refuses a content type carrying a line break, storing nothing', async () => {
    const before = await blobFiles()
    const res = await postJson(jsonBody('crlf-type', buildPdf('x'), 'application/pdf\r\nX-Evil: 1', 'a.pdf'))
    // Either the general string rule (400) or the content-type allow-list (415) refuses it first.
    expect([400, 415]).toContain(res.status)
    expect(JSON.stringify(res.body['errors'])).toContain('/body/file/contentType')
    expect(await rows('crlf-type')).toBe(0)
    expect(await blobFiles()).toEqual(before)
  })

  it('serves PDF and raster images inline, XML as an attachment, each with nosniff and the CSP', async () => {
    const pdf = buildPdf('Giay khai sinh')
    const a = await postJson(jsonBody('content-pdf', pdf, undefined, 'Giấy khai sinh.pdf'))
    expect(a.status).toBe(202)
    const png = await postMultipart('content-png', PNG, 'image/png', 'anh-the.png')
    expect(png.status).toBe(202)
    const xml = await postJson(jsonBody('content-xml', XML, 'text/xml; charset=UTF-8', 'giay-to.xml'))
    expect(xml.status).toBe(202)
    const cases = [
      {
        id: String(a.body['id']),
        bytes: pdf,
        type: 'application/pdf',
        disposition: `inline; filename="Giay khai sinh.pdf"; filename*=UTF-8''Gi%E1%BA%A5y%20khai%20sinh.pdf`,
        csp: CSP_PDF,
      },
      { id: String(png.body['id']), bytes: PNG, type: 'image/png', disposition: 'inline; filename="anh-the.png"', csp: CSP },
      { id: String(xml.body['id']), bytes: XML, type: 'text/xml; charset=utf-8', disposition: 'attachment; filename="giay-to.xml"', csp: CSP },
    ]
    for (const c of cases) {
      const res = await download(c.id)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe(c.type)
      expect(res.headers.get('content-disposition')).toBe(c.disposition)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      expect(res.headers.get('content-security-policy')).toBe(c.csp)
      expect(Buffer.from(await res.arrayBuffer())).toEqual(c.bytes)
    }
    // The document's metadata reports the normalised type.
    const meta = async (id: unknown) =>
      ((await (await fetch(`${t.url}/v1/warehouse/documents/${String(id)}`, { headers: H })).json()) as { file: { contentType: string } }).file.contentType
    expect(await meta(xml.body['id'])).toBe('text/xml; charset=utf-8')
    // A file part sent without a type takes the one named in the metadata, checked the same way.
    const untyped = await postMultipart('content-png-untyped', PNG, '', 'anh.png', { contentType: 'image/png' })
    expect(untyped.status).toBe(202)
    expect(await meta(untyped.body['id'])).toBe('image/png')
  })

  it('serves legacy rows with an off-list or hostile content type as an octet-stream attachment, headers intact', async () => {
    const put = await t.hub.services.warehouse.blobs.put(HTML)
    const legacy = [
      { type: 'text/html', name: 'trang.html' },
      { type: 'text/html\r\nX-Evil: 1', name: 'x.html\r\nSet-Cookie: sid=1' },
      { type: 'image/svg+xml', name: 'logo"; filename=evil.html' },
      { type: null, name: null },
    ]
    for (const [i, l] of legacy.entries()) {
      const { rows: inserted } = await t.hub.db.query<{ id: string }>(
        `INSERT INTO warehouse_documents (owner_id_type, owner_id, source, fetch_state, blob_sha256, size, content_type, file_name, national_ref)
         VALUES ('cccd', $1, 'national', 'stored', $2, $3, $4, $5, $6) RETURNING id`,
        [OWNER, put.sha256, put.size, l.type, l.name, `legacy|${i}`],
      )
      const id = inserted[0]!.id
      const res = await rawGet(`${t.url}/v1/warehouse/documents/${id}/content`, { 'x-api-key': KEYS.province, 'x-purpose': 'TTHC' })
      expect(res.status).toBe(200)
      expect(res.headers['content-type']).toBe('application/octet-stream')
      expect(String(res.headers['content-disposition'])).toMatch(/^attachment(;|$)/)
      expect(res.headers['x-content-type-options']).toBe('nosniff')
      expect(res.headers['content-security-policy']).toBe(CSP)
      // No injected header or cookie reached the wire.
      expect(res.headers['x-evil']).toBeUndefined()
      expect(res.headers['set-cookie']).toBeUndefined()
      expect(res.rawHeaderNames.filter((n) => n === 'content-disposition')).toHaveLength(1)
      expect(res.body).toEqual(HTML)
    }
  })

  it('writes no blob for a refused upload: wrong hash, reused documentId with another file', async () => {
    const first = buildPdf('first file')
    expect((await postJson(jsonBody('reuse-1', first, 'application/pdf', 'a.pdf'))).status).toBe(202)
    const before = await blobFiles()
    const other = buildPdf('another file')
    const reused = await postJson(jsonBody('reuse-1', other, 'application/pdf', 'a.pdf'))
    expect(reused.status).toBe(409)
    const wrongHash = await postJson({
      ...jsonBody('wrong-hash', other, 'application/pdf', 'a.pdf'),
      file: { name: 'a.pdf', contentBase64: other.toString('base64'), sha256: sha(first) },
    })
    expect(wrongHash.status).toBe(400)
    expect(await t.hub.services.warehouse.blobs.has(sha(other))).toBe(false)
    expect(await blobFiles()).toEqual(before)
  })

  it('sweeps, on schedule, an unreferenced blob older than the grace; keeps referenced and young ones', async () => {
    const blobs = t.hub.services.warehouse.blobs
    const age = async (hash: string, ms: number) => {
      const when = new Date(Date.now() - ms)
      await utimes(join(blobDir, hash.slice(0, 2), hash.slice(2, 4), hash), when, when)
    }
    const referencedPdf = buildPdf('a referenced document')
    const accepted = await postJson(jsonBody('sweep-referenced', referencedPdf, 'application/pdf', 'a.pdf'))
    expect(accepted.status).toBe(202)
    const referenced = sha(referencedPdf)
    const orphan = (await blobs.put(Buffer.from('orphan of an upload whose row never came'))).sha256
    const young = (await blobs.put(Buffer.from('just stored, its row is on the way'))).sha256
    await age(referenced, 2 * HOUR)
    await age(orphan, 2 * HOUR)
    await age(young, HOUR / 2)
    const swept = async () =>
      (await t.hub.metrics.registry.getSingleMetric('lgsp_hub_warehouse_blobs_swept_total')!.get()).values.find((v) => v.labels['kind'] === 'blob')?.value ?? 0
    // The counter moves when the sweep pass ends, just after the file is gone: wait for both.
    await waitFor(async () => !(await blobs.has(orphan)) && (await swept()) >= 1, 20_000)
    expect(await blobs.has(referenced)).toBe(true)
    expect(await blobs.has(young)).toBe(true)
    expect(await swept()).toBeGreaterThanOrEqual(1)
    // The referenced file still downloads.
    const res = await download(String(accepted.body['id']))
    expect(sha(Buffer.from(await res.arrayBuffer()))).toBe(referenced)
  })
})

/** A GET with Node's own HTTP client, so the raw header list is visible (fetch merges headers). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; rawHeaderNames: string[]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaderNames: res.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase()),
          body: Buffer.concat(chunks),
        }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}
