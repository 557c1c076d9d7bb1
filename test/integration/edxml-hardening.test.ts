import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_EDXML_LIMITS } from '../../src/edxml/index.js'
import type { CaseResult } from '../unit/edxml/hostile.js'

/**
 * Acceptance 4 of issue 12: billion laughs, external entities, a 100 MB message, 10,000-deep
 * nesting and 10,000 attachments are each refused with a clear error, with RSS growth < 100 MB.
 * The inputs are generated as streams in a child process (test/unit/edxml/hostile.ts), so its
 * RSS is the parser's alone; the child reports the growth seen while each input was pulled and
 * its peak RSS (`maxRSS`) over the whole run against the baseline taken after a warm-up parse.
 */
const ROOT = join(import.meta.dirname, '../..')
const MB = 1024 * 1024
const CASES = [
  'billion-laughs',
  'external-entity',
  'external-dtd',
  'undeclared-entity',
  '100mb-attachment',
  '100mb-text',
  '10000-deep',
  '10000-attachments',
  '10000-references',
]

let results: Map<string, CaseResult>
let memory: { baselineRss: number; maxRss: number }

beforeAll(async () => {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/unit/edxml/hostile.ts', ...CASES], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`hostile.ts exited ${code}: ${stderr}`))))
  })
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as CaseResult & { baselineRss: number; maxRss: number })
  memory = lines.pop()!
  results = new Map(lines.map((r) => [r.name, r]))
}, 120_000)

const refused = (name: string) => {
  const r = results.get(name)!
  expect(r.refused, `${name} was accepted`).toBe(true)
  expect(r.rssGrowth, `${name}: RSS grew ${(r.rssGrowth / MB).toFixed(1)} MB`).toBeLessThan(100 * MB)
  return r
}

describe('hostile edXML is refused with a clear error and little memory', () => {
  it('billion laughs: DTD refused before any entity is read', () => {
    const r = refused('billion-laughs')
    expect(r.code).toBe('HUB_ERR_EDXML_DTD_FORBIDDEN')
    expect(r.message).toMatch(/DOCTYPE \(DTD\) is not allowed/)
    expect(r.element).toBe('/')
  })

  it('external entities: an internal subset declaring one, an external DTD, or an undeclared reference', () => {
    expect(refused('external-entity').code).toBe('HUB_ERR_EDXML_DTD_FORBIDDEN')
    expect(refused('external-dtd').code).toBe('HUB_ERR_EDXML_DTD_FORBIDDEN')
    const undeclared = refused('undeclared-entity')
    expect(undeclared.code).toBe('HUB_ERR_EDXML_MALFORMED')
    expect(undeclared.message).toMatch(/undefined entity/)
    expect(undeclared.element).toBe('/edXML')
  })

  it('a 100 MB message: refused once the size cap is passed, the open attachment aborted in the sink', () => {
    const r = refused('100mb-attachment')
    expect(r.code).toBe('HUB_ERR_EDXML_TOO_LARGE')
    expect(r.message).toContain(`larger than ${DEFAULT_EDXML_LIMITS.maxBytes} bytes`)
    expect(r.element).toBe('/edXML/AttachmentEncoded/Attachment/ContentTransferEncoded')
    expect(r.opened).toBe(1)
    expect(r.aborted).toBe(1)
  })

  it('100 MB of text in a header element: refused at the text cap, naming the element', () => {
    const r = refused('100mb-text')
    expect(r.code).toBe('HUB_ERR_EDXML_TOO_LARGE')
    expect(r.element).toBe('/edXML/edXMLEnvelope/edXMLHeader/MessageHeader/Subject')
  })

  it('10,000-deep nesting: refused at the depth cap', () => {
    const r = refused('10000-deep')
    expect(r.code).toBe('HUB_ERR_EDXML_TOO_DEEP')
    expect(r.message).toContain(`deeper than ${DEFAULT_EDXML_LIMITS.maxDepth}`)
    expect(r.element?.split('/')).toHaveLength(DEFAULT_EDXML_LIMITS.maxDepth + 1)
  })

  it('10,000 attachments (and 10,000 manifest references): refused at the attachment cap', () => {
    const r = refused('10000-attachments')
    expect(r.code).toBe('HUB_ERR_EDXML_TOO_MANY_ATTACHMENTS')
    expect(r.element).toBe(`/edXML/AttachmentEncoded/Attachment[${DEFAULT_EDXML_LIMITS.maxAttachments + 1}]`)
    expect(r.opened).toBe(DEFAULT_EDXML_LIMITS.maxAttachments)
    const refs = refused('10000-references')
    expect(refs.code).toBe('HUB_ERR_EDXML_TOO_MANY_ATTACHMENTS')
    expect(refs.message).toContain('manifest references')
  })

  it('peak RSS of the whole run stays under baseline + 100 MB', () => {
    const growth = memory.maxRss - memory.baselineRss
    console.log(
      `edxml hardening: baseline RSS ${(memory.baselineRss / MB).toFixed(1)} MB, peak ${(memory.maxRss / MB).toFixed(1)} MB, growth ${(growth / MB).toFixed(1)} MB`,
    )
    expect(growth).toBeLessThan(100 * MB)
  })
})
