/**
 * Pure helpers to read SOAP replies of national systems: parse with xml2js (namespace
 * prefixes stripped), find the body, recognise SOAP 1.1/1.2 faults and the HTML error
 * pages that provincial proxies return instead of SOAP. Shared by the population and
 * BHXH mappings.
 */
import xml2js from 'xml2js'
import { fault, malformed } from './upstream-result.js'
import { xmlTree } from './xml-tree.js'
import type { UpstreamFault, UpstreamMalformed } from './upstream-result.js'

/** A parsed element: child elements by local name, `$` attributes, `_` text when mixed. */
export type XmlNode = { readonly [name: string]: unknown }

const PARSER_OPTIONS: xml2js.ParserOptions = {
  explicitArray: false,
  explicitRoot: true,
  trim: true,
  tagNameProcessors: [xml2js.processors.stripPrefix],
  attrNameProcessors: [xml2js.processors.stripPrefix],
}

/** True for a non-null, non-array object. */
export function isNode(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Parses XML synchronously (xml2js calls back synchronously with `async: false`). */
export function parseXml(xml: string): { ok: true; doc: XmlNode } | { ok: false; message: string } {
  // The lean builder first (same tree); xml2js for what it refuses (and for its error message).
  const fast = xml.trim() === '' ? undefined : xmlTree(xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml)
  if (fast) return { ok: true, doc: fast }
  let result: { ok: true; doc: XmlNode } | { ok: false; message: string } = { ok: false, message: 'The reply is empty.' }
  try {
    xml2js.parseString(xml, PARSER_OPTIONS, (err: Error | null, doc: unknown) => {
      if (err) result = { ok: false, message: `The reply is not well-formed XML (${err.message.split('\n')[0] ?? 'parse error'}).` }
      else if (isNode(doc)) result = { ok: true, doc }
    })
  } catch (err) {
    result = { ok: false, message: `The reply is not well-formed XML (${err instanceof Error ? err.message.split('\n')[0] : 'parse error'}).` }
  }
  return result
}

/** The trimmed text of an element; `undefined` for a missing or empty element (`<QuocTich/>`). */
export function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() === '' ? undefined : v.trim()
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return text(v[0])
  if (isNode(v) && '_' in v) return text(v['_'])
  return undefined
}

/** A repeated element as an array (xml2js gives a single occurrence as a bare value). */
export function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return []
  return Array.isArray(v) ? v : [v]
}

/** Depth-first search for the first element named `name` (local name). */
export function findElement(node: unknown, name: string, maxDepth = 8): unknown {
  if (maxDepth < 0) return undefined
  if (Array.isArray(node)) {
    for (const item of node) {
      const hit = findElement(item, name, maxDepth - 1)
      if (hit !== undefined) return hit
    }
    return undefined
  }
  if (!isNode(node)) return undefined
  if (name in node) return node[name]
  for (const [key, child] of Object.entries(node)) {
    if (key === '$' || key === '_') continue
    const hit = findElement(child, name, maxDepth - 1)
    if (hit !== undefined) return hit
  }
  return undefined
}

const TRANSIENT = /time[ -]?out|timed out|unavailable|overload|busy|try again|qu[aá] t[aả]i|th[uử] l[aạ]i/i

/** Reads a SOAP 1.1 (`faultcode`/`faultstring`) or SOAP 1.2 (`Code/Value`, `Reason/Text`) fault. */
export function readSoapFault(body: XmlNode): UpstreamFault | undefined {
  const f = body['Fault']
  if (f === undefined) return undefined
  const node = isNode(f) ? f : {}
  const code11 = text(node['faultcode'])
  const code12 = isNode(node['Code']) ? text(node['Code']['Value']) : undefined
  const reason12 = isNode(node['Reason']) ? text(node['Reason']['Text']) : undefined
  const code = code11 ?? code12 ?? 'Server'
  const message = text(node['faultstring']) ?? reason12 ?? 'The upstream returned a SOAP fault without a message.'
  // Client faults are our request's fault; server faults retry only when they say they are transient.
  const retryable = !/client|sender/i.test(code) && TRANSIENT.test(message)
  return fault(`SOAP_${code.replace(/^.*:/, '')}`, message, retryable)
}

/**
 * Recognises an HTML page (a proxy's 502/503/login page) where XML or JSON was
 * expected. Only the page title is kept: the body may echo request data.
 */
export function htmlErrorPage(raw: string): UpstreamFault | undefined {
  const head = raw.slice(0, 2048)
  // Only <html>/doctype count: an unprefixed SOAP <Body> must not look like HTML.
  if (!/^\s*<!doctype\s+html/i.test(head) && !/<html[\s>]/i.test(head)) return undefined
  const title = /<title[^>]*>([^<]{0,200})<\/title>/i.exec(raw)?.[1]?.trim()
  const where = title ? `: "${title.slice(0, 100)}"` : ''
  return fault('UPSTREAM_HTML_PAGE', `The upstream answered with an HTML page instead of a service reply${where}.`, true)
}

/** The SOAP body of a reply (the root itself when there is no envelope). */
export type SoapBodyResult = { kind: 'body'; body: XmlNode } | UpstreamFault | UpstreamMalformed

/** Parses a SOAP reply and returns its body, or a fault / malformed outcome. Never throws. */
export function readSoapBody(raw: unknown): SoapBodyResult {
  if (typeof raw !== 'string' || raw.trim() === '') return malformed('The reply is empty.')
  const html = htmlErrorPage(raw)
  if (html) return html
  const parsed = parseXml(raw.trim())
  if (!parsed.ok) return malformed(parsed.message)
  const envelope = parsed.doc['Envelope']
  let body: XmlNode = parsed.doc
  if (envelope !== undefined) {
    const b = isNode(envelope) ? envelope['Body'] : undefined
    if (!isNode(b)) return malformed('The SOAP envelope has no Body.')
    body = b
  }
  const soapFault = readSoapFault(body)
  if (soapFault) return soapFault
  return { kind: 'body', body }
}
