/**
 * Hostile edXML inputs, generated as streams (nothing big is built in memory), and a child-process
 * entry point that parses each and reports the refusal and the memory it cost:
 * `node --import tsx test/unit/edxml/hostile.ts <case>…` prints one JSON line per case, then
 * `{"baselineRss", "maxRss"}` (bytes; maxRss is the process's peak, so it bounds every case).
 * Used by test/integration/edxml-hardening.test.ts (acceptance 4 of issue 12).
 */
import { Readable } from 'node:stream'
import { pathToFileURL } from 'node:url'
import { isEdxmlError, parseEdxml, type AttachmentSink } from '../../../src/edxml/index.js'

const NS = 'http://www.mic.gov.vn/TBT/QCVN_102_2016'
const MiB = 1024 * 1024

const HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="${NS}" xmlns:edXML="${NS}"><edXML:edXMLEnvelope><edXML:edXMLHeader><edXML:MessageHeader>
<edXML:From><edXML:OrganId>000.00.00.G22</edXML:OrganId></edXML:From><edXML:To><edXML:OrganId>000.00.00.H41</edXML:OrganId></edXML:To>
<edXML:Code><edXML:CodeNumber>1</edXML:CodeNumber></edXML:Code><edXML:Subject>hostile</edXML:Subject>
</edXML:MessageHeader></edXML:edXMLHeader><edXML:edXMLBody><edXML:edXMLManifest version="1.0">`
const MID = `</edXML:edXMLManifest></edXML:edXMLBody></edXML:edXMLEnvelope><AttachmentEncoded>`
const TAIL = `</AttachmentEncoded></edXML>`

function* repeat(piece: string, totalBytes: number): Generator<Buffer> {
  const chunk = Buffer.from(piece.repeat(Math.max(1, Math.floor((64 * 1024) / piece.length))))
  for (let sent = 0; sent < totalBytes; sent += chunk.length) yield chunk
}

const CASES: Record<string, () => Iterable<Buffer | string>> = {
  'billion-laughs': () => {
    const ents = ['<!ENTITY lol "lol">']
    for (let i = 1; i <= 9; i++) ents.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`)
    return [`<?xml version="1.0"?>\n<!DOCTYPE edXML [\n${ents.join('\n')}\n]>\n<edXML xmlns="${NS}">&lol9;</edXML>\n`]
  },
  'external-entity': () => [`<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<edXML xmlns="${NS}">&xxe;</edXML>\n`],
  'external-dtd': () => [`<?xml version="1.0"?>\n<!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/evil.dtd">\n<edXML xmlns="${NS}"/>\n`],
  'undeclared-entity': () => [`<?xml version="1.0"?>\n<edXML xmlns="${NS}">&xxe;</edXML>\n`],
  '100mb-attachment': function* () {
    yield `${HEAD}<edXML:Reference><edXML:ContentId>cid:1</edXML:ContentId></edXML:Reference>${MID}`
    yield '<Attachment><ContentId>cid:1</ContentId><AttachmentName>big.bin</AttachmentName><edXML:ContentTransferEncoded>'
    yield* repeat('QUFB', 100 * MiB)
    yield `</edXML:ContentTransferEncoded></Attachment>${TAIL}`
  },
  '100mb-text': function* () {
    yield `<?xml version="1.0"?>\n<edXML xmlns="${NS}"><edXML:edXMLEnvelope xmlns:edXML="${NS}"><edXML:edXMLHeader><edXML:MessageHeader><edXML:Subject>`
    yield* repeat('lorem ipsum ', 100 * MiB)
    yield '</edXML:Subject></edXML:MessageHeader></edXML:edXMLHeader></edXML:edXMLEnvelope></edXML>'
  },
  '10000-deep': function* () {
    yield `<?xml version="1.0"?>\n<edXML xmlns="${NS}">`
    yield '<a>'.repeat(10_000)
    yield `${'</a>'.repeat(10_000)}</edXML>`
  },
  '10000-attachments': function* () {
    yield `${HEAD}${MID}`
    for (let i = 0; i < 10_000; i++) {
      yield `<Attachment><ContentId>cid:${i}</ContentId><AttachmentName>f${i}.txt</AttachmentName><edXML:ContentTransferEncoded>aGVsbG8=</edXML:ContentTransferEncoded></Attachment>`
    }
    yield TAIL
  },
  '10000-references': function* () {
    yield HEAD
    for (let i = 0; i < 10_000; i++) yield `<edXML:Reference><edXML:ContentId>cid:${i}</edXML:ContentId></edXML:Reference>`
    yield `${MID}${TAIL}`
  },
}

export const HOSTILE_CASES = Object.keys(CASES)

export interface CaseResult {
  name: string
  refused: boolean
  code?: string
  element?: string
  message?: string
  /** Attachment writers opened / aborted by the parser. */
  opened: number
  aborted: number
  /** Highest RSS seen while the input was pulled, minus the RSS before the case (bytes). */
  rssGrowth: number
  ms: number
}

async function runCase(name: string): Promise<CaseResult> {
  const make = CASES[name]
  if (!make) throw new Error(`unknown case ${name}`)
  global.gc?.()
  const before = process.memoryUsage().rss
  let peak = before
  let opened = 0
  let aborted = 0
  const sink: AttachmentSink = {
    open: () => {
      opened++
      return { write: async () => undefined, end: async () => undefined, abort: async () => void aborted++ }
    },
  }
  const input = Readable.from(
    (function* () {
      for (const c of make()) {
        peak = Math.max(peak, process.memoryUsage().rss)
        yield typeof c === 'string' ? Buffer.from(c) : c
      }
    })(),
  )
  const t0 = performance.now()
  const base = { name, opened: 0, aborted: 0, rssGrowth: 0 }
  let out: CaseResult
  try {
    await parseEdxml(input, { sink })
    out = { ...base, refused: false, ms: 0 }
  } catch (e) {
    if (!isEdxmlError(e)) throw e
    out = { ...base, refused: true, code: e.code, element: e.element, message: e.message, ms: 0 }
  }
  peak = Math.max(peak, process.memoryUsage().rss)
  input.destroy()
  return { ...out, opened, aborted, rssGrowth: peak - before, ms: Math.round(performance.now() - t0) }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Warm up (modules, JIT) on a small valid message first, so the baseline is the parser at rest.
  await parseEdxml(Buffer.from(`${HEAD}${MID}${TAIL}`))
  global.gc?.()
  const baselineRss = process.memoryUsage().rss
  for (const name of process.argv.slice(2)) process.stdout.write(`${JSON.stringify(await runCase(name))}\n`)
  process.stdout.write(`${JSON.stringify({ baselineRss, maxRss: process.resourceUsage().maxRSS * 1024 })}\n`)
}
