import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import forge from 'node-forge'

/**
 * A certificate of the sandbox PKI with its private key.
 * Test material only: these keys are generated at run time and never leave the process.
 */
export interface TestCertificate {
  /** Parsed certificate (node-forge). */
  readonly certificate: forge.pki.Certificate
  readonly certificatePem: string
  /** PKCS#8 PEM of the private key. */
  readonly privateKeyPem: string
  /** The same key as a native key object (fast signing with node:crypto). */
  readonly privateKey: KeyObject
}

/** A document signer: its certificate plus the issuing chain to embed in signatures (root excluded). */
export interface TestSigner extends TestCertificate {
  /** Issuer certificates, nearest first, without the self-signed root. */
  readonly chain: readonly forge.pki.Certificate[]
}

/** The sandbox PKI: a trusted root, a "digitising agency" intermediate CA and three kinds of signers. */
export interface TestPki {
  /** Trusted root (its PEM is in `trustAnchorsPem`). */
  readonly rootCa: TestCertificate
  /** Intermediate CA of the digitising agency, issued by `rootCa`. */
  readonly intermediate: TestCertificate
  /** A self-signed root that is not a trust anchor; issues `signers.untrusted`. */
  readonly untrustedRoot: TestCertificate
  readonly signers: {
    /** Issued by `intermediate`, valid around `now`. */
    readonly valid: TestSigner
    /** Issued by `intermediate`, expired one year before `now`. */
    readonly expired: TestSigner
    /** Valid dates, but issued by `untrustedRoot`. */
    readonly untrusted: TestSigner
    /** Issued by `intermediate`, valid around `now`, revoked (key compromise) a month before `now`: on the CRL, `revoked` over OCSP. */
    readonly revoked: TestSigner
  }
  /** Where the agency CA publishes revocation (RFC 5280 CRL, RFC 6960 OCSP); absent when built without `revocationBaseUrl`. */
  readonly revocation?: { readonly crlUrl: string; readonly ocspUrl: string }
  /** Serials (lower-case hex) the agency CA has revoked, with the revocation time. */
  readonly revokedSerials: ReadonlyMap<string, Date>
  /** PEM of the trust anchors a verifier should be configured with (the root only). */
  readonly trustAnchorsPem: readonly string[]
}

/** Options of {@link createTestPki}. */
export interface TestPkiOptions {
  /** Reference instant for validity periods (default: the current time). Signing "now" with `signers.expired` fails. */
  readonly now?: Date
  /**
   * Base URL of the sandbox (e.g. `http://127.0.0.1:8090`): signers issued by the agency CA then carry a CRL
   * distribution point (`<base>/pki/crl/agency-ca.crl`) and an OCSP responder (`<base>/pki/ocsp`) in their certificates.
   */
  readonly revocationBaseUrl?: string
}

/** Paths of the sandbox CA's revocation services, under the sandbox base URL. */
export const REVOCATION_PATHS = { crl: '/pki/crl/agency-ca.crl', ocsp: '/pki/ocsp' } as const

/** authorityInfoAccess (RFC 5280 §4.2.2.1) with one OCSP responder, as DER bytes (forge has no builder for it). */
function aiaOcspDer(url: string): string {
  const a = forge.asn1
  const access = a.create(a.Class.UNIVERSAL, a.Type.SEQUENCE, true, [
    a.create(a.Class.UNIVERSAL, a.Type.OID, false, a.oidToDer('1.3.6.1.5.5.7.48.1').getBytes()),
    a.create(a.Class.CONTEXT_SPECIFIC, 6, false, url),
  ])
  return a.toDer(a.create(a.Class.UNIVERSAL, a.Type.SEQUENCE, true, [access])).getBytes()
}

interface KeyPair {
  readonly forgePrivate: forge.pki.rsa.PrivateKey
  readonly forgePublic: forge.pki.rsa.PublicKey
  readonly privateKeyPem: string
  readonly privateKey: KeyObject
}

type KeyName = 'root' | 'intermediate' | 'valid' | 'expired' | 'untrustedRoot' | 'untrusted' | 'revoked'

// Key generation is the slow part; keys are made once per process with native RSA and reused.
const keyCache = new Map<KeyName, KeyPair>()
const pkiCache = new Map<string, TestPki>()

function keyPair(name: KeyName): KeyPair {
  const cached = keyCache.get(name)
  if (cached) return cached
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 })
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  const forgePrivate = forge.pki.privateKeyFromPem(privateKeyPem)
  const forgePublic = forge.pki.setRsaPublicKey(forgePrivate.n, forgePrivate.e)
  const pair: KeyPair = { forgePrivate, forgePublic, privateKeyPem, privateKey }
  keyCache.set(name, pair)
  return pair
}

const YEAR_MS = 365 * 24 * 3600 * 1000
// @types/node-forge types valueTagClass as a tag class; forge really wants the universal type (UTF8String = 12).
const UTF8_TAG = forge.asn1.Type.UTF8 as unknown as forge.asn1.Class

interface CertSpec {
  readonly serial: string
  readonly commonName: string
  readonly organization: string
  readonly notBefore: Date
  readonly notAfter: Date
  readonly isCa: boolean
  readonly key: KeyPair
  /** Issuer certificate and key; absent for a self-signed root. */
  readonly issuer?: { readonly certificate: forge.pki.Certificate; readonly key: KeyPair }
  /** Revocation pointers written into an end-entity certificate. */
  readonly revocation?: { readonly crlUrl: string; readonly ocspUrl: string }
}

function issueCertificate(spec: CertSpec): TestCertificate {
  const cert = forge.pki.createCertificate()
  cert.publicKey = spec.key.forgePublic
  cert.serialNumber = spec.serial
  cert.validity.notBefore = spec.notBefore
  cert.validity.notAfter = spec.notAfter
  // Vietnamese names travel as UTF8String, as in real agency certificates (forge encodes the JS string).
  const utf8 = /[^\x20-\x7e]/.test(spec.commonName + spec.organization) ? { valueTagClass: UTF8_TAG } : {}
  const subject = [
    { shortName: 'C', value: 'VN' },
    { shortName: 'O', value: spec.organization, ...utf8 },
    { shortName: 'CN', value: spec.commonName, ...utf8 },
  ]
  cert.setSubject(subject)
  cert.setIssuer(spec.issuer ? spec.issuer.certificate.subject.attributes : subject)
  cert.setExtensions(
    spec.isCa
      ? [
          { name: 'basicConstraints', cA: true, critical: true },
          { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
          { name: 'subjectKeyIdentifier' },
        ]
      : [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
          { name: 'subjectKeyIdentifier' },
          ...(spec.revocation
            ? [
                { name: 'cRLDistributionPoints', altNames: [{ type: 6, value: spec.revocation.crlUrl }] },
                { id: '1.3.6.1.5.5.7.1.1', value: aiaOcspDer(spec.revocation.ocspUrl) },
              ]
            : []),
        ],
  )
  cert.sign((spec.issuer?.key ?? spec.key).forgePrivate, forge.md.sha256.create())
  const certificatePem = forge.pki.certificateToPem(cert)
  return {
    // Re-parsed: a freshly built forge certificate lacks the name hashes that chain building relies on.
    certificate: forge.pki.certificateFromPem(certificatePem),
    certificatePem,
    privateKeyPem: spec.key.privateKeyPem,
    privateKey: spec.key.privateKey,
  }
}

/**
 * Builds (or returns the cached) sandbox PKI for a reference instant.
 * Names, serials and validity periods are fixed relative to `now`; only the keys are random.
 */
export function createTestPki(opts: TestPkiOptions = {}): TestPki {
  const now = opts.now ?? new Date()
  const cacheKey = `${now.getTime()}|${opts.revocationBaseUrl ?? ''}`
  const cached = pkiCache.get(cacheKey)
  if (cached) return cached
  const base = opts.revocationBaseUrl?.replace(/\/+$/, '')
  const revocation = base ? { crlUrl: base + REVOCATION_PATHS.crl, ocspUrl: base + REVOCATION_PATHS.ocsp } : undefined
  const at = (years: number): Date => new Date(now.getTime() + years * YEAR_MS)

  const rootCa = issueCertificate({
    serial: '01',
    commonName: 'LGSP Hub Sandbox Root CA',
    organization: 'LGSP Hub Sandbox',
    notBefore: at(-10),
    notAfter: at(20),
    isCa: true,
    key: keyPair('root'),
  })
  const rootIssuer = { certificate: rootCa.certificate, key: keyPair('root') }
  const intermediate = issueCertificate({
    serial: '1001',
    commonName: 'Sandbox Digitising Agency CA',
    organization: 'So Thong tin va Truyen thong (sandbox)',
    notBefore: at(-5),
    notAfter: at(10),
    isCa: true,
    key: keyPair('intermediate'),
    issuer: rootIssuer,
  })
  const agencyIssuer = { certificate: intermediate.certificate, key: keyPair('intermediate') }
  const untrustedRoot = issueCertificate({
    serial: '02',
    commonName: 'Unknown Root CA',
    organization: 'Not A Trusted Authority',
    notBefore: at(-10),
    notAfter: at(20),
    isCa: true,
    key: keyPair('untrustedRoot'),
  })

  const signer = (base: TestCertificate, chain: forge.pki.Certificate[]): TestSigner => ({ ...base, chain })
  const valid = signer(
    issueCertificate({
      serial: '2001',
      commonName: 'Bộ phận Số hoá - Sandbox Agency',
      organization: 'UBND tỉnh (sandbox)',
      notBefore: at(-1),
      notAfter: at(2),
      isCa: false,
      key: keyPair('valid'),
      issuer: agencyIssuer,
      revocation,
    }),
    [intermediate.certificate],
  )
  const expired = signer(
    issueCertificate({
      serial: '2002',
      commonName: 'Expired Signer - Sandbox Agency',
      organization: 'UBND tinh (sandbox)',
      notBefore: at(-3),
      notAfter: at(-1),
      isCa: false,
      key: keyPair('expired'),
      issuer: agencyIssuer,
      revocation,
    }),
    [intermediate.certificate],
  )
  const untrusted = signer(
    issueCertificate({
      serial: '3001',
      commonName: 'Untrusted Signer',
      organization: 'Not A Trusted Authority',
      notBefore: at(-1),
      notAfter: at(2),
      isCa: false,
      key: keyPair('untrusted'),
      issuer: { certificate: untrustedRoot.certificate, key: keyPair('untrustedRoot') },
    }),
    [untrustedRoot.certificate],
  )

  const revoked = signer(
    issueCertificate({
      serial: '2003',
      commonName: 'Revoked Signer - Sandbox Agency',
      organization: 'UBND tinh (sandbox)',
      notBefore: at(-1),
      notAfter: at(2),
      isCa: false,
      key: keyPair('revoked'),
      issuer: agencyIssuer,
      revocation,
    }),
    [intermediate.certificate],
  )

  const pki: TestPki = {
    rootCa,
    intermediate,
    untrustedRoot,
    signers: { valid, expired, untrusted, revoked },
    ...(revocation ? { revocation } : {}),
    revokedSerials: new Map([['2003', new Date(now.getTime() - 30 * 24 * 3600 * 1000)]]),
    trustAnchorsPem: [rootCa.certificatePem],
  }
  pkiCache.set(cacheKey, pki)
  return pki
}
