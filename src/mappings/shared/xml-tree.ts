import { SaxesParser } from 'saxes'

/**
 * The tree xml2js builds with the options the SOAP mappings use (`explicitArray: false`,
 * `explicitRoot: true`, `trim: true`, namespace prefixes stripped from element and attribute
 * names except `xmlns…`, attributes under `$`, text under `_` when an element also has
 * attributes or children), built straight from saxes events: the same shape for a
 * well-formed document at a fraction of the cost (no parser object, emitter or property
 * descriptors per call). Answers `undefined` where saxes refuses the document (the caller
 * then asks xml2js, whose tokenizer is more lenient, so what parsed before still parses).
 */
export function xmlTree(xml: string): Record<string, unknown> | undefined {
  type Open = { name: string; obj: Record<string, unknown>; text: string; cdata: boolean }
  const stack: Open[] = []
  let root: Record<string, unknown> | undefined
  let failed = false
  const parser = new SaxesParser({ xmlns: false, position: false })
  parser.on('error', () => {
    failed = true
  })
  parser.on('opentag', (tag) => {
    const obj: Record<string, unknown> = {}
    let attrs: Record<string, unknown> | undefined
    for (const key in tag.attributes) {
      attrs ??= obj['$'] = {}
      put(attrs, stripPrefix(key), tag.attributes[key])
    }
    stack.push({ name: stripPrefix(tag.name), obj, text: '', cdata: false })
  })
  parser.on('text', (t) => {
    const top = stack[stack.length - 1]
    if (top) top.text += t
  })
  parser.on('cdata', (t) => {
    const top = stack[stack.length - 1]
    if (top) {
      top.text += t
      top.cdata = true
    }
  })
  parser.on('closetag', () => {
    const { name, obj, text, cdata } = stack.pop()!
    let value: unknown = obj
    if (cdata || !/^\s*$/.test(text)) {
      obj['_'] = text.trim()
      if (Object.keys(obj).length === 1) value = obj['_']
    } else if (Object.keys(obj).length === 0) value = text
    const parent = stack[stack.length - 1]
    if (parent) assignOrPush(parent.obj, name, value)
    else root = put({}, name, value)
  })
  try {
    parser.write(xml).close()
  } catch {
    return undefined
  }
  return failed ? undefined : root
}

/** xml2js `processors.stripPrefix`: `soap:Body` → `Body`; names starting with `xmlns` are kept. */
const stripPrefix = (name: string) => (name.startsWith('xmlns') ? name : name.replace(/^.*:/, ''))

/** Own property even for `__proto__` (xml2js defines properties the same way). */
function put(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true })
  else obj[key] = value
  return obj
}

/** A repeated element becomes an array (xml2js `assignOrPush` with `explicitArray: false`). */
function assignOrPush(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (!(key in obj)) put(obj, key, value)
  else {
    if (!Array.isArray(obj[key])) put(obj, key, [obj[key]])
    ;(obj[key] as unknown[]).push(value)
  }
}
