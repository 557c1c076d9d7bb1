import https from 'node:https'
import type { TLSSocket } from 'node:tls'
import type { AddressInfo } from 'node:net'
import forge from 'node-forge'
import nock from 'nock'
import { Registry } from 'prom-client'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTransport } from '../../src/http/transport.js'
import { createLogger } from '../../src/log.js'
import {
  combineAuth,
  encodeLgspAccessToken,
  hashedBasicAuth,
  hashedBasicDigest,
  lgspAccessTokenAuth,
  loadClientCertificate,
  mutualTlsAuth,
  oauth2ClientCredentials,
  staticKeyAuth,
} from '../../src/outbound-auth/index.js'
import type { AuthStrategy } from '../../src/outbound-auth/strategy.js'
import { createTestPki } from '../../src/sandbox/pki/test-pki.js'

const BASE = 'http://upstream.test'
const logger = createLogger('silent')
const transportWith = (auth: AuthStrategy, baseURL = BASE) => createTransport({ name: 'test', baseURL, timeoutMs: 2000, auth, logger })

beforeAll(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())
afterAll(() => nock.enableNetConnect())

describe('static API key', () => {
  it('sends the key in the configured header', async () => {
    const t = transportWith(staticKeyAuth('x-api-key', 'k-123'))
    nock(BASE, { reqheaders: { 'x-api-key': 'k-123' } })
      .get('/ping')
      .reply(200, { ok: true })
    const res = await t.request({ operation: 'ping' }, { url: '/ping' })
    expect(res.data).toEqual({ ok: true })
    t.close()
  })
})

describe('hashed Basic (population service)', () => {
  it('sends Timestamp and Basic base64(user:sha256(authUrl+user+timestamp+secretKey))', async () => {
    const auth = hashedBasicAuth({ authUrl: `${BASE}/dancu`, username: 'hub', secretKey: 's3cret', now: () => 1_700_000_000_123 })
    const t = transportWith(auth)
    let seen: Record<string, string | string[] | undefined> = {}
    nock(BASE)
      .post('/dancu')
      .reply(function () {
        seen = this.req.headers
        return [200, 'ok']
      })
    await t.request({ operation: 'x' }, { url: '/dancu', method: 'POST', data: '<x/>' })
    expect(seen['timestamp']).toBe('1700000000123')
    const expected = hashedBasicDigest(`${BASE}/dancu`, 'hub', '1700000000123', 's3cret')
    expect(expected).toMatch(/^[0-9a-f]{64}$/)
    expect(seen['authorization']).toBe(`Basic ${Buffer.from(`hub:${expected}`).toString('base64')}`)
    t.close()
  })
  it('computes a new timestamp for every request', async () => {
    let clock = 1000
    const t = transportWith(hashedBasicAuth({ authUrl: 'u', username: 'a', secretKey: 'b', now: () => clock++ }))
    const stamps: unknown[] = []
    nock(BASE)
      .get('/p')
      .times(2)
      .reply(function () {
        stamps.push(this.req.headers['timestamp'])
        return [200, '']
      })
    await t.request({ operation: 'p' }, { url: '/p' })
    await t.request({ operation: 'p' }, { url: '/p' })
    expect(stamps).toEqual(['1000', '1001'])
    t.close()
  })
})

describe('lgspaccesstoken (VNPT)', () => {
  const fields = { AccessKey: 'ak', SecretKey: 'sk', AppName: 'hub', PartnerCode: '000.00.00.H56', PartnerCodeCus: 'H56' }
  it('encodes the five fields as base64 JSON', () => {
    expect(JSON.parse(Buffer.from(encodeLgspAccessToken(fields), 'base64').toString('utf8'))).toEqual(fields)
  })
  it('is sent next to the bearer token when combined with OAuth2', async () => {
    const ref: { t?: ReturnType<typeof createTransport> } = {}
    const oauth = oauth2ClientCredentials({
      upstream: 'test',
      tokenUrl: `${BASE}/token`,
      clientId: 'c',
      clientSecret: 's',
      http: { post: (...a: unknown[]) => (ref.t!.axios.post as (...b: unknown[]) => unknown)(...a) } as never,
    })
    ref.t = transportWith(combineAuth(lgspAccessTokenAuth(fields), oauth))
    nock(BASE).post('/token').reply(200, { access_token: 'tok-1', expires_in: 3600 })
    nock(BASE, { reqheaders: { lgspaccesstoken: encodeLgspAccessToken(fields), authorization: 'Bearer tok-1' } })
      .get('/data')
      .reply(200, 'ok')
    await ref.t.request({ operation: 'd' }, { url: '/data' })
    expect(nock.isDone()).toBe(true)
    ref.t.close()
  })
})

describe('OAuth2 client credentials', () => {
  function setup(now?: () => number) {
    const ref: { t?: ReturnType<typeof createTransport> } = {}
    const http = { post: (...a: unknown[]) => (ref.t!.axios.post as (...b: unknown[]) => unknown)(...a) } as never
    const oauth = oauth2ClientCredentials({
      upstream: 'test',
      tokenUrl: `${BASE}/token`,
      clientId: 'hub',
      clientSecret: 'pw',
      http,
      refreshBeforeMs: 10_000,
      now,
    })
    ref.t = transportWith(oauth)
    return { t: ref.t, oauth }
  }

  it('posts the client credentials form and caches the token', async () => {
    const { t, oauth } = setup()
    nock(BASE)
      .post('/token', { grant_type: 'client_credentials', client_id: 'hub', client_secret: 'pw' })
      .reply(200, { access_token: 'A', token_type: 'Bearer', expires_in: 3600 })
    nock(BASE, { reqheaders: { authorization: 'Bearer A' } })
      .get('/r')
      .times(3)
      .reply(200, 'ok')
    for (let i = 0; i < 3; i++) await t.request({ operation: 'r' }, { url: '/r' })
    expect(oauth.tokenRequests).toBe(1)
    t.close()
  })

  it('refreshes shortly before expiry', async () => {
    let clock = 0
    const { t, oauth } = setup(() => clock)
    nock(BASE).post('/token').reply(200, { access_token: 'A', expires_in: 60 })
    nock(BASE).post('/token').reply(200, { access_token: 'B', expires_in: 60 })
    nock(BASE, { reqheaders: { authorization: 'Bearer A' } })
      .get('/r')
      .reply(200, 'ok')
    nock(BASE, { reqheaders: { authorization: 'Bearer B' } })
      .get('/r')
      .reply(200, 'ok')
    await t.request({ operation: 'r' }, { url: '/r' })
    clock = 51_000 // 9 s before expiry, inside the 10 s margin
    await t.request({ operation: 'r' }, { url: '/r' })
    expect(oauth.tokenRequests).toBe(2)
    expect(nock.isDone()).toBe(true)
    t.close()
  })

  it('refreshes once on a 401 and retries with the new token', async () => {
    let clock = 0
    const { t, oauth } = setup(() => clock)
    nock(BASE).post('/token').reply(200, { access_token: 'A', expires_in: 3600 })
    nock(BASE).post('/token').reply(200, { access_token: 'B', expires_in: 3600 })
    nock(BASE, { reqheaders: { authorization: 'Bearer A' } })
      .get('/r')
      .reply(200, 'ok')
    nock(BASE, { reqheaders: { authorization: 'Bearer A' } })
      .get('/r')
      .reply(401, 'expired')
    nock(BASE, { reqheaders: { authorization: 'Bearer B' } })
      .get('/r')
      .reply(200, 'fresh')
    await t.request({ operation: 'r' }, { url: '/r' })
    clock = 5000
    const res = await t.request({ operation: 'r' }, { url: '/r' })
    expect(res.data).toBe('fresh')
    expect(oauth.tokenRequests).toBe(2)
    t.close()
  })

  it('one token request for many concurrent calls', async () => {
    const { t, oauth } = setup()
    nock(BASE).post('/token').delay(50).reply(200, { access_token: 'A', expires_in: 3600 })
    nock(BASE).get('/r').times(50).reply(200, 'ok')
    await Promise.all(Array.from({ length: 50 }, () => t.request({ operation: 'r' }, { url: '/r' })))
    expect(oauth.tokenRequests).toBe(1)
    t.close()
  })

  it('refused credentials are an auth error, not a retry loop', async () => {
    const { t, oauth } = setup()
    nock(BASE).post('/token').times(2).reply(401, { error: 'invalid_client' })
    await expect(t.request({ operation: 'r' }, { url: '/r' })).rejects.toMatchObject({ kind: 'auth' })
    expect(oauth.tokenRequests).toBe(2)
    t.close()
  })
})

describe('mutual TLS', () => {
  const pki = createTestPki()
  const server = https.createServer(
    {
      cert: pki.signers.valid.certificatePem,
      key: pki.signers.valid.privateKeyPem,
      ca: pki.trustAnchorsPem.join('\n') + forge.pki.certificateToPem(pki.intermediate.certificate),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate()
      res.end(JSON.stringify({ cn: peer.subject?.CN }))
    },
  )
  let url = ''
  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1')
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  const validPem = () => ({
    certPem: pki.signers.valid.certificatePem + forge.pki.certificateToPem(pki.intermediate.certificate),
    keyPem: pki.signers.valid.privateKeyPem,
  })

  it('loads PEM, presents the client certificate and exports its expiry', async () => {
    const registry = new Registry()
    const mtls = mutualTlsAuth({ upstream: 'population', source: validPem(), rejectUnauthorized: false, registry })
    const t = transportWith(mtls, url)
    const res = await t.request<string>({ operation: 'ping' }, { url: '/' })
    expect(JSON.parse(typeof res.data === 'string' ? res.data : JSON.stringify(res.data)).cn).toBe('Bộ phận Số hoá - Sandbox Agency')
    const metric = await registry.getSingleMetricAsString('lgsp_hub_client_cert_expiry_seconds')
    expect(metric).toContain(`lgsp_hub_client_cert_expiry_seconds{upstream="population"} ${Math.floor(mtls.certificate.notAfter.getTime() / 1000)}`)
    t.close()
    mtls.agent.destroy()
  })

  it('without the client certificate the server refuses the handshake', async () => {
    const t = createTransport({ name: 'x', baseURL: url, timeoutMs: 2000, logger, tls: { rejectUnauthorized: false } })
    await expect(t.request({ operation: 'ping' }, { url: '/' })).rejects.toMatchObject({ kind: 'network' })
    t.close()
  })

  it('loads a PKCS#12 bundle with its passphrase', () => {
    const key = forge.pki.privateKeyFromPem(pki.signers.valid.privateKeyPem)
    const p12 = forge.pkcs12.toPkcs12Asn1(key, [pki.signers.valid.certificate, pki.intermediate.certificate], 'pw', { algorithm: '3des' })
    const pfx = Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary')
    const loaded = loadClientCertificate({ pfx, passphrase: 'pw' })
    expect(loaded.subject).toContain('CN=Bộ phận Số hoá - Sandbox Agency')
    expect(loaded.certPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2)
    expect(() => loadClientCertificate({ pfx, passphrase: 'wrong' })).toThrow(/client certificate|private key/)
  })

  it('refuses an expired certificate at boot', () => {
    expect(() => mutualTlsAuth({ upstream: 'x', source: { certPem: pki.signers.expired.certificatePem, keyPem: pki.signers.expired.privateKeyPem } })).toThrow(
      /expired on/,
    )
  })

  it('refuses a key that does not match the certificate', () => {
    expect(() => loadClientCertificate({ certPem: pki.signers.valid.certificatePem, keyPem: pki.signers.expired.privateKeyPem })).toThrow(/does not match/)
  })
})
