import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import http from 'node:http'
import { connect, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import { Redis } from 'ioredis'
import { startSandbox, startTestHub, waitFor, type TestHub, type TestSandbox } from '../helpers/hub.js'
import { CLIENTS_JSON, KEYS, REDIS_URL } from '../helpers/config.js'
import { startPrivateRedis } from '../helpers/proc.js'
import { sha256Hex } from '../../src/inbound-auth/clients.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const portOf = (t: TestHub) => (t.app.server.address() as AddressInfo).port

/** The standard clients plus `tiny-test`, a catalog client allowed 5 requests per minute. */
const TINY_KEY = 'test-tiny-key-0123456789'
const TINY_LIMIT = 5
const clientsWithTiny = () => {
  const doc = JSON.parse(CLIENTS_JSON) as { clients: object[] }
  doc.clients.push({ id: 'tiny-test', keySha256: sha256Hex(TINY_KEY), services: ['catalog'], rateLimitPerMinute: TINY_LIMIT })
  return JSON.stringify(doc)
}

interface RawResult {
  /** Everything the server wrote before closing. */
  text: string
  /** Milliseconds from connect to the server closing the socket. */
  closedAfterMs: number
}

/** Opens a raw TCP connection, lets `drive` write to it, and resolves when the server closes it. */
function rawConnection(port: number, drive: (s: Socket) => void, giveUpMs = 15_000): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1')
    const t0 = performance.now()
    let text = ''
    const guard = setTimeout(() => {
      s.destroy()
      reject(new Error(`server did not close the connection within ${giveUpMs} ms; got: ${text.slice(0, 200)}`))
    }, giveUpMs)
    s.on('connect', () => drive(s))
    s.on('data', (d) => (text += d.toString('latin1')))
    s.on('error', () => undefined) // a reset after the answer is how a cut ends
    s.on('close', () => {
      clearTimeout(guard)
      resolve({ text, closedAfterMs: performance.now() - t0 })
    })
  })
}

/** Parses the first raw HTTP/1.1 response in `text`: status, lower-cased headers, JSON body, and what follows it. */
function parseRaw(text: string) {
  const end = text.indexOf('\r\n\r\n')
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n')
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]))
  const rest = text.slice(end + 4)
  const length = Number(headers['content-length'] ?? rest.length)
  const body = rest.slice(0, length)
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: body ? (JSON.parse(body) as Record<string, unknown>) : undefined,
    after: rest.slice(length),
  }
}

const metricValue = async (t: TestHub, name: string, labels: string) => {
  const text = await t.hub.metrics.registry.getSingleMetricAsString(name)
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`))
  return line ? Number(line.split(' ').pop()) : 0
}

let sandbox: TestSandbox
beforeAll(async () => {
  sandbox = await startSandbox()
})
afterAll(async () => {
  await sandbox?.close()
})

describe('server timeouts and sizes (REQUEST_TIMEOUT_MS=1500, HEADERS_TIMEOUT_MS=1000, MAX_HEADER_BYTES=4096)', () => {
  const REQUEST_TIMEOUT = 1500
  const HEADERS_TIMEOUT = 1000
  let t: TestHub
  beforeAll(async () => {
    t = await startTestHub({
      sandbox,
      workers: false,
      env: { REQUEST_TIMEOUT_MS: REQUEST_TIMEOUT, HEADERS_TIMEOUT_MS: HEADERS_TIMEOUT, MAX_HEADER_BYTES: 4096 },
    })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('a never-ending slow body (1 byte per 100 ms) is cut at the request timeout with 408 problem+json', async () => {
    let drip: NodeJS.Timeout | undefined
    const r = await rawConnection(portOf(t), (s) => {
      s.write(
        'POST /v1/dossiers HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\n' + `x-api-key: ${KEYS.province}\r\nContent-Length: 1000000\r\n\r\n{`,
      )
      drip = setInterval(() => s.writable && s.write(' '), 100)
    })
    clearInterval(drip)
    const res = parseRaw(r.text)
    expect(res.status).toBe(408)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(res.headers['connection']).toBe('close')
    expect(res.body).toMatchObject({ status: 408, code: 'HUB_ERR_REQUEST_TIMEOUT' })
    // Cut at the timeout, not before it and at most 1 s after it.
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT - 100)
    expect(r.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT + 1000)
    expect(await metricValue(t, 'lgsp_hub_edge_rejections_total', 'reason="request_timeout"')).toBeGreaterThanOrEqual(1)
    // The hub did not store anything from the cut request.
    const { rows } = await t.hub.db.query('SELECT count(*)::int AS n FROM dossiers')
    expect(rows[0]).toEqual({ n: 0 })
  })

  it('the same slow body without a key is answered 401 at once, and its connection is still closed at the timeout', async () => {
    let drip: NodeJS.Timeout | undefined
    const r = await rawConnection(portOf(t), (s) => {
      s.write('POST /v1/dossiers HTTP/1.1\r\nHost: hub\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{')
      drip = setInterval(() => s.writable && s.write(' '), 100)
    })
    clearInterval(drip)
    const res = parseRaw(r.text)
    expect(res.status).toBe(401)
    // The unread body still counts against the request timeout: the 408 follows, then the close.
    expect(parseRaw(res.after)).toMatchObject({ status: 408, body: { code: 'HUB_ERR_REQUEST_TIMEOUT' } })
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT - 100)
    expect(r.closedAfterMs).toBeLessThan(REQUEST_TIMEOUT + 1000)
  })

  it('sockets that never finish their headers (slowloris) are all cut at the headers timeout', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        rawConnection(portOf(t), (s) => {
          if (i % 2) s.write('GET /health/live HTT') // a partial request line; the rest send nothing
        }),
      ),
    )
    for (const r of results) expect(r.closedAfterMs).toBeLessThan(HEADERS_TIMEOUT + 1000)
    // Those that started a request get the problem; a socket that never spoke may just be closed.
    const answered = results.filter((r) => r.text).map((r) => parseRaw(r.text))
    expect(answered.length).toBeGreaterThanOrEqual(25)
    for (const a of answered) expect(a).toMatchObject({ status: 408, body: { code: 'HUB_ERR_REQUEST_TIMEOUT' } })
  })

  it('headers above MAX_HEADER_BYTES → 431 problem+json', async () => {
    const r = await rawConnection(portOf(t), (s) => s.write(`GET /health/live HTTP/1.1\r\nHost: hub\r\nx-pad: ${'a'.repeat(5000)}\r\n\r\n`))
    const res = parseRaw(r.text)
    expect(res.status).toBe(431)
    expect(res.headers['content-type']).toBe('application/problem+json')
    expect(res.body).toMatchObject({ status: 431, code: 'HUB_ERR_HEADERS_TOO_LARGE', errors: [{ field: '/headers' }] })
    // Headers under the limit pass.
    const ok = await fetch(`${t.url}/health/live`, { headers: { 'x-pad': 'a'.repeat(3000) } })
    expect(ok.status).toBe(200)
    expect(await metricValue(t, 'lgsp_hub_edge_rejections_total', 'reason="headers_too_large"')).toBe(1)
  })

  it('a malformed request (bad header line, bad method) → 400 problem+json HUB_ERR_VALIDATION', async () => {
    for (const raw of ['GET /health/live HTTP/1.1\r\nHost: hub\r\nno colon here\r\n\r\n', 'G(T /health/live HTTP/1.1\r\nHost: hub\r\n\r\n']) {
      const res = parseRaw((await rawConnection(portOf(t), (s) => s.write(raw))).text)
      expect(res.status).toBe(400)
      expect(res.headers['content-type']).toBe('application/problem+json')
      expect(res.body).toMatchObject({ status: 400, code: 'HUB_ERR_VALIDATION', errors: [{ field: '/request' }] })
      expect(String(res.body?.['detail'])).toMatch(/^malformed HTTP request \(HPE_[A-Z_]+\)$/)
    }
  })
})

describe('500 idle sockets do not slow /health/live', () => {
  let t: TestHub
  beforeAll(async () => {
    t = await startTestHub({ sandbox, workers: false })
  })
  afterAll(async () => {
    await t?.close()
  })

  /** 200 sequential GET /health/live on one keep-alive connection; p50/p99 in ms. */
  async function measure() {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
    const times: number[] = []
    for (let i = 0; i < 220; i++) {
      const t0 = performance.now()
      const status = await new Promise<number>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: portOf(t), path: '/health/live', agent }, (res) => {
            res.resume()
            res.on('end', () => resolve(res.statusCode ?? 0))
          })
          .on('error', reject)
      })
      expect(status).toBe(200)
      if (i >= 20) times.push(performance.now() - t0) // the first 20 warm up
    }
    agent.destroy()
    times.sort((a, b) => a - b)
    const pct = (p: number) => Math.round(times[Math.ceil(times.length * p) - 1]! * 100) / 100
    return { p50: pct(0.5), p99: pct(0.99) }
  }

  it('p99 stays under 50 ms (or 4× a busy baseline) while 500 sockets sit idle (baseline measured first)', async () => {
    const baseline = await measure()
    const idle: Socket[] = []
    let closed = 0
    await Promise.all(
      Array.from(
        { length: 500 },
        (_, i) =>
          new Promise<void>((resolve, reject) => {
            const s = connect(portOf(t), '127.0.0.1', () => {
              if (i % 2) s.write('GET /v1/catalog/fie') // half send a partial request line, half nothing
              resolve()
            })
            s.on('error', reject)
            s.on('close', () => closed++)
            idle.push(s)
          }),
      ),
    )
    await waitFor(async () => (await new Promise<number>((r) => t.app.server.getConnections((_e, n) => r(n)))) >= 500, 5000, 20)
    const loaded = await measure()
    const stillOpen = idle.length - closed
    for (const s of idle) s.destroy()
    console.log(
      `/health/live, 200 sequential requests: baseline p50 ${baseline.p50} ms p99 ${baseline.p99} ms; with 500 idle sockets p50 ${loaded.p50} ms p99 ${loaded.p99} ms`,
    )
    expect(stillOpen).toBe(500) // the idle sockets were really held during the measurement
    // The goal is 50 ms; a machine busy with other work spikes the baseline's tail too (p99 of 180 samples is
    // its second slowest), so the bound is the goal or four times the baseline measured just before, whichever
    // is larger. Sockets that starved the server would cost seconds, and move the median as well.
    expect(loaded.p99).toBeLessThan(Math.max(50, 4 * baseline.p99))
    expect(loaded.p50).toBeLessThan(Math.max(5, 3 * baseline.p50))
  })
})

describe('rate limits per client (Redis, after authentication)', () => {
  let t: TestHub
  const DEFAULT_LIMIT = 100
  beforeAll(async () => {
    t = await startTestHub({ sandbox, workers: false, env: { CLIENTS_JSON: clientsWithTiny(), RATE_LIMIT_PER_MINUTE: DEFAULT_LIMIT } })
  })
  afterAll(async () => {
    await t?.close()
  })

  const fields = (key: string, url = t.url) => fetch(`${url}/v1/catalog/fields`, { headers: { 'x-api-key': key } })

  it('a client over its limit gets 429 problem+json with Retry-After, while another client is unaffected', async () => {
    const tiny: Response[] = []
    const other: Response[] = []
    for (let i = 0; i < TINY_LIMIT + 3; i++) {
      tiny.push(await fields(TINY_KEY))
      other.push(await fields(KEYS.province))
    }
    expect(tiny.slice(0, TINY_LIMIT).map((r) => r.status)).toEqual(Array(TINY_LIMIT).fill(200))
    expect(tiny.slice(0, TINY_LIMIT).map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual(['4', '3', '2', '1', '0'])
    const over = tiny.slice(TINY_LIMIT)
    expect(over.map((r) => r.status)).toEqual([429, 429, 429])
    for (const r of over) {
      expect(r.headers.get('content-type')).toContain('application/problem+json')
      const retryAfter = Number(r.headers.get('retry-after'))
      expect(retryAfter).toBeGreaterThanOrEqual(1)
      expect(retryAfter).toBeLessThanOrEqual(60)
      expect(r.headers.get('x-ratelimit-limit')).toBe(String(TINY_LIMIT))
      expect(r.headers.get('x-ratelimit-remaining')).toBe('0')
      expect(await r.json()).toMatchObject({ status: 429, code: 'HUB_ERR_RATE_LIMITED', limit: TINY_LIMIT, scope: 'client' })
    }
    // The other client, on the same address at the same time: every request served, its own budget counted.
    expect(other.map((r) => r.status)).toEqual(Array(TINY_LIMIT + 3).fill(200))
    expect(other.map((r) => r.headers.get('x-ratelimit-limit'))).toEqual(Array(TINY_LIMIT + 3).fill(String(DEFAULT_LIMIT)))
    expect(other.map((r) => Number(r.headers.get('x-ratelimit-remaining')))).toEqual(other.map((_, i) => DEFAULT_LIMIT - 1 - i))
    expect(await metricValue(t, 'lgsp_hub_edge_rejections_total', 'reason="rate_limit_client"')).toBe(3)
  })

  it('probes are never limited; counters live under the hub’s QUEUE_PREFIX, so another hub on the same Redis counts apart', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(`${t.url}/health/live`)).status).toBe(200)
    const redis = new Redis(REDIS_URL)
    try {
      const key = `${t.config.QUEUE_PREFIX}:rate-limit:client:tiny-test`
      expect(Number(await redis.get(key))).toBe(TINY_LIMIT + 3)
      const ttl = await redis.pttl(key)
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(60_000)
    } finally {
      redis.disconnect()
    }
    const other = await startTestHub({ sandbox, workers: false, env: { CLIENTS_JSON: clientsWithTiny() } })
    try {
      expect((await fields(TINY_KEY, other.url)).status).toBe(200)
    } finally {
      await other.close()
    }
  })
})

describe('rate limit per remote address (before authentication)', () => {
  let t: TestHub
  const IP_LIMIT = 10
  beforeAll(async () => {
    t = await startTestHub({ sandbox, workers: false, env: { RATE_LIMIT_IP_PER_MINUTE: IP_LIMIT } })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('an unauthenticated flood gets 429 once the address is over its budget; the auth hook no longer runs; probes still answer', async () => {
    // A check the limiter had to skip (Redis slow > 1 s on a loaded machine: fail open) carries no
    // x-ratelimit headers, lets the request through and is counted in lgsp_hub_rate_limit_skipped_total.
    // The flood goes on until five are refused, so a skipped check shifts the pattern without hiding it.
    const replies: { status: number; remaining: string | null }[] = []
    while (replies.filter((r) => r.status === 429).length < 5 && replies.length < IP_LIMIT + 25) {
      const res = await fetch(`${t.url}/v1/catalog/fields`, { headers: { 'x-api-key': `guess-${replies.length}` } })
      replies.push({ status: res.status, remaining: res.headers.get('x-ratelimit-remaining') })
    }
    const counted = replies.filter((r) => r.remaining !== null)
    const skipped = replies.length - counted.length
    expect(skipped).toBe(await metricValue(t, 'lgsp_hub_rate_limit_skipped_total', 'layer="ip"'))
    expect(skipped, 'checks the limiter skipped (fail open)').toBeLessThanOrEqual(5)
    expect(replies.filter((r) => r.remaining === null).every((r) => r.status === 401)).toBe(true)
    expect(counted.map((r) => r.status)).toEqual([...Array(IP_LIMIT).fill(401), ...Array(5).fill(429)])
    expect(counted.map((r) => Number(r.remaining))).toEqual([...Array.from({ length: IP_LIMIT }, (_, i) => IP_LIMIT - 1 - i), ...Array(5).fill(0)])
    // Even a valid key is refused from this address now: the limit comes before authentication.
    const valid = await fetch(`${t.url}/v1/catalog/fields`, { headers: { 'x-api-key': KEYS.province } })
    expect(valid.status).toBe(429)
    expect(Number(valid.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(await valid.json()).toMatchObject({ code: 'HUB_ERR_RATE_LIMITED', scope: 'ip', limit: IP_LIMIT })
    expect(await metricValue(t, 'lgsp_hub_auth_rejections_total', 'status="401"')).toBe(IP_LIMIT + skipped)
    expect(await metricValue(t, 'lgsp_hub_edge_rejections_total', 'reason="rate_limit_ip"')).toBe(6)
    expect((await fetch(`${t.url}/health/live`)).status).toBe(200)
    expect((await fetch(`${t.url}/health/ready`)).status).not.toBe(429)
    // No TRUST_PROXY: a caller cannot pick another address with X-Forwarded-For.
    expect((await fetch(`${t.url}/v1/catalog/fields`, { headers: { 'x-forwarded-for': '198.51.100.7' } })).status).toBe(429)
  })
})

describe('behind a named reverse proxy (TRUST_PROXY=127.0.0.1)', () => {
  let t: TestHub
  const IP_LIMIT = 3
  beforeAll(async () => {
    t = await startTestHub({ sandbox, workers: false, env: { RATE_LIMIT_IP_PER_MINUTE: IP_LIMIT, TRUST_PROXY: '127.0.0.1' } })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('the per-address limit counts each forwarded caller, not the proxy', async () => {
    const from = async (ip: string) => (await fetch(`${t.url}/v1/catalog/fields`, { headers: { 'x-forwarded-for': ip } })).status
    const first: number[] = []
    for (let i = 0; i < IP_LIMIT + 2; i++) first.push(await from('203.0.113.1'))
    expect(first).toEqual([...Array(IP_LIMIT).fill(401), 429, 429])
    expect(await from('203.0.113.2')).toBe(401)
  })
})

describe('rate limits when Redis is down: fail open', () => {
  let t: TestHub
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>
  beforeAll(async () => {
    redis = await startPrivateRedis()
    t = await startTestHub({ sandbox, workers: false, env: { REDIS_URL: redis.url, CLIENTS_JSON: clientsWithTiny() } })
  })
  afterAll(async () => {
    await t?.close()
    await redis?.stop()
  })

  it('requests are served unlimited (not 429, not 5xx) and answer fast; limits resume when Redis is back', async () => {
    await redis.stop()
    const statuses: number[] = []
    const t0 = performance.now()
    for (let i = 0; i < TINY_LIMIT + 3; i++) statuses.push((await fetch(`${t.url}/v1/catalog/fields`, { headers: { 'x-api-key': TINY_KEY } })).status)
    expect(statuses).toEqual(Array(TINY_LIMIT + 3).fill(200))
    expect((performance.now() - t0) / statuses.length).toBeLessThan(500)
    // Each request skipped both checks, and said so in the metrics.
    expect(await metricValue(t, 'lgsp_hub_rate_limit_skipped_total', 'layer="ip"')).toBe(statuses.length)
    expect(await metricValue(t, 'lgsp_hub_rate_limit_skipped_total', 'layer="client"')).toBe(statuses.length)
    redis = await startPrivateRedis(redis.port)
    // Back: the budget counts again.
    await waitFor(async () => (await fetch(`${t.url}/v1/catalog/fields`, { headers: { 'x-api-key': TINY_KEY } })).status === 429, 20_000, 50)
  })
})

describe('backpressure: event-loop lag → 503 HUB_ERR_OVERLOADED (MAX_EVENT_LOOP_DELAY_MS=100)', () => {
  let t: TestHub
  beforeAll(async () => {
    t = await startTestHub({ sandbox, workers: false, env: { MAX_EVENT_LOOP_DELAY_MS: 100 } })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('while the loop lags, API requests get 503 + Retry-After and /health/live keeps answering 200; service resumes after', async () => {
    // The hub runs in this process: blocking this event loop lags the hub's.
    let blocking = true
    const blocker = (async () => {
      while (blocking) {
        const until = performance.now() + 250
        while (performance.now() < until) {
          /* busy */
        }
        await sleep(5)
      }
    })()
    const api: Response[] = []
    const live: number[] = []
    const t0 = performance.now()
    while (performance.now() - t0 < 4000) {
      const [a, l] = await Promise.all([fetch(`${t.url}/v1/catalog/fields`, { headers: { 'x-api-key': KEYS.province } }), fetch(`${t.url}/health/live`)])
      api.push(a)
      live.push(l.status)
    }
    blocking = false
    await blocker
    const refused = api.filter((r) => r.status === 503)
    expect(refused.length).toBeGreaterThan(0)
    for (const r of refused) {
      expect(r.headers.get('retry-after')).toBe('5')
      expect(await r.json()).toMatchObject({ status: 503, code: 'HUB_ERR_OVERLOADED' })
    }
    expect(api.every((r) => r.status === 200 || r.status === 503)).toBe(true)
    expect(live.every((s) => s === 200)).toBe(true)
    expect(await metricValue(t, 'lgsp_hub_edge_rejections_total', 'reason="overloaded"')).toBe(refused.length)
    await waitFor(async () => (await fetch(`${t.url}/v1/catalog/fields`, { headers: { 'x-api-key': KEYS.province } })).status === 200, 10_000, 200)
  })
})
