import http from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, type TestHub, type TestSandbox } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { lookupEnv } from '../helpers/lookups.js'
import { UpstreamError } from '../../src/http/errors.js'
import type { PopulationApi } from '../../src/connectors/population/index.js'

/**
 * Acceptance 4 (upstream part): a national system that answers 50 MB, or drips one byte a
 * second, against the real hub over HTTP. The fake upstream is a node:http server written
 * here; it counts what it managed to hand to the kernel before the hub hung up.
 */
const MiB = 1_048_576
const CAP = 4 * MiB // UPSTREAM_MAX_REPLY_BYTES default
const HUGE = 50 * MiB
const TIMEOUT_MS = 2000
const FIELD_CHARS = 1000
const CCCD = '001090123456'
const MST = '0100109106'

type Shape = 'soap' | 'json'
type Mode = { kind: 'huge'; shape: Shape; chunked: boolean } | { kind: 'drip'; shape: Shape } | { kind: 'reply'; shape: Shape; name: string }

const SOAP_HEAD =
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
  '<TraCuuThongTinCongDanResponse xmlns="http://tempuri.org/"><CongdanCollection id="ref-1"><CongDan>' +
  `<SoDinhDanh>${CCCD}</SoDinhDanh><HoVaTen><Ho>Nguyễn</Ho><ChuDem>Văn</ChuDem><Ten>`
const SOAP_TAIL = '</Ten></HoVaTen></CongDan></CongdanCollection></TraCuuThongTinCongDanResponse></soap:Body></soap:Envelope>'
const JSON_HEAD = `{"error_code":"00","ma_giao_dich":"ref-1","data":{"MST":"${MST}","TRANG_THAI":"00","TEN_NNT":"`
const JSON_TAIL = '"}}'
const head = (s: Shape) => (s === 'soap' ? SOAP_HEAD : JSON_HEAD)
const tail = (s: Shape) => (s === 'soap' ? SOAP_TAIL : JSON_TAIL)
const contentType = (s: Shape) => (s === 'soap' ? 'text/xml; charset=utf-8' : 'application/json')

let mode: Mode = { kind: 'reply', shape: 'soap', name: 'An' }
/** Bytes the fake upstream's socket wrote for the last reply (headers included), set when it closes. */
let lastWritten: Promise<number> = Promise.resolve(0)

const upstream = http.createServer((req, res) => {
  req.resume()
  const m = mode
  // Sockets are kept alive: count from what this socket had written before this reply.
  const base = req.socket.bytesWritten
  lastWritten = once(res, 'close').then(() => req.socket.bytesWritten - base)
  if (m.kind === 'reply') {
    res.writeHead(200, { 'content-type': contentType(m.shape) })
    res.end(head(m.shape) + m.name + tail(m.shape))
    return
  }
  if (m.kind === 'drip') {
    res.writeHead(200, { 'content-type': contentType(m.shape) })
    res.write(head(m.shape))
    const timer = setInterval(() => res.write('A'), 1000)
    res.once('close', () => clearInterval(timer))
    return
  }
  // 50 MB of one name, streamed with backpressure from one reused buffer (the fake costs no memory).
  const h = Buffer.from(head(m.shape))
  const t = Buffer.from(tail(m.shape))
  res.writeHead(200, { 'content-type': contentType(m.shape), ...(m.chunked ? {} : { 'content-length': String(HUGE) }) })
  const chunk = Buffer.alloc(64 * 1024, 'A')
  const closed = once(res, 'close')
  void (async () => {
    let left = HUGE - h.length - t.length
    if (!res.write(h)) await Promise.race([once(res, 'drain'), closed])
    while (left > 0 && !res.destroyed) {
      const c = left >= chunk.length ? chunk : chunk.subarray(0, left)
      left -= c.length
      if (!res.write(c)) await Promise.race([new Promise((r) => res.once('drain', r)), closed])
    }
    if (!res.destroyed) res.end(t)
  })()
})

let sb: TestSandbox
let t: TestHub
let fake: string

beforeAll(async () => {
  upstream.listen(0, '127.0.0.1')
  await once(upstream, 'listening')
  fake = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
  sb = await startSandbox(31)
  t = await startTestHub({
    sandbox: sb,
    workers: false,
    env: lookupEnv(sb.url, {
      POPULATION_BASE_URL: `${fake}/population`,
      POPULATION_AUTH: 'none',
      TAX_BASE_URL: `${fake}/tax`,
      TAX_AUTH: 'none',
      LOOKUP_TIMEOUT_MS: TIMEOUT_MS,
      UPSTREAM_MAX_FIELD_CHARS: FIELD_CHARS,
      // The breaker must not be what answers: every call here reaches the fake upstream.
      LOOKUP_BREAKER_VOLUME: 1000,
    }),
  })
})
afterAll(async () => {
  await t?.close()
  await sb?.close()
  upstream.closeAllConnections()
  upstream.close()
})

let seq = 0
async function lookup(shape: Shape): Promise<{ status: number; code?: string; ms: number; requestId: string; maxRssGrowth: number; bodyBytes: number }> {
  const requestId = `bounds-${process.pid}-${++seq}`
  const path = shape === 'soap' ? `/v1/citizens/${CCCD}` : `/v1/taxpayers/${MST}`
  const rss0 = process.memoryUsage().rss
  let maxRss = rss0
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 10)
  const started = performance.now()
  try {
    const res = await fetch(`${t.url}${path}`, { headers: { 'x-api-key': KEYS.province, 'x-purpose': '000.00.06.H56-231027-0361', 'x-request-id': requestId } })
    const text = await res.text()
    const ms = performance.now() - started
    maxRss = Math.max(maxRss, process.memoryUsage().rss)
    const body = JSON.parse(text) as { code?: string }
    return { status: res.status, code: body.code, ms, requestId, maxRssGrowth: maxRss - rss0, bodyBytes: text.length }
  } finally {
    clearInterval(sampler)
  }
}

async function auditRow(requestId: string) {
  const page = await t.hub.services.lookups.auditQuery({ limit: 100 } as never)
  return page.items.find((r) => r.requestId === requestId)
}
async function breaches(limit: string, upstreamName: string): Promise<number> {
  const values = (await t.hub.metrics.upstreamLimitBreaches.get()).values
  return values.find((v) => v.labels['limit'] === limit && v.labels['upstream'] === upstreamName)?.value ?? 0
}

describe('upstream bounds (acceptance 4)', () => {
  it('a normal reply still answers 200 (warm-up: WSDL loaded, sockets open)', async () => {
    mode = { kind: 'reply', shape: 'soap', name: 'An' }
    expect((await lookup('soap')).status).toBe(200)
    mode = { kind: 'reply', shape: 'json', name: 'Công ty TNHH An Bình' }
    expect((await lookup('json')).status).toBe(200)
  })

  for (const shape of ['soap', 'json'] as const) {
    for (const chunked of [true, false]) {
      it(`a 50 MB ${shape} reply (${chunked ? 'chunked' : 'content-length'}) → 502 after reading no more than the cap, RSS growth < 50 MB, audited`, async () => {
        const upstreamName = shape === 'soap' ? 'population' : 'tax'
        const before = await breaches('reply_bytes', upstreamName)
        mode = { kind: 'huge', shape, chunked }
        const r = await lookup(shape)
        expect(r).toMatchObject({ status: 502, code: 'HUB_ERR_UPSTREAM_REPLY_TOO_LARGE' })
        expect(r.bodyBytes).toBeLessThan(4096)
        // What the upstream handed to its kernel before the hub hung up: the cap, plus what
        // loopback socket buffers hold (a few MB), far from 50 MB. Not retried: one call.
        const written = await lastWritten
        expect(written).toBeGreaterThan(CAP)
        expect(written).toBeLessThan(CAP + 8 * MiB)
        expect(r.maxRssGrowth).toBeLessThan(50 * MiB)
        expect(await breaches('reply_bytes', upstreamName)).toBe(before + 1)
        expect(await auditRow(r.requestId)).toMatchObject({ outcome: 'HUB_ERR_UPSTREAM_REPLY_TOO_LARGE', status: 502, upstream: upstreamName })
      })
    }

    it(`a ${shape} reply dripping 1 byte/s → 504 within LOOKUP_TIMEOUT_MS + 1 s (retry included), audited`, async () => {
      const upstreamName = shape === 'soap' ? 'population' : 'tax'
      const before = await breaches('deadline', upstreamName)
      mode = { kind: 'drip', shape }
      const r = await lookup(shape)
      expect(r).toMatchObject({ status: 504, code: 'HUB_ERR_UPSTREAM_TIMEOUT' })
      expect(r.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50)
      expect(r.ms).toBeLessThan(TIMEOUT_MS + 1000)
      expect(await breaches('deadline', upstreamName)).toBe(before + 1)
      expect(await auditRow(r.requestId)).toMatchObject({ outcome: 'HUB_ERR_UPSTREAM_TIMEOUT', status: 504, upstream: upstreamName })
    })

    it(`a ${shape} reply under the byte cap with a mapped field over UPSTREAM_MAX_FIELD_CHARS → 502 bad reply, audited`, async () => {
      const upstreamName = shape === 'soap' ? 'population' : 'tax'
      const before = await breaches('field_chars', upstreamName)
      mode = { kind: 'reply', shape, name: 'B'.repeat(FIELD_CHARS + 1) }
      const r = await lookup(shape)
      expect(r).toMatchObject({ status: 502, code: 'HUB_ERR_UPSTREAM_BAD_REPLY' })
      expect(await breaches('field_chars', upstreamName)).toBe(before + 1)
      expect(await auditRow(r.requestId)).toMatchObject({ outcome: 'HUB_ERR_UPSTREAM_BAD_REPLY', status: 502 })
      // Under the limit is accepted (the SOAP mapping composes fullName from three parts).
      mode = { kind: 'reply', shape, name: 'B'.repeat(FIELD_CHARS - 20) }
      expect((await lookup(shape)).status).toBe(200)
    })
  }

  it('a caller (shutdown) abort during a dripping reply stays `aborted`, not a timeout', async () => {
    mode = { kind: 'drip', shape: 'soap' }
    const population = t.hub.connectors.get('population') as PopulationApi
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 300)
    const started = performance.now()
    const err = await population.lookup({ requestId: 'abort-test', idNumber: CCCD }, ac.signal).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(UpstreamError)
    expect((err as UpstreamError).kind).toBe('aborted')
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS - 500)
  })
})
