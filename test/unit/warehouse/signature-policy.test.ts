import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Counter, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { testConfig } from '../../helpers/config.js'
import { createLogger } from '../../../src/log.js'
import type { ServiceContext } from '../../../src/services/context.js'
import { createSignatureGate } from '../../../src/services/warehouse/signature-gate.js'
import { createSignatureChecker, weakAlgorithms } from '../../../src/documents/signature/check.js'
import { decide, documentKind, parseSignaturePolicy } from '../../../src/documents/signature/policy.js'
import type { SignatureCheck } from '../../../src/documents/signature/types.js'
import { RevocationChecker, type RevocationFetcher } from '../../../src/documents/revocation/index.js'
import { loadTrustAnchors } from '../../../src/documents/trust-anchors.js'
import { buildPdf, createTestPki, PkiSimulator, signPdf } from '../../../src/sandbox/pki/index.js'

const NOW = new Date('2026-06-01T00:00:00Z')
const BASE = 'http://ca.sandbox.test'
const pki = createTestPki({ now: NOW, revocationBaseUrl: BASE })
const ca = new PkiSimulator(() => pki)
const pdf = buildPdf('Giay chung nhan\nSo: 1/2026')
const signed = (who: keyof typeof pki.signers, opts: { digest?: 'sha1' | 'sha256'; at?: Date } = {}) =>
  signPdf(pdf, pki.signers[who], { signingTime: opts.at ?? NOW, ...(opts.digest ? { digest: opts.digest } : {}) })

/** A fetcher answering from the sandbox CA in process, counting calls; `down` makes a source fail like an offline responder. */
function caFetcher(down: { ocsp?: boolean; crl?: boolean; corruptOcsp?: boolean } = {}) {
  const calls = { ocsp: 0, crl: 0 }
  const fetcher: RevocationFetcher = {
    async ocsp(url, req) {
      calls.ocsp++
      expect(url).toBe(`${BASE}/pki/ocsp`)
      if (down.ocsp) throw new Error('connect ECONNREFUSED')
      const der = await ca.ocspDer(req)
      if (down.corruptOcsp) {
        // One byte of the echoed nonce (the request's last 16 bytes), inside the signed response data.
        const at = der.indexOf(req.subarray(req.length - 16))
        expect(at).toBeGreaterThan(0)
        der[at]! ^= 0xff
      }
      return der
    },
    async crl(url) {
      calls.crl++
      expect(url).toBe(`${BASE}/pki/crl/agency-ca.crl`)
      if (down.crl) throw new Error('connect ECONNREFUSED')
      return ca.crlDer()
    },
  }
  return { fetcher, calls }
}

const OPTS = { cacheEntries: 100, defaultTtlMs: 3_600_000, unknownTtlMs: 60_000, skewMs: 300_000 }
const checker = (fetcher?: RevocationFetcher, cutoff = new Date('2020-01-01T00:00:00Z')) =>
  createSignatureChecker({
    trustAnchorsPem: pki.trustAnchorsPem,
    weak: { cutoff, minRsaBits: 2048 },
    ...(fetcher ? { revocation: new RevocationChecker(fetcher, OPTS) } : {}),
  })

const check = (over: Partial<SignatureCheck>): SignatureCheck => ({ status: 'valid', warnings: [], evidence: {}, checkedAt: NOW.toISOString(), ...over })

describe('SIGNATURE_POLICY', () => {
  it('defaults: what the province digitises is required, what it mirrors is flagged', () => {
    const p = parseSignaturePolicy('')
    expect(p.table).toEqual({
      'local.result': 'require',
      'local.component': 'require',
      'local.other': 'require',
      'mirror.result': 'warn',
      'mirror.component': 'warn',
      'mirror.other': 'warn',
      'import.result': 'require',
      'import.component': 'require',
      'import.other': 'require',
    })
  })

  it('rules override the defaults they cover; the most specific rule wins', () => {
    const p = parseSignaturePolicy(' mirror.result=require , local.*=warn,local.result=require ')
    expect(p.mode('mirror', 'result')).toBe('require')
    expect(p.mode('mirror', 'other')).toBe('warn')
    expect(p.mode('local', 'result')).toBe('require')
    expect(p.mode('local', 'component')).toBe('warn')
    expect(p.mode('import', 'other')).toBe('require')
    expect(Object.values(parseSignaturePolicy('*.*=accept').table)).toEqual(Array(9).fill('accept'))
  })

  it('refuses a bad rule with a message naming the variable and the rule', () => {
    for (const [text, msg] of [
      ['local.result', /not source\.kind=mode/],
      ['cloud.result=require', /unknown source "cloud"/],
      ['local.paper=require', /unknown kind "paper"/],
      ['local.result=block', /unknown mode "block"/],
      ['local.result=warn,local.result=accept', /local\.result is given twice/],
    ] as const)
      expect(() => parseSignaturePolicy(text)).toThrow(msg)
    expect(() => parseSignaturePolicy('x')).toThrow(/^SIGNATURE_POLICY: /)
  })

  it('tells the kind of a document from its codes', () => {
    expect(documentKind({ resultCode: 'KQ.1', dossierCode: 'D' })).toBe('result')
    expect(documentKind({ dossierCode: '000.00.06.H56-261201-0001' })).toBe('component')
    expect(documentKind({})).toBe('other')
  })

  it('decides: failures block under require and are flagged under warn; warnings are flagged; accept passes all', () => {
    const revoked = check({ status: 'invalid', reason: 'signer_revoked' })
    expect(decide('require', revoked, 'soft-fail')).toEqual({ mode: 'require', decision: 'blocked', reasons: ['invalid:signer_revoked'] })
    expect(decide('warn', revoked, 'soft-fail')).toEqual({ mode: 'warn', decision: 'warn', reasons: ['invalid:signer_revoked'] })
    expect(decide('accept', revoked, 'soft-fail')).toEqual({ mode: 'accept', decision: 'pass', reasons: ['invalid:signer_revoked'] })
    expect(decide('require', check({ status: 'unsigned' }), 'soft-fail').reasons).toEqual(['unsigned'])
    const offline = check({ warnings: ['revocation_unknown'] })
    expect(decide('require', offline, 'soft-fail')).toEqual({ mode: 'require', decision: 'warn', reasons: ['revocation_unknown'] })
    expect(decide('require', offline, 'hard-fail')).toEqual({ mode: 'require', decision: 'blocked', reasons: ['revocation_unknown'] })
    expect(decide('warn', offline, 'hard-fail').decision).toBe('warn')
    expect(decide('require', check({}), 'hard-fail')).toEqual({ mode: 'require', decision: 'pass', reasons: [] })
  })
})

describe('weak algorithms (SIGNATURE_WEAK_CUTOFF)', () => {
  it('flags SHA-1 and every RSA key of the chain under SIGNATURE_MIN_RSA_BITS', () => {
    const chain = [
      { subject: 'CN=signer', keyBits: 1024 },
      { subject: 'CN=ca', keyBits: 2048 },
      { subject: 'CN=root', keyBits: 1536 },
    ]
    expect(weakAlgorithms('sha256', chain, 2048)).toEqual(['signer:rsa-1024', 'chain[2]:rsa-1536'])
    expect(weakAlgorithms('sha1', chain.slice(1, 2), 2048)).toEqual(['digest:sha1'])
    expect(weakAlgorithms('sha512', chain, 1024)).toEqual([])
  })

  it('a SHA-1 signature claimed before the cut-off is a warning; on or after it, invalid', async () => {
    const sha1 = signed('valid', { digest: 'sha1' })
    const before = await checker(undefined, new Date('2026-07-01T00:00:00Z'))(sha1, NOW)
    expect(before).toMatchObject({ status: 'valid', digestAlgorithm: 'sha1', warnings: ['weak_algorithm'] })
    expect(before.evidence.algorithms).toMatchObject({ digest: 'sha1', weak: ['digest:sha1'], keyBits: 2048 })
    const after = await checker(undefined, new Date('2026-06-01T00:00:00Z'))(sha1, NOW)
    expect(after).toMatchObject({ status: 'invalid', reason: 'weak_algorithm', warnings: [] })
    // SHA-256 with 2048-bit keys is not weak, whatever the date.
    expect(await checker(undefined, new Date('2030-01-01T00:00:00Z'))(signed('valid'), NOW)).toMatchObject({ status: 'valid', warnings: [] })
  })
})

// The sandbox CA dates its answers with the real clock: revocation is checked at the real time.
describe('revocation (OCSP then CRL, cached)', () => {
  it('good and revoked over OCSP, with the evidence of the answer', async () => {
    const { fetcher, calls } = caFetcher()
    const c = checker(fetcher)
    const good = await c(signed('valid'), new Date())
    expect(good).toMatchObject({ status: 'valid', warnings: [] })
    expect(good.evidence.revocation).toMatchObject({ status: 'good', source: 'ocsp', url: `${BASE}/pki/ocsp` })
    expect(Buffer.from(good.evidence.revocation!.ocspResponse!, 'base64')[0]).toBe(0x30)
    const revoked = await c(signed('revoked'), new Date())
    expect(revoked).toMatchObject({ status: 'invalid', reason: 'signer_revoked' })
    expect(revoked.evidence.revocation).toMatchObject({
      status: 'revoked',
      revocationReason: 'keyCompromise',
      revokedAt: pki.revokedSerials.get('2003')!.toISOString(),
    })
    expect(calls).toEqual({ ocsp: 2, crl: 0 })
    // Not asked for signatures that already failed (untrusted issuer, expired signer).
    await c(signed('untrusted'), new Date())
    await c(signed('expired'), new Date())
    expect(calls).toEqual({ ocsp: 2, crl: 0 })
  })

  it('falls back to the CRL when OCSP is down or its answer does not verify', async () => {
    for (const down of [{ ocsp: true }, { corruptOcsp: true }]) {
      const { fetcher, calls } = caFetcher(down)
      const c = checker(fetcher)
      const good = await c(signed('valid'), new Date())
      expect(good.evidence.revocation).toMatchObject({ status: 'good', source: 'crl', url: `${BASE}/pki/crl/agency-ca.crl` })
      expect(good.evidence.revocation!.crlNumber).toMatch(/^\d+$/)
      expect(good.evidence.revocation!.thisUpdate).toBeDefined()
      const revoked = await c(signed('revoked'), new Date())
      expect(revoked).toMatchObject({ status: 'invalid', reason: 'signer_revoked' })
      // One CRL download serves both signers.
      expect(calls).toEqual({ ocsp: 2, crl: 1 })
    }
  })

  it('offline: unknown (a warning), cached for REVOCATION_UNKNOWN_TTL_MS, then asked again', async () => {
    const { fetcher, calls } = caFetcher({ ocsp: true, crl: true })
    const c = checker(fetcher)
    const t0 = Date.now()
    const r = await c(signed('valid'), new Date(t0))
    expect(r).toMatchObject({ status: 'valid', warnings: ['revocation_unknown'] })
    expect(r.evidence.revocation!.errors).toHaveLength(2)
    await c(signed('valid'), new Date(t0 + 30_000))
    expect(calls).toEqual({ ocsp: 1, crl: 1 })
    await c(signed('valid'), new Date(t0 + 61_000))
    expect(calls).toEqual({ ocsp: 2, crl: 2 })
  })

  it('a certificate naming no responder nor CRL is flagged revocation_unavailable', async () => {
    const bare = createTestPki({ now: NOW })
    const c = createSignatureChecker({
      trustAnchorsPem: bare.trustAnchorsPem,
      weak: { cutoff: new Date('2020-01-01'), minRsaBits: 2048 },
      revocation: new RevocationChecker(caFetcher().fetcher, OPTS),
    })
    expect(await c(signPdf(pdf, bare.signers.valid, { signingTime: NOW }), new Date())).toMatchObject({ status: 'valid', warnings: ['revocation_unavailable'] })
  })
})

describe('trust anchors as files (TRUST_ANCHORS)', () => {
  const cfg = { DATA_DIR: mkdtempSync(join(tmpdir(), 'anchors-data-')), NODE_ENV: 'production' as const, WAREHOUSE_TRUST_ANCHORS_FILE: '' }
  it('reads files and folders (*.pem, *.crt, *.cer), sorted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anchors-'))
    mkdirSync(join(dir, 'roots'))
    writeFileSync(join(dir, 'roots', 'b-public-ca.crt'), pki.intermediate.certificatePem)
    writeFileSync(join(dir, 'roots', 'a-gov-ca.pem'), pki.rootCa.certificatePem)
    writeFileSync(join(dir, 'roots', 'notes.txt'), 'not a certificate')
    writeFileSync(join(dir, 'extra.cer'), pki.untrustedRoot.certificatePem)
    const got = loadTrustAnchors({ ...cfg, TRUST_ANCHORS: `${join(dir, 'roots')}, ${join(dir, 'extra.cer')}` })
    expect(got.pems.map((p) => p.trim())).toEqual(
      [pki.rootCa.certificatePem, pki.intermediate.certificatePem, pki.untrustedRoot.certificatePem].map((p) => p.trim()),
    )
    expect(got.source.split(',')).toHaveLength(3)
  })

  it('a missing file or a folder without certificates is a boot error naming TRUST_ANCHORS; production never reads the sandbox root', () => {
    expect(() => loadTrustAnchors({ ...cfg, TRUST_ANCHORS: '/nonexistent/roots' })).toThrow(/TRUST_ANCHORS: \/nonexistent\/roots cannot be read/)
    const empty = mkdtempSync(join(tmpdir(), 'anchors-empty-'))
    expect(() => loadTrustAnchors({ ...cfg, TRUST_ANCHORS: empty })).toThrow(/holds no \.pem, \.crt or \.cer file/)
    writeFileSync(join(cfg.DATA_DIR, 'sandbox-trust-anchors.pem'), pki.rootCa.certificatePem)
    expect(loadTrustAnchors({ ...cfg, TRUST_ANCHORS: '' })).toEqual({ pems: [], source: 'none' })
    expect(loadTrustAnchors({ ...cfg, NODE_ENV: 'development', TRUST_ANCHORS: '' }).pems).toHaveLength(1)
  })
})

describe('boot errors', () => {
  const ctx = (env: Record<string, string>) =>
    ({ config: testConfig(env), logger: createLogger('silent'), metrics: { registry: new Registry() } }) as unknown as ServiceContext
  it('a bad SIGNATURE_POLICY or SIGNATURE_WEAK_CUTOFF is a ConfigError naming the variable', () => {
    const bad = (env: Record<string, string>) => {
      try {
        createSignatureGate(ctx(env), [], new Counter({ name: 'x_total', help: 'x', labelNames: ['status'], registers: [] }))
      } catch (e) {
        return e
      }
      return undefined
    }
    expect(bad({ SIGNATURE_POLICY: 'local.paper=require' })).toMatchObject({ name: 'ConfigError', variable: 'SIGNATURE_POLICY' })
    expect(bad({ SIGNATURE_WEAK_CUTOFF: '2021-02-30' })).toMatchObject({ name: 'ConfigError', variable: 'SIGNATURE_WEAK_CUTOFF' })
    const ok = bad({ SIGNATURE_POLICY: 'mirror.result=require', REVOCATION_CHECK: 'off' })
    expect(ok).toBeUndefined()
  })
})
