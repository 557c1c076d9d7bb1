import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, type TestHub, type TestSandbox } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { captureLogger } from '../helpers/logs.js'
import { lookupEnv } from '../helpers/lookups.js'

/**
 * The normalized lookup API end to end: hub (real Redis + PGlite) → connectors →
 * sandbox simulators over HTTP. Its hub logs are captured at debug level and checked
 * at the end for clear identity numbers and names (acceptance 6).
 */
// Reply bodies are asserted field by field; a loose type keeps that readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>
let sb: TestSandbox
let t: TestHub
const logs = captureLogger('debug')
const PURPOSE = '000.00.06.H56-231027-0361'

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}${path}`, { headers: { 'x-api-key': KEYS.province, 'x-purpose': PURPOSE, ...headers } })
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json }
}
async function post(path: string, body: unknown) {
  const res = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'x-api-key': KEYS.province, 'x-purpose': PURPOSE, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: res.status, body: (await res.json()) as Json }
}
const seed = () => sb.sims.lookups.seed
const used = new Set<string>()
const person = (shape: 'full' | 'ten-only' | 'sparse', pred: (p: ReturnType<typeof seed>['people'][number]) => boolean = () => true) => {
  const p = seed().people.find((x) => x.shape === shape && pred(x))!
  used.add(p.citizen.idNumber)
  used.add(p.citizen.fullName)
  used.add(p.bhxhNumber)
  return p
}

beforeAll(async () => {
  sb = await startSandbox(11)
  t = await startTestHub({
    sandbox: sb,
    env: lookupEnv(sb.url, { LOOKUP_TIMEOUT_MS: 500, LOOKUP_BREAKER_VOLUME: 1000, LOG_LEVEL: 'debug' }),
    logger: logs.logger,
    workers: false,
  })
})
afterAll(async () => {
  await t?.close()
  await sb?.close()
})

describe('GET /v1/citizens/{idNumber}', () => {
  it('answers the translated citizen with the upstream reference', async () => {
    const p = person('full')
    const r = await get(`/v1/citizens/${p.citizen.idNumber}`)
    expect(r.status).toBe(200)
    expect(r.body.data).toMatchObject({
      idNumber: p.citizen.idNumber,
      fullName: p.citizen.fullName,
      familyName: p.citizen.familyName,
      gender: { code: p.citizen.gender!.code, name: p.citizen.gender!.name },
    })
    expect(r.body.data.ethnicity.name).toMatch(/Kinh|Tày/)
    expect(r.body.data.permanentAddress.provinceCode).toBeDefined()
    expect(r.body.source).toMatchObject({ upstream: 'population', reference: r.headers.get('x-request-id') })
  })

  it('keeps a whole name sent in Ten as fullName only (no guessed split)', async () => {
    const p = person('ten-only')
    const r = await get(`/v1/citizens/${p.citizen.idNumber}`)
    expect(r.status).toBe(200)
    expect(r.body.data.fullName).toBe(p.citizen.fullName)
    expect(r.body.data.familyName).toBeUndefined()
  })

  it('year-only birth dates and missing blocks stay absent', async () => {
    const p = person('sparse')
    const r = await get(`/v1/citizens/${p.citizen.idNumber}`)
    expect(r.body.data.birthDate).toEqual({ year: p.citizen.birthDate!.year })
    expect(r.body.data.father).toBeUndefined()
  })

  it('rejects a malformed CCCD at the edge with the rule, without calling upstream', async () => {
    const before = sb.kit.recorder.query({ sim: 'population' }).length
    for (const [id, rule] of [
      ['000085012345', 'HUB_ID_CCCD_PROVINCE'],
      ['00108501234', 'HUB_ID_CCCD_LENGTH'],
      ['00108501234X', 'HUB_ID_CCCD_CHARS'],
      ['001299012345', 'HUB_ID_CCCD_BIRTH_YEAR'],
      ['001985012345', 'HUB_ID_CCCD_CENTURY'],
    ] as const) {
      const r = await get(`/v1/citizens/${id}`)
      expect(r.status, id).toBe(400)
      expect(r.body.code).toBe('HUB_ERR_BAD_IDENTIFIER')
      expect(r.body.errors[0]).toMatchObject({ field: '/params/idNumber', rule })
    }
    expect(sb.kit.recorder.query({ sim: 'population' }).length).toBe(before)
  })

  it('requires a declared purpose', async () => {
    const p = person('full')
    const r = await fetch(`${t.url}/v1/citizens/${p.citizen.idNumber}`, { headers: { 'x-api-key': KEYS.province } })
    const body = (await r.json()) as Json
    expect(r.status).toBe(400)
    expect(body.errors[0]).toMatchObject({ field: '/headers/x-purpose', rule: 'HUB_PURPOSE_REQUIRED' })
  })

  it('unknown citizen → 404 HUB_ERR_UPSTREAM_NOT_FOUND', async () => {
    const r = await get('/v1/citizens/001099000000')
    expect(r.status).toBe(404)
    expect(r.body.code).toBe('HUB_ERR_UPSTREAM_NOT_FOUND')
  })

  it('upstream down → 503 with Retry-After; hang → 504', async () => {
    const p = person('full')
    sb.kit.faults.set('population', 'TraCuuThongTinCongDan', { errorRate: 1, errorStatus: 503 })
    const down = await get(`/v1/citizens/${p.citizen.idNumber}`)
    expect(down.status).toBe(503)
    expect(down.body.code).toBe('HUB_ERR_UPSTREAM_UNAVAILABLE')
    expect(down.headers.get('retry-after')).toBe('5')
    sb.kit.faults.set('population', 'TraCuuThongTinCongDan', { hangRate: 1 })
    const slow = await get(`/v1/citizens/${p.citizen.idNumber}`)
    expect(slow.status).toBe(504)
    expect(slow.body.code).toBe('HUB_ERR_UPSTREAM_TIMEOUT')
    sb.kit.faults.clear()
  })

  it('a client not granted citizens is refused', async () => {
    const r = await get(`/v1/citizens/${person('full').citizen.idNumber}`, { 'x-api-key': KEYS.limited })
    expect(r.status).toBe(403)
  })
})

describe('POST /v1/citizens/verify', () => {
  it('verifies id + name (XacThuc) and id + name + birth date (XacMinh)', async () => {
    const p = person('full')
    expect((await post('/v1/citizens/verify', { idNumber: p.citizen.idNumber, fullName: p.citizen.fullName })).body.data).toEqual({ verified: true })
    expect((await post('/v1/citizens/verify', { idNumber: p.citizen.idNumber, fullName: 'Nguyễn Văn Khác' })).body.data).toEqual({ verified: false })
    expect(
      (await post('/v1/citizens/verify', { idNumber: p.citizen.idNumber, fullName: p.citizen.fullName, birthDate: p.citizen.birthDate!.date })).body.data,
    ).toEqual({ verified: true })
    const wrongYear = String(p.citizen.birthDate!.year - 1)
    expect((await post('/v1/citizens/verify', { idNumber: p.citizen.idNumber, fullName: p.citizen.fullName, birthDate: wrongYear })).body.data).toEqual({
      verified: false,
    })
  })
})

describe('registries', () => {
  it('GET /v1/businesses/{taxCode}: status translated, representative kept', async () => {
    const b = seed().businesses[0]!
    used.add(b.representative.fullName)
    used.add(b.representative.idNumber)
    const r = await get(`/v1/businesses/${b.taxCode}`)
    expect(r.status).toBe(200)
    expect(r.body.data).toMatchObject({
      taxCode: b.taxCode,
      name: b.name,
      status: { code: b.statusCode },
      foundedOn: b.foundedOn,
      charterCapital: 1_500_000_000,
    })
    expect(r.body.data.representatives[0].fullName).toBe(b.representative.fullName)
    expect(r.body.source).toMatchObject({ upstream: 'business-registry', reference: `E-${b.taxCode}` })
  })

  it('MST rules at the edge', async () => {
    for (const [code, rule] of [
      ['0100109107', 'HUB_ID_MST_CHECK_DIGIT'],
      ['0000000000', 'HUB_ID_MST_PROVINCE'],
      ['0100109106-000', 'HUB_ID_MST_BRANCH'],
      ['01001091', 'HUB_ID_MST_LENGTH'],
      ['01001091AB', 'HUB_ID_MST_CHARS'],
    ] as const) {
      const r = await get(`/v1/businesses/${code}`)
      expect(r.status, code).toBe(400)
      expect(r.body.errors[0].rule).toBe(rule)
    }
  })

  it('GET /v1/taxpayers/{taxCode}: state and tax office', async () => {
    const b = seed().businesses[1]!
    const r = await get(`/v1/taxpayers/${b.taxCode}`)
    expect(r.status).toBe(200)
    expect(r.body.data).toMatchObject({ taxCode: b.taxCode, status: { code: b.taxStatusCode } })
    expect(r.body.data.taxOffice.name).toContain('Cục Thuế')
    expect(r.body.source.reference).toMatch(/^TCT-/)
    expect((await get('/v1/taxpayers/0100109106')).status).toBe(404)
  })

  it('GET /v1/insurance/{number}: by BHXH number and by CCCD', async () => {
    const p = person('full', (x) => !!x.insurance)
    const byBhxh = await get(`/v1/insurance/${p.bhxhNumber}`)
    expect(byBhxh.status).toBe(200)
    expect(byBhxh.body.data).toMatchObject({ bhxhNumber: p.bhxhNumber, fullName: p.citizen.fullName })
    expect(byBhxh.body.data.periods[0].schemes).toContain('BHXH')
    const byId = await get(`/v1/insurance/${p.citizen.idNumber}`)
    expect(byId.body.data.bhxhNumber).toBe(p.bhxhNumber)
    const bad = await get('/v1/insurance/12345')
    expect(bad.body.errors[0].rule).toBe('HUB_ID_BHXH_LENGTH')
  })

  it('GET /v1/civil-status/{kind}/{id}: birth extract, unknown marriage → 404, bad kind → 400', async () => {
    const p = person('full', (x) => !x.citizen.spouse)
    const birth = await get(`/v1/civil-status/birth/${p.citizen.idNumber}`)
    expect(birth.status).toBe(200)
    expect(birth.body.data).toMatchObject({ kind: 'birth', child: { fullName: p.citizen.fullName, idNumber: p.citizen.idNumber } })
    expect((await get(`/v1/civil-status/marriage/${p.citizen.idNumber}`)).status).toBe(404)
    expect((await get(`/v1/civil-status/divorce/${p.citizen.idNumber}`)).status).toBe(400)
  })
})

describe('audit', () => {
  it('every lookup is audited with client, purpose, hashed subject, outcome, latency; /admin/audit filters and pages', async () => {
    const p = person('full')
    const lookup = await get(`/v1/citizens/${p.citizen.idNumber}`)
    const hash = createHmac('sha256', 'test-audit-key-0123456789').update(p.citizen.idNumber).digest('hex')
    const admin = (q: string) =>
      fetch(`${t.url}/admin/audit${q}`, { headers: { 'x-api-key': KEYS.operator } }).then(async (r) => ({ status: r.status, body: (await r.json()) as Json }))
    const page = await admin(`?subjectId=${p.citizen.idNumber}&service=citizens&client=province-test`)
    expect(page.status).toBe(200)
    const row = page.body.items.find((i: Record<string, unknown>) => i['requestId'] === lookup.headers.get('x-request-id'))
    expect(row).toMatchObject({
      clientId: 'province-test',
      service: 'citizens',
      action: 'citizen.lookup',
      purpose: PURPOSE,
      subjectHash: hash,
      outcome: 'found',
      status: 200,
      upstream: 'population',
    })
    expect(row.latencyMs).toBeGreaterThanOrEqual(0)
    expect(JSON.stringify(page.body)).not.toContain(p.citizen.idNumber)
    // Failures are audited with their stable code.
    const notFound = await admin('?subjectId=001099000000')
    expect(notFound.body.items[0]).toMatchObject({ outcome: 'not_found', status: 404 })
    // Keyset pagination.
    const first = await admin('?limit=2')
    expect(first.body.items).toHaveLength(2)
    const second = await admin(`?limit=2&cursor=${first.body.nextCursor}`)
    expect(Number(second.body.items[0].id)).toBeLessThan(Number(first.body.items[1].id))
    const since = await admin(`?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)
    expect(since.body.items).toHaveLength(0)
    expect((await fetch(`${t.url}/admin/audit`, { headers: { 'x-api-key': KEYS.province } })).status).toBe(403)
  })
})

describe('logs (acceptance 6)', () => {
  it('no captured log line contains a clear identity number or name used by these tests', () => {
    const text = logs.text()
    expect(text.length).toBeGreaterThan(1000)
    expect(used.size).toBeGreaterThan(5)
    for (const v of used) expect(text.includes(v), 'a clear identifier or name in the logs').toBe(false)
    // and nothing shaped like a CCCD at all
    expect(text).not.toMatch(/(?<![\w*-])0\d{11}(?![\w-])/)
  })
})

describe('configuration', () => {
  it('production refuses the development AUDIT_HASH_KEY', async () => {
    const { createHub, DEV_AUDIT_KEY } = await import('../../src/hub.js')
    const config = { ...t.config, NODE_ENV: 'production' as const, AUDIT_HASH_KEY: DEV_AUDIT_KEY }
    await expect(createHub(config, 'all')).rejects.toThrow(/AUDIT_HASH_KEY/)
  })
})
