import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import nock from 'nock'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createPopulationConnector } from '../../src/connectors/population/index.js'
import { createBusinessRegistryConnector } from '../../src/connectors/business-registry/index.js'
import { createTaxConnector } from '../../src/connectors/tax/index.js'
import { createBhxhConnector } from '../../src/connectors/bhxh/index.js'
import { soapFault } from '../../src/sandbox/lookups/soap.js'
import { createTestPki } from '../../src/sandbox/pki/test-pki.js'
import { buildConnector } from '../helpers/connectors.js'

/** Connector unit tests against nock: wire details and reply shapes the sandbox does not produce. */
const BASE = 'http://upstream.test'
beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())
afterAll(() => nock.enableNetConnect())

const env = { LOOKUP_TIMEOUT_MS: 500, LOOKUP_READ_RETRIES: 1, LOOKUP_BREAKER_VOLUME: 1000 }

describe('population connector (SOAP)', () => {
  const build = () =>
    buildConnector(createPopulationConnector, { ...env, POPULATION_BASE_URL: `${BASE}/dancu`, POPULATION_USERNAME: 'u1', POPULATION_SECRET_KEY: 'k1' })

  it('posts a SOAP 1.1 TraCuu envelope with SOAPAction, Timestamp and the hashed Basic header', async () => {
    const b = build()
    let seen: { headers: Record<string, unknown>; body: string } | undefined
    nock(BASE)
      .post('/dancu')
      .reply(function (_uri, body) {
        seen = { headers: this.req.headers, body: String(body) }
        return [
          200,
          '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><d:CongdanCollection xmlns:d="http://www.mic.gov.vn/dancu/1.0" id="REF-1"/></s:Body></s:Envelope>',
          { 'content-type': 'text/xml' },
        ]
      })
    const r = await b.connector.lookup({ requestId: 'REQ-1', idNumber: '001085000001' })
    expect(r).toEqual({ kind: 'not_found', message: expect.any(String), upstreamRef: 'REF-1' })
    expect(seen!.headers['soapaction']).toContain('http://dancuquocgia.bca/TraCuuThongTinCongDan')
    expect(seen!.headers['timestamp']).toMatch(/^\d{13}$/)
    expect(String(seen!.headers['authorization'])).toMatch(/^Basic /)
    expect(seen!.body).toMatch(/TraCuuThongTinCongDanRequest[^>]*xmlns[^>]*dancuquocgia\.bca/)
    expect(seen!.body).toMatch(/<(\w+:)?MaYeuCau>REQ-1<\/(\w+:)?MaYeuCau>/)
    b.close()
  })

  it('a transient SOAP Server fault (HTTP 500, "timeout") is retried once, then 503', async () => {
    const b = build()
    nock(BASE).post('/dancu').times(2).reply(500, soapFault('Server', 'Service timeout, please try again'), { 'content-type': 'text/xml' })
    await expect(b.connector.lookup({ requestId: 'R', idNumber: '001085000001' })).rejects.toMatchObject({
      kind: 'http',
      opts: { upstreamCode: 'SOAP_Server' },
    })
    expect(nock.isDone()).toBe(true)
    b.close()
  })

  it('a permanent SOAP Server fault is a rejection, not retried', async () => {
    const b = build()
    nock(BASE).post('/dancu').once().reply(500, soapFault('Server', 'Mã tích hợp không đúng'), { 'content-type': 'text/xml' })
    await expect(b.connector.lookup({ requestId: 'R', idNumber: '001085000001' })).rejects.toMatchObject({
      kind: 'rejected',
      opts: { upstreamCode: 'SOAP_Server' },
    })
    b.close()
  })

  it('an HTML page with status 200 from a proxy is retryable (503), not parsed', async () => {
    const b = build()
    nock(BASE)
      .post('/dancu')
      .times(2)
      .reply(200, '<!DOCTYPE html><html><head><title>Gateway</title></head><body>001085000001</body></html>', { 'content-type': 'text/html' })
    const err = await b.connector.lookup({ requestId: 'R', idNumber: '001085000001' }).catch((e: unknown) => e)
    expect(err).toMatchObject({ kind: 'http', status: 502, opts: { upstreamCode: 'UPSTREAM_HTML_PAGE' } })
    expect(String((err as Error).message)).not.toContain('001085000001')
    b.close()
  })

  it('refuses to boot with an expired client certificate (mTLS)', () => {
    const pki = createTestPki()
    const dir = mkdtempSync(join(tmpdir(), 'mtls-'))
    writeFileSync(join(dir, 'c.pem'), pki.signers.expired.certificatePem)
    writeFileSync(join(dir, 'k.pem'), pki.signers.expired.privateKeyPem)
    expect(() =>
      buildConnector(createPopulationConnector, { POPULATION_CLIENT_CERT_FILE: join(dir, 'c.pem'), POPULATION_CLIENT_KEY_FILE: join(dir, 'k.pem') }),
    ).toThrow(/expired on/)
  })

  it('boots with a valid client certificate and exports its expiry', async () => {
    const pki = createTestPki()
    const dir = mkdtempSync(join(tmpdir(), 'mtls-'))
    writeFileSync(join(dir, 'c.pem'), pki.signers.valid.certificatePem)
    writeFileSync(join(dir, 'k.pem'), pki.signers.valid.privateKeyPem)
    const b = buildConnector(createPopulationConnector, { POPULATION_CLIENT_CERT_FILE: join(dir, 'c.pem'), POPULATION_CLIENT_KEY_FILE: join(dir, 'k.pem') })
    expect(await b.metrics.registry.getSingleMetricAsString('lgsp_hub_client_cert_expiry_seconds')).toMatch(/upstream="population"\} \d{10}/)
    b.close()
  })
})

describe('REST connectors', () => {
  it('business registry: VNPT style sends lgspaccesstoken and the bearer from the token endpoint', async () => {
    const b = buildConnector(createBusinessRegistryConnector, {
      ...env,
      BUSINESS_REGISTRY_BASE_URL: BASE,
      BUSINESS_REGISTRY_CLIENT_ID: 'cid',
      BUSINESS_REGISTRY_CLIENT_SECRET: 'sec',
    })
    nock(BASE).post('/token', { grant_type: 'client_credentials', client_id: 'cid', client_secret: 'sec' }).reply(200, { access_token: 'T1', expires_in: 600 })
    nock(BASE, { reqheaders: { authorization: 'Bearer T1', lgspaccesstoken: /^[A-Za-z0-9+/=]+$/ } })
      .post('/api/doanh-nghiep', { type: 'ChiTietDoanhNghiep', msdn: '0100109106' })
      .reply(200, { error_code: '01', message: 'Không tìm thấy' })
    expect((await b.connector.enterprise('0100109106')).kind).toBe('not_found')
    b.close()
  })

  it('tax: error_code 99 is retried once and counts as an upstream failure (503)', async () => {
    const b = buildConnector(createTaxConnector, { ...env, TAX_BASE_URL: BASE })
    nock(BASE).post('/token').reply(200, { access_token: 'T', expires_in: 600 })
    nock(BASE).post('/api/nnt/trang-thai').times(2).reply(200, { error_code: 99, message: 'Lỗi hệ thống' })
    await expect(b.connector.taxpayer('0100109106', { requestId: 'R' })).rejects.toMatchObject({ kind: 'http', opts: { upstreamCode: '99' } })
    expect(nock.isDone()).toBe(true)
    b.close()
  })

  it('tax: HTTP 429 with Retry-After is kept for the answer', async () => {
    const b = buildConnector(createTaxConnector, { ...env, TAX_BASE_URL: BASE, LOOKUP_READ_RETRIES: 0 })
    nock(BASE).post('/token').reply(200, { access_token: 'T', expires_in: 600 })
    nock(BASE).post('/api/nnt/trang-thai').reply(429, 'slow down', { 'retry-after': '7' })
    await expect(b.connector.taxpayer('0100109106')).rejects.toMatchObject({ kind: 'http', status: 429, opts: { retryAfterMs: 7000 } })
    b.close()
  })
})

describe('BHXH connector (SOAP)', () => {
  it('sends the API key and reads MaLoi 01 as not found with the echoed request id', async () => {
    const b = buildConnector(createBhxhConnector, { ...env, BHXH_BASE_URL: `${BASE}/bhxh`, BHXH_API_KEY: 'K' })
    nock(BASE, { reqheaders: { 'x-api-key': 'K' } })
      .post('/bhxh', (body: string) => body.includes('<MaSoBHXH>0112345678</MaSoBHXH>') || body.includes('0112345678'))
      .reply(
        200,
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><bh:TraCuuQuaTrinhThamGiaResponse xmlns:bh="http://baohiemxahoi.gov.vn/lienthong/tracuu"><bh:MaYeuCau>R-9</bh:MaYeuCau><bh:KetQua><bh:MaLoi>01</bh:MaLoi></bh:KetQua></bh:TraCuuQuaTrinhThamGiaResponse></soapenv:Body></soapenv:Envelope>',
        { 'content-type': 'text/xml' },
      )
    expect(await b.connector.participation({ bhxhNumber: '0112345678' }, { requestId: 'R-9' })).toMatchObject({ kind: 'not_found', upstreamRef: 'R-9' })
    b.close()
  })
})
