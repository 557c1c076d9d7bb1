import { X509Certificate } from 'node:crypto'
import { DOMParser } from '@xmldom/xmldom'
import { SignedXml } from 'xml-crypto'
import type { SignatureCheck } from './model.js'
import type { XNode } from './stream.js'

function find(node: XNode, local: string): XNode | undefined {
  for (const c of node.children) {
    if (c.local === local) return c
    const d = find(c, local)
    if (d) return d
  }
  return undefined
}

const B64_WS = /[ \t\r\n]+/g

/**
 * Checks the header's XML-DSig `Signature` once the message was read.
 *
 * The certificate of `KeyInfo/X509Data` is decoded first: when it is missing or truncated (the
 * SDK samples), the outcome is `unverifiable` with that reason and the message is still accepted.
 * Otherwise the signature is verified with xml-crypto on a DOM of the message text `raw`
 * (the reference is `URI=""` with the enveloped transform: the whole message, attachments
 * included). `raw` is only kept for messages up to `maxSignatureDomBytes`; above that the outcome
 * is `unverifiable` with the reason `rawDropped`. `valid` means the signature matches the
 * certificate the message carries; tying that certificate to a trusted CA is not done here.
 */
export function checkSignature(signature: XNode | undefined, raw: string | undefined, rawDropped: string | undefined): SignatureCheck {
  if (!signature) return { status: 'absent' }
  const certNode = find(signature, 'X509Certificate')
  const certText = certNode?.text.replace(B64_WS, '') ?? ''
  if (certText === '') return { status: 'unverifiable', reason: 'no X509Certificate in the signature KeyInfo' }
  let cert: X509Certificate
  try {
    cert = new X509Certificate(Buffer.from(certText, 'base64'))
  } catch {
    return { status: 'unverifiable', reason: `the X509Certificate in KeyInfo is truncated or not a certificate (${certText.length} base64 characters)` }
  }
  if (raw === undefined) return { status: 'unverifiable', reason: rawDropped ?? 'the message text was not kept for the DOM check' }
  try {
    const fail = (msg: string) => {
      throw new Error(`message text unreadable for the DOM check: ${msg}`)
    }
    const doc = new DOMParser({ errorHandler: { error: fail, fatalError: fail } }).parseFromString(raw, 'text/xml')
    const sigs = doc.getElementsByTagNameNS('*', 'Signature')
    if (sigs.length !== 1) return { status: 'unverifiable', reason: `expected one Signature element, found ${sigs.length}` }
    const pem = cert.publicKey.export({ type: 'spki', format: 'pem' }).toString()
    const sx = new SignedXml({ publicCert: pem, getCertFromKeyInfo: () => null })
    sx.loadSignature(sigs[0] as unknown as Node)
    if (sx.checkSignature(raw)) return { status: 'valid', subject: cert.subject.replace(/\n/g, ', ') }
    return { status: 'invalid', reason: 'the signature value or a reference digest does not match the message' }
  } catch (e) {
    const msg = (e as Error).message.split('\n')[0]!.slice(0, 200)
    if (/invalid signature|digest/i.test(msg)) return { status: 'invalid', reason: msg }
    return { status: 'unverifiable', reason: msg }
  }
}
