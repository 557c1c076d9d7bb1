import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import forge from 'node-forge'
import { SignedXml } from 'xml-crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildEdxmlBuffer, describeSignature, MemorySink, parseEdxml, toOutgoing } from '../../../src/edxml/index.js'

const DIR = join(import.meta.dirname, '../../fixtures/vdxp')

/** A throwaway self-signed RSA certificate (the test's own signer). */
function selfSigned(): { keyPem: string; certPem: string } {
  const keys = forge.pki.rsa.generateKeyPair(1024)
  const cert = forge.pki.createCertificate()
  cert.publicKey = keys.publicKey
  cert.serialNumber = '01'
  cert.validity.notBefore = new Date(Date.now() - 86_400_000)
  cert.validity.notAfter = new Date(Date.now() + 86_400_000)
  const attrs = [{ name: 'commonName', value: 'edxml-test-signer' }]
  cert.setSubject(attrs)
  cert.setIssuer(attrs)
  cert.sign(keys.privateKey, forge.md.sha256.create())
  return { keyPem: forge.pki.privateKeyToPem(keys.privateKey), certPem: forge.pki.certificateToPem(cert) }
}

/** Signs like the SDK: enveloped, URI="", the Signature appended to edXMLHeader. */
function sign(xml: string, signer: { keyPem: string; certPem: string }): string {
  const sig = new SignedXml({ privateKey: signer.keyPem, publicCert: signer.certPem })
  sig.addReference({
    xpath: '/*',
    isEmptyUri: true,
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
  })
  sig.canonicalizationAlgorithm = 'http://www.w3.org/2001/10/xml-exc-c14n#'
  sig.signatureAlgorithm = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256'
  sig.computeSignature(xml, { location: { reference: "//*[local-name(.)='edXMLHeader']", action: 'append' } })
  return sig.getSignedXml()
}

describe('XML-DSig signature of the edXML header', () => {
  let signed: string
  beforeAll(async () => {
    const sink = new MemorySink()
    const sample = await parseEdxml(readFileSync(join(DIR, 'edoc_update.edxml')), { sink })
    const built = await buildEdxmlBuffer(toOutgoing(sample.message, (i) => sink.bodies.get(i)!))
    signed = sign(built.toString('utf8'), selfSigned())
  }, 30_000)

  it('the SDK samples: the truncated certificate gives "cannot be verified", not a crash, and the message is read', async () => {
    const parsed = await parseEdxml(readFileSync(join(DIR, 'edoc_new.edxml')))
    expect(parsed.signature.status).toBe('unverifiable')
    expect(describeSignature(parsed.signature)).toBe(
      'signature cannot be verified: the X509Certificate in KeyInfo is truncated or not a certificate (11 base64 characters)',
    )
    expect(parsed.message.kind).toBe('document')
  })

  it('a message signed over the whole text (attachments included) verifies', async () => {
    const parsed = await parseEdxml(Buffer.from(signed))
    expect(parsed.signature).toEqual({ status: 'valid', subject: 'CN=edxml-test-signer' })
  })

  it('changing one attachment byte after signing makes it invalid; the message is still read', async () => {
    const at = signed.indexOf('UEsDBBQACAgIA') + 20
    const tampered = signed.slice(0, at) + (signed[at] === 'A' ? 'B' : 'A') + signed.slice(at + 1)
    const parsed = await parseEdxml(Buffer.from(tampered))
    expect(parsed.signature.status).toBe('invalid')
    expect(parsed.message.kind).toBe('document')
  })

  it('changing the subject after signing makes it invalid', async () => {
    const tampered = signed.replace('V/v kết nối', 'V/v kết nối!')
    expect((await parseEdxml(Buffer.from(tampered))).signature.status).toBe('invalid')
  })

  it('above maxSignatureDomBytes the DOM check is skipped with that reason', async () => {
    const parsed = await parseEdxml(Buffer.from(signed), { limits: { maxSignatureDomBytes: 100_000 } })
    expect(parsed.signature).toEqual({ status: 'unverifiable', reason: 'message larger than 100000 bytes, the DOM signature check was skipped' })
  })

  it('without a signature: absent', async () => {
    expect((await parseEdxml(readFileSync(join(DIR, 'status_finish_06.edxml')))).signature).toEqual({ status: 'absent' })
  })
})
