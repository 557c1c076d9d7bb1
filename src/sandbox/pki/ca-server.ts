import { createHash, webcrypto } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import type { Simulator, SimKit } from '../framework.js'
import type { TestCertificate, TestPki } from './test-pki.js'

/**
 * The sandbox's agency CA as a revocation authority, written from RFC 5280 (§5, CRL) and
 * RFC 6960 (OCSP): `GET /pki/crl/agency-ca.crl` serves a DER CRL signed by the agency CA
 * listing the revoked signers, and `POST /pki/ocsp` (body `application/ocsp-request`, or
 * `GET /pki/ocsp/<base64 request>`) answers `good`, `revoked` or `unknown` per certificate,
 * signed by the CA itself (RFC 6960 §4.2.2.2, the CA as its own responder). Both are
 * recorded (`sim: 'pki'`, operations `crl` and `ocsp`) and take the kit's faults, so tests
 * count upstream calls and take the CA offline.
 */
export class PkiSimulator implements Simulator {
  readonly id = 'pki'
  /** Validity of a CRL and of an OCSP answer (thisUpdate → nextUpdate). */
  static readonly UPDATE_MS = 3_600_000
  private crl?: { der: Buffer; nextUpdate: number }
  private crlNumber = 0
  private signingKey?: Promise<webcrypto.CryptoKey>

  constructor(private readonly pki: () => TestPki) {}

  private key(): Promise<webcrypto.CryptoKey> {
    this.signingKey ??= webcrypto.subtle.importKey(
      'pkcs8',
      this.pki().intermediate.privateKey.export({ type: 'pkcs8', format: 'der' }),
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      false,
      ['sign'],
    )
    return this.signingKey
  }

  private issuer(): pkijs.Certificate {
    return parseCert(this.pki().intermediate)
  }

  /** Serials the agency CA issued (lower-case hex): the signers chaining to it. */
  private issuedSerials(): Set<string> {
    const s = this.pki().signers
    return new Set([s.valid, s.expired, s.revoked].map((x) => x.certificate.serialNumber.toLowerCase().replace(/^0+(?=.)/, '')))
  }

  async crlDer(now = Date.now()): Promise<Buffer> {
    if (this.crl && this.crl.nextUpdate - 60_000 > now) return this.crl.der
    const issuer = this.issuer()
    const crl = new pkijs.CertificateRevocationList()
    crl.version = 1
    crl.issuer = issuer.subject
    crl.thisUpdate = new pkijs.Time({ type: 0, value: new Date(now) })
    crl.nextUpdate = new pkijs.Time({ type: 0, value: new Date(now + PkiSimulator.UPDATE_MS) })
    crl.revokedCertificates = [...this.pki().revokedSerials].map(
      ([serial, at]) =>
        new pkijs.RevokedCertificate({
          userCertificate: new asn1js.Integer({ valueHex: hexBytes(serial) }),
          revocationDate: new pkijs.Time({ type: 0, value: at }),
          crlEntryExtensions: new pkijs.Extensions({
            // reasonCode keyCompromise (1)
            extensions: [new pkijs.Extension({ extnID: '2.5.29.21', critical: false, extnValue: new asn1js.Enumerated({ value: 1 }).toBER(false) })],
          }),
        }),
    )
    this.crlNumber++
    crl.crlExtensions = new pkijs.Extensions({
      extensions: [new pkijs.Extension({ extnID: '2.5.29.20', critical: false, extnValue: new asn1js.Integer({ value: this.crlNumber }).toBER(false) })],
    })
    await crl.sign(await this.key(), 'SHA-256')
    const der = Buffer.from(crl.toSchema(true).toBER(false))
    this.crl = { der, nextUpdate: now + PkiSimulator.UPDATE_MS }
    return der
  }

  /** An OCSP response (DER) to a DER request; `malformedRequest` (1) for bytes that are not one. */
  async ocspDer(request: Buffer, now = Date.now()): Promise<Buffer> {
    let req: pkijs.OCSPRequest
    try {
      req = pkijs.OCSPRequest.fromBER(new Uint8Array(request))
    } catch {
      return statusOnly(1)
    }
    const issuer = this.issuer()
    const spki = issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView
    const issued = this.issuedSerials()
    const revoked = this.pki().revokedSerials
    const basic = new pkijs.BasicOCSPResponse()
    basic.tbsResponseData.responderID = issuer.subject
    basic.tbsResponseData.producedAt = new Date(now)
    for (const one of req.tbsRequest.requestList) {
      const id = one.reqCert
      const hash = id.hashAlgorithm.algorithmId === '1.3.14.3.2.26' ? 'sha1' : id.hashAlgorithm.algorithmId === '2.16.840.1.101.3.4.2.1' ? 'sha256' : null
      const ours = hash !== null && Buffer.from(id.issuerKeyHash.valueBlock.valueHexView).equals(createHash(hash).update(spki).digest())
      const serial = Buffer.from(id.serialNumber.valueBlock.valueHexView)
        .toString('hex')
        .replace(/^0+(?=.)/, '')
      const single = new pkijs.SingleResponse({ certID: id, thisUpdate: new Date(now), nextUpdate: new Date(now + PkiSimulator.UPDATE_MS) })
      const revokedAt = ours ? revoked.get(serial) : undefined
      if (revokedAt) {
        single.certStatus = new asn1js.Constructed({
          idBlock: { tagClass: 3, tagNumber: 1 },
          value: [
            new asn1js.GeneralizedTime({ valueDate: revokedAt }),
            new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.Enumerated({ value: 1 })] }),
          ],
        })
      } else {
        // good [0] IMPLICIT NULL; unknown [2] IMPLICIT NULL (a certificate this CA did not issue)
        single.certStatus = new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: ours && issued.has(serial) ? 0 : 2 } })
      }
      basic.tbsResponseData.responses.push(single)
    }
    // The nonce (RFC 8954) comes back as sent.
    const nonce = req.tbsRequest.requestExtensions?.find((e) => e.extnID === '1.3.6.1.5.5.7.48.1.2')
    if (nonce) basic.tbsResponseData.responseExtensions = [nonce]
    basic.certs = [issuer]
    await basic.sign(await this.key(), 'SHA-256')
    const res = new pkijs.OCSPResponse()
    res.responseStatus.valueBlock.valueDec = 0
    res.responseBytes = new pkijs.ResponseBytes({
      responseType: '1.3.6.1.5.5.7.48.1.1',
      response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) }),
    })
    return Buffer.from(res.toSchema().toBER(false))
  }

  reset(): void {
    this.crl = undefined
    this.signingKey = undefined
  }

  state() {
    return { crlNumber: this.crlNumber, revoked: [...this.pki().revokedSerials.keys()] }
  }

  routes(app: FastifyInstance, kit: SimKit): void {
    app.addContentTypeParser('application/ocsp-request', { parseAs: 'buffer', bodyLimit: 65_536 }, (_req, body, done) => done(null, body))
    app.get('/crl/agency-ca.crl', (req, reply) =>
      kit.handle('pki', 'crl', req, reply, async () => ({ body: await this.crlDer(), contentType: 'application/pkix-crl' })),
    )
    app.post('/ocsp', (req, reply) =>
      kit.handle('pki', 'ocsp', req, reply, async () => ({
        body: await this.ocspDer(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)),
        contentType: 'application/ocsp-response',
      })),
    )
    app.get('/ocsp/*', (req, reply) =>
      kit.handle('pki', 'ocsp', req, reply, async () => ({
        body: await this.ocspDer(Buffer.from(decodeURIComponent((req.params as { '*': string })['*']), 'base64')),
        contentType: 'application/ocsp-response',
      })),
    )
  }
}

function parseCert(c: TestCertificate): pkijs.Certificate {
  const der = Buffer.from(c.certificatePem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, ''), 'base64')
  return pkijs.Certificate.fromBER(new Uint8Array(der))
}

function hexBytes(hex: string): Uint8Array {
  const even = hex.length % 2 ? `0${hex}` : hex
  // A leading 1 bit would read as a negative INTEGER.
  return new Uint8Array(Buffer.from(/^[89a-f]/i.test(even) ? `00${even}` : even, 'hex'))
}

/** An OCSPResponse with only a status (RFC 6960 §4.2.1): malformedRequest (1), internalError (2)… */
function statusOnly(status: number): Buffer {
  const res = new pkijs.OCSPResponse()
  res.responseStatus.valueBlock.valueDec = status
  return Buffer.from(res.toSchema().toBER(false))
}
