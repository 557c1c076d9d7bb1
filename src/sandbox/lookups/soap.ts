import xml2js from 'xml2js'

/**
 * The sandbox's own SOAP 1.1 plumbing (envelopes, faults, a namespace-aware request
 * reader), written from the SOAP 1.1 note and the national WSDLs, independently of the
 * hub's mappings: a simulator must catch what the hub gets wrong, not share it.
 */
export const SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/'
export const SOAP_XML = 'text/xml; charset=utf-8'

/** XML text and attribute escaping. */
export const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** `<p:name>text</p:name>`; `<p:name/>` for an empty or missing value. */
export const leaf = (p: string, name: string, value: string | undefined): string =>
  value === undefined || value === '' ? `<${p}:${name}/>` : `<${p}:${name}>${esc(value)}</${p}:${name}>`

/** An element around already-built children. */
export const wrap = (p: string, name: string, inner: string): string => (inner === '' ? `<${p}:${name}/>` : `<${p}:${name}>${inner}</${p}:${name}>`)

/** A SOAP 1.1 envelope around `body`. */
export function soapEnvelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><S:Envelope xmlns:S="${SOAP_ENV}"><S:Body>${body}</S:Body></S:Envelope>`
}

/** A SOAP 1.1 fault (`faultcode` S:Client or S:Server, `faultstring`). */
export function soapFault(code: 'Client' | 'Server', message: string): string {
  return soapEnvelope(`<S:Fault><faultcode>S:${code}</faultcode><faultstring>${esc(message)}</faultstring></S:Fault>`)
}

/** One element: its namespace URI, local name, text and child elements in document order. */
export interface XmlElement {
  readonly ns: string
  readonly name: string
  readonly text: string
  readonly children: readonly XmlElement[]
}

type RawNode = { $ns?: { uri: string; local: string }; _?: string; $$?: RawNode[] }

function toElement(raw: RawNode): XmlElement {
  return { ns: raw.$ns?.uri ?? '', name: raw.$ns?.local ?? '', text: (raw._ ?? '').trim(), children: (raw.$$ ?? []).map(toElement) }
}

/** Parses a document; `undefined` when it is not well-formed XML. */
export function parseXmlElement(xml: string): XmlElement | undefined {
  let root: XmlElement | undefined
  try {
    xml2js.parseString(
      xml,
      { xmlns: true, explicitChildren: true, preserveChildrenOrder: true, explicitRoot: true, async: false },
      (err: Error | null, doc: unknown) => {
        if (err || typeof doc !== 'object' || doc === null) return
        const top = Object.values(doc as Record<string, RawNode>)[0]
        if (top) root = toElement(top)
      },
    )
  } catch {
    return undefined
  }
  return root
}

/** The first element inside the SOAP 1.1 Body of a request envelope; `undefined` when it is not one. */
export function soapBodyElement(xml: string): XmlElement | undefined {
  const env = parseXmlElement(xml)
  if (!env || env.ns !== SOAP_ENV || env.name !== 'Envelope') return undefined
  const body = env.children.find((c) => c.ns === SOAP_ENV && c.name === 'Body')
  return body?.children[0]
}

/** The text of the child named `name` (in the parent's namespace), if present. */
export function childText(el: XmlElement, name: string): string | undefined {
  const c = el.children.find((x) => x.name === name && x.ns === el.ns)
  return c === undefined ? undefined : c.text
}
