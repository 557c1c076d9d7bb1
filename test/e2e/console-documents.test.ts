import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { startSandbox, waitFor, type TestSandbox } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { apiGet, axe, serious, shot, signIn, startConsoleHub, type ConsoleHub } from '../helpers/console.js'
import { buildPdf } from '../../src/sandbox/pki/index.js'

/** The sandbox axis's two hub agencies (docs/sandbox-vdxp.md): A sends, B receives. */
const A = '000.00.00.H56'
const B = '000.01.00.H56'
const X = '000.00.06.H56'
const H = { 'x-api-key': KEYS.province, 'content-type': 'application/json' }

interface InboxItem {
  id: string
  subject?: string
}
interface SummaryRow {
  agencyCode: string
  digitised: number
  pushed: number
  mirrored: number
  reused: number
  signature: { pass: number; warn: number; fail: number }
  gaps: number
}

/**
 * Issue 15, documents and digitisation views in headless chromium (a viewer's session): the
 * VDXP inbox shows a document received through the sandbox axis and its timeline; the
 * warehouse view's per-agency summary row equals GET /admin/digitisation/summary.
 */
describe('console: VDXP inbox and the digitisation summary in headless chromium', () => {
  let sandbox: TestSandbox
  let c: ConsoleHub
  let page: Page
  const subject = `Công văn thử trình duyệt ${randomBytes(3).toString('hex')}`
  let received: InboxItem

  beforeAll(async () => {
    sandbox = await startSandbox()
    c = await startConsoleHub({
      sandbox,
      env: { CONNECTORS_ENABLED: 'dvcqg,vdxp', VDXP_BASE_URL: `${sandbox.url}/vdxp`, VDXP_POLL_MS: 200, SIGNATURE_POLICY: 'local.other=warn' },
    })
    const sync = await fetch(`${c.t.url}/admin/documents/agencies/sync`, { method: 'POST', headers: { 'x-api-key': KEYS.operator } })
    expect(sync.status).toBe(200)
    const sent = await fetch(`${c.t.url}/v1/documents`, {
      method: 'POST',
      headers: H,
      body: JSON.stringify({
        idempotencyKey: 'console-browser-1',
        from: A,
        to: [B],
        codeNumber: '3001',
        codeNotation: 'UBND-VP',
        documentType: { type: '1', typeName: 'Công văn' },
        subject,
        attachments: [],
      }),
    })
    expect(sent.status).toBe(202)
    received = await waitFor(async () => {
      const r = await apiGet<{ items: InboxItem[] }>(c, KEYS.viewer, '/admin/documents/inbox')
      return r.items.find((i) => i.subject === subject)
    }, 30_000)
    // One unsigned local document of agency X (policy: warn).
    const pdf = buildPdf('Browser summary')
    const doc = await fetch(`${c.t.url}/v1/warehouse/documents`, {
      method: 'POST',
      headers: H,
      body: JSON.stringify({
        documentId: 'console-browser-doc-1',
        ownerId: '056085001999',
        title: 'Giấy tờ thử',
        documentCode: 'GT.ST.001',
        digitisationKind: '1',
        permanent: true,
        agencyCode: X,
        file: { name: 'b.pdf', contentBase64: pdf.toString('base64'), sha256: createHash('sha256').update(pdf).digest('hex') },
      }),
    })
    expect(doc.status, await doc.clone().text()).toBe(202)
    page = await c.newPage()
    await signIn(c, page, KEYS.viewer)
  }, 120_000)
  afterAll(async () => {
    await c?.close()
    await sandbox?.close()
  })

  it('the inbox shows the received document; its timeline lists what the API answers', async () => {
    await page.getByTestId('nav-documents').click()
    await page.getByTestId('inbox-table').waitFor()
    await expect(page.getByTestId('inbox-table').innerText()).resolves.toContain(subject)
    await page.getByTestId(`timeline-${received.id}`).first().click()
    await page.getByTestId('document-timeline').waitFor()
    const api = await apiGet<{ events: unknown[] }>(c, KEYS.viewer, `/admin/documents/${received.id}/timeline`)
    expect(await page.getByTestId('document-timeline').locator('tbody tr').count()).toBe(api.events.length)
    await shot(page, 'documents-inbox-timeline')
  }, 60_000)

  it("the warehouse view's summary row equals GET /admin/digitisation/summary", async () => {
    // The push is asynchronous: the figures settle first, so the page and the API see the same.
    await waitFor(async () => {
      const r = await apiGet<{ rows: SummaryRow[] }>(c, KEYS.viewer, `/admin/digitisation/summary?agency=${X}`)
      return r.rows.find((x) => x.agencyCode === X)?.pushed === 1
    }, 30_000)
    await page.getByTestId('nav-warehouse').click()
    await page.getByTestId(`summary-row-${X}`).waitFor()
    const api = await apiGet<{ rows: SummaryRow[] }>(c, KEYS.viewer, '/admin/digitisation/summary')
    const row = api.rows.find((r) => r.agencyCode === X)!
    expect(row.digitised).toBe(1)
    const cells = await page
      .getByTestId(`summary-row-${X}`)
      .locator('[data-value]')
      .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-value'))))
    expect(cells).toEqual([row.digitised, row.pushed, row.mirrored, row.reused, row.signature.pass, row.signature.warn, row.signature.fail, row.gaps])
    await shot(page, 'warehouse-summary')
    // Before axe is injected (its inline script is refused by the CSP, then run through the debugging protocol).
    expect(c.outside).toEqual([])
    expect(c.refused).toEqual([])
    expect(c.pageErrors).toEqual([])
  }, 60_000)

  it('axe-core: no serious or critical issue on the filled warehouse and documents views', async () => {
    expect(serious(await axe(page))).toEqual([])
    await page.getByTestId('nav-documents').click()
    await page.getByTestId(`timeline-${received.id}`).first().click()
    await page.getByTestId('document-timeline').waitFor()
    expect(serious(await axe(page))).toEqual([])
  }, 60_000)
})
