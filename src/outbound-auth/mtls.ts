import https from 'node:https'
import forge from 'node-forge'
import { Gauge, type Registry } from 'prom-client'
import type { AuthStrategy } from './strategy.js'

export interface ClientCertificateSource {
  /** PEM certificate (may be followed by its chain). */
  certPem?: string
  /** PEM private key (PKCS#1 or PKCS#8, unencrypted or encrypted with `passphrase`). */
  keyPem?: string
  /** PKCS#12 bundle (DER bytes). */
  pfx?: Buffer
  passphrase?: string
}

export interface ClientCertificate {
  /** PEM of the leaf certificate followed by any chain certificates. */
  certPem: string
  /** Unencrypted PKCS#8-or-RSA PEM of the private key. */
  keyPem: string
  subject: string
  notBefore: Date
  notAfter: Date
}

export class ClientCertificateError extends Error {
  override readonly name = 'ClientCertificateError'
}

function utf8(v: unknown): string {
  const s = String(v)
  try {
    return forge.util.decodeUtf8(s)
  } catch {
    return s
  }
}
const subjectOf = (c: forge.pki.Certificate) => c.subject.attributes.map((a) => `${a.shortName ?? a.name}=${utf8(a.value)}`).join(', ')

/**
 * Loads a client certificate and its key with node-forge, from PEM or PKCS#12, and
 * checks that the key matches the certificate and that the certificate is valid now
 * (an expired or not-yet-valid certificate is refused at boot, not at the first call).
 */
export function loadClientCertificate(src: ClientCertificateSource, now = new Date()): ClientCertificate {
  let certs: forge.pki.Certificate[] = []
  let key: forge.pki.PrivateKey | undefined
  try {
    if (src.pfx) {
      const asn1 = forge.asn1.fromDer(forge.util.createBuffer(src.pfx.toString('binary')))
      const p12 = forge.pkcs12.pkcs12FromAsn1(asn1, src.passphrase ?? '')
      const bagsOf = (oid: string | undefined) => (oid ? (p12.getBags({ bagType: oid })[oid] ?? []) : [])
      certs = bagsOf(forge.pki.oids.certBag)
        .map((b) => b.cert)
        .filter((c): c is forge.pki.Certificate => !!c)
      const keyBags = [...bagsOf(forge.pki.oids.pkcs8ShroudedKeyBag), ...bagsOf(forge.pki.oids.keyBag)]
      key = keyBags.find((b) => b.key)?.key ?? undefined
    } else if (src.certPem && src.keyPem) {
      certs = forge.pem
        .decode(src.certPem)
        .filter((p) => p.type === 'CERTIFICATE')
        .map((p) => forge.pki.certificateFromAsn1(forge.asn1.fromDer(p.body)))
      key = /ENCRYPTED PRIVATE KEY/.test(src.keyPem)
        ? (forge.pki.decryptRsaPrivateKey(src.keyPem, src.passphrase ?? '') ?? undefined)
        : forge.pki.privateKeyFromPem(src.keyPem)
    } else {
      throw new ClientCertificateError('a client certificate needs a PEM certificate and key, or a PKCS#12 bundle')
    }
  } catch (e) {
    if (e instanceof ClientCertificateError) throw e
    throw new ClientCertificateError(`cannot read the client certificate: ${(e as Error).message}`)
  }
  if (!certs.length) throw new ClientCertificateError('no certificate found')
  if (!key) throw new ClientCertificateError('no private key found (wrong passphrase?)')
  // The leaf is the certificate whose public key matches the private key.
  const rsaKey = key as forge.pki.rsa.PrivateKey
  const leaf = certs.find((c) => {
    const pub = c.publicKey as forge.pki.rsa.PublicKey
    return pub.n?.equals(rsaKey.n) && pub.e?.equals(rsaKey.e)
  })
  if (!leaf) throw new ClientCertificateError('the private key does not match the certificate')
  const { notBefore, notAfter } = leaf.validity
  if (now > notAfter) throw new ClientCertificateError(`the client certificate "${subjectOf(leaf)}" expired on ${notAfter.toISOString()}`)
  if (now < notBefore) throw new ClientCertificateError(`the client certificate "${subjectOf(leaf)}" is not valid before ${notBefore.toISOString()}`)
  const chain = [leaf, ...certs.filter((c) => c !== leaf)]
  return {
    certPem: chain.map((c) => forge.pki.certificateToPem(c)).join(''),
    keyPem: forge.pki.privateKeyToPem(key),
    subject: subjectOf(leaf),
    notBefore,
    notAfter,
  }
}

const gauges = new WeakMap<Registry, Gauge<'upstream'>>()

/** `lgsp_hub_client_cert_expiry_seconds{upstream}`: the client certificate's notAfter as a Unix time. */
export function clientCertExpiryGauge(registry: Registry): Gauge<'upstream'> {
  let g = gauges.get(registry)
  if (!g) {
    g = new Gauge({
      name: 'lgsp_hub_client_cert_expiry_seconds',
      help: 'Expiry (notAfter, Unix seconds) of the client certificate used for mutual TLS, by upstream',
      labelNames: ['upstream'] as const,
      registers: [registry],
    })
    gauges.set(registry, g)
  }
  return g
}

export interface MutualTlsStrategy extends AuthStrategy {
  readonly certificate: ClientCertificate
  readonly agent: https.Agent
  /** TLS options for `TransportOptions.tls`. */
  readonly tls: https.AgentOptions
}

/**
 * Mutual TLS: the certificate is loaded (and refused when expired) when the strategy
 * is built, i.e. at boot; its expiry is exported as a metric; every request of the
 * upstream goes out through an agent presenting it.
 */
export function mutualTlsAuth(o: {
  upstream: string
  source: ClientCertificateSource
  ca?: string
  rejectUnauthorized?: boolean
  registry?: Registry
  now?: Date
}): MutualTlsStrategy {
  const certificate = loadClientCertificate(o.source, o.now)
  const tls: https.AgentOptions = {
    cert: certificate.certPem,
    key: certificate.keyPem,
    ...(o.ca ? { ca: o.ca } : {}),
    ...(o.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
  }
  const agent = new https.Agent({ keepAlive: true, ...tls })
  if (o.registry)
    clientCertExpiryGauge(o.registry)
      .labels(o.upstream)
      .set(Math.floor(certificate.notAfter.getTime() / 1000))
  return {
    name: 'mutual-tls',
    certificate,
    agent,
    tls,
    apply(config) {
      config.httpsAgent = agent
    },
  }
}
