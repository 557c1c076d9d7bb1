import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { waitFor } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'
import { apiGet, sessionCookie, shot, signIn, startConsoleHub, type ConsoleHub } from '../helpers/console.js'

const AGENCY_A = '000.00.06.H56'
const AGENCY_B = '000.00.07.H56'
const H = { 'x-api-key': KEYS.province, 'content-type': 'application/json' }

interface Overview {
  systems: { system: string; calls: number; errors: number }[]
  statusSync: { backlog: number; oldestReadyAgeSeconds: number | null; retryWaiting: { dossiers: number; oldestAgeSeconds: number | null }; parked: number }
  documents: { awaitingAck: number; failed: number }
}

/**
 * Issue 15, acceptance 1 and 4: the operator's morning in headless chromium against a hub
 * with the sandbox: sign in, the overview equals the API, a parked dossier is found,
 * replayed and delivered, a bulk replay by agency, an indicator drill-down, a report
 * download, sign-out; a viewer has no replay. Every request stays on the hub's origin.
 */
describe('operator console in headless chromium (hub + sandbox)', () => {
  let c: ConsoleHub
  let page: Page
  const single = dossierCode(11, AGENCY_A)
  const keptParked = dossierCode(12, AGENCY_A)
  const bulk = [dossierCode(21, AGENCY_B), dossierCode(22, AGENCY_B)]
  const delivered = dossierCode(13, AGENCY_A)

  const rejections = (code: string) => `${c.t.sandbox.url}/dvcqg/_sandbox/rejections/${code}`
  const parkedCodes = async () =>
    (await apiGet<{ items: { dossierCode: string }[] }>(c, KEYS.operator, '/admin/dossiers?state=parked')).items.map((i) => i.dossierCode).sort()

  beforeAll(async () => {
    c = await startConsoleHub({ env: { REPORTS_MONTHLY_CRON: '', REPORTS_QUARTERLY_CRON: '', PORTAL_CHECK_CRON: '' } })
    // Four dossiers the portal refuses (they park), one it takes.
    for (const code of [single, keptParked, ...bulk]) {
      await fetch(rejections(code), {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Mã thủ tục không tồn tại' }),
      })
    }
    for (const [i, agency] of [
      [11, AGENCY_A],
      [12, AGENCY_A],
      [13, AGENCY_A],
      [21, AGENCY_B],
      [22, AGENCY_B],
    ] as const) {
      const body = dossierBody(i, `console-${i}`, { dossierCode: dossierCode(i, agency), agencyCode: agency })
      expect((await fetch(`${c.t.url}/v1/dossiers`, { method: 'POST', headers: H, body: JSON.stringify(body) })).status).toBe(202)
    }
    await waitFor(async () => (await parkedCodes()).length === 4 && c.t.sandbox.sims.dvcqg.dossier(delivered), 30_000)
    // A report of November 2026 (the dossiers' month) for the download.
    const gen = await fetch(`${c.t.url}/admin/reports`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.operator, 'content-type': 'application/json' },
      body: JSON.stringify({ period: '2026-11' }),
    })
    expect(gen.status).toBe(202)
    await waitFor(async () => (await apiGet<{ items: unknown[] }>(c, KEYS.operator, '/admin/reports?period=2026-11')).items.length > 0, 30_000)
    page = await c.newPage()
  }, 120_000)
  afterAll(async () => {
    await c?.close()
  })

  it('signs in through the form; the overview shows what GET /admin/overview answers', async () => {
    const answer = page.waitForResponse((r) => r.url() === `${c.origin}/admin/overview`)
    await signIn(c, page, KEYS.operator)
    await page.getByTestId('ov-backlog').waitFor()
    const seen = (await (await answer).json()) as Overview
    const value = async (id: string) => page.getByTestId(id).getAttribute('data-value')
    const s = seen.statusSync
    // The page renders the answer it received…
    expect(await value('ov-backlog')).toBe(String(s.backlog))
    expect(await value('ov-parked')).toBe(String(s.parked))
    expect(await value('ov-retry-dossiers')).toBe(String(s.retryWaiting.dossiers))
    expect(await value('ov-oldest-ready')).toBe(String(s.oldestReadyAgeSeconds))
    expect(await value('ov-docs-awaiting')).toBe(String(seen.documents.awaitingAck))
    expect(await value('ov-docs-failed')).toBe(String(seen.documents.failed))
    for (const sys of seen.systems) {
      expect(await value(`sys-${sys.system}-calls`)).toBe(String(sys.calls))
      expect(await value(`sys-${sys.system}-errors`)).toBe(String(sys.errors))
    }
    // …which is the API's, as an operator's key gets it (the hub is idle: nothing moves).
    const api = await apiGet<Overview>(c, KEYS.operator, '/admin/overview')
    expect(api.statusSync.parked).toBe(4)
    expect({ parked: s.parked, backlog: s.backlog, retry: s.retryWaiting.dossiers, docs: seen.documents }).toEqual({
      parked: api.statusSync.parked,
      backlog: api.statusSync.backlog,
      retry: api.statusSync.retryWaiting.dossiers,
      docs: api.documents,
    })
    expect(seen.systems.map((x) => x.system)).toEqual(api.systems.map((x) => x.system))
    expect(await page.getByTestId('ov-systems').locator('tbody tr').count()).toBe(api.systems.length)
    await page.getByTestId('chart-delivered').locator('canvas').waitFor()
    await shot(page, 'overview')
  }, 60_000)

  it('finds a parked dossier by its code, replays it, and shows it delivered', async () => {
    await page.getByTestId('nav-dossiers').click()
    await page.getByTestId('search-code').fill(single)
    await page.getByTestId('search-submit').click()
    await page.getByTestId(`dossier-${single}`).waitFor()
    expect(await page.getByTestId('search-count').getAttribute('data-value')).toBe('1')
    expect(await page.getByTestId(`state-${single}`).innerText()).toMatch(/Bị dừng/)
    await shot(page, 'dossiers-search')
    await page.getByTestId(`dossier-${single}`).click()
    await page.getByTestId('tl-state').waitFor()
    expect(await page.getByTestId('tl-state').getAttribute('data-value')).toBe('parked')
    // The attempt with the portal's answer is on the timeline.
    await expect(page.locator('main').innerText()).resolves.toContain('Mã thủ tục không tồn tại')
    await shot(page, 'dossier-timeline-parked')
    // The cause is fixed at the portal; the operator replays.
    await fetch(rejections(single), { method: 'DELETE' })
    await page.getByTestId(`replay-${single}`).click()
    await page.waitForSelector('[data-testid="tl-state"][data-value="delivered"]', { timeout: 40_000 })
    expect(c.t.sandbox.sims.dvcqg.dossier(single)).toBeDefined()
    expect(await parkedCodes()).toEqual([keptParked, ...bulk].sort())
    await shot(page, 'dossier-timeline-delivered')
  }, 60_000)

  it('bulk replay by agency: a preview count, a confirmation, only that agency’s parked dossiers', async () => {
    for (const code of bulk) await fetch(rejections(code), { method: 'DELETE' })
    await page.getByTestId('nav-dossiers').click()
    await page.getByTestId('bulk-agency').fill(AGENCY_B)
    await page.getByTestId('bulk-preview').click()
    await page.getByTestId('bulk-count').waitFor()
    expect(await page.getByTestId('bulk-count').getAttribute('data-value')).toBe('2')
    expect((await page.getByTestId('bulk-sample').locator('li').allInnerTexts()).sort()).toEqual([...bulk].sort())
    // Nothing moved on the preview.
    expect(await parkedCodes()).toEqual([keptParked, ...bulk].sort())
    await shot(page, 'dossiers-bulk-preview')
    await page.getByTestId('bulk-confirm').click()
    await page.getByTestId('bulk-result').waitFor()
    expect(await page.getByTestId('bulk-result').getAttribute('data-value')).toBe('2')
    await waitFor(() => bulk.every((code) => c.t.sandbox.sims.dvcqg.dossier(code)), 30_000)
    expect(await parkedCodes()).toEqual([keptParked])
  }, 60_000)

  it('indicators: the scorecard equals the API, a number drills down to its dossiers, a report downloads', async () => {
    await page.getByTestId('nav-indicators').click()
    await page.getByTestId('ind-from').fill('2026-11-01')
    await page.getByTestId('ind-to').fill('2026-12-01')
    await page.getByTestId('ind-submit').click()
    const cell = page.getByTestId('ind-cell-total-DOSSIER_SYNC')
    await cell.waitFor()
    const period = 'from=2026-11-01&to=2026-12-01'
    const summary = await apiGet<{ metrics: { code: string; numerator: number }[] }>(c, KEYS.operator, `/admin/indicators?${period}`)
    expect(await cell.getAttribute('data-value')).toBe(String(summary.metrics.find((m) => m.code === 'DOSSIER_SYNC')!.numerator))
    await cell.click()
    await page.getByTestId('drill-table').waitFor()
    const drill = await apiGet<{ items: { dossierCode: string }[] }>(c, KEYS.operator, `/admin/indicators/DOSSIER_SYNC/dossiers?${period}&limit=200`)
    expect(drill.items.length).toBe(5)
    const shown = await page.getByTestId('drill-table').locator('tbody tr td:first-child').allInnerTexts()
    expect(shown.sort()).toEqual(drill.items.map((i) => i.dossierCode).sort())
    await shot(page, 'indicators')

    const reports = await apiGet<{ items: { id: string; format: string; size: number }[] }>(c, KEYS.operator, '/admin/reports?period=2026-11')
    for (const r of reports.items) {
      const link = page.getByTestId(`report-${r.id}`)
      await link.waitFor()
      const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
      const file = await download.path()
      const bytes = readFileSync(file)
      expect(bytes.length).toBe(r.size)
      if (r.format === 'xlsx') expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK')
      else expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
      expect(download.suggestedFilename()).toMatch(new RegExp(`\\.${r.format}$`))
    }
  }, 60_000)

  it('the other pages render (screenshots), in Vietnamese and in English', async () => {
    const drawn = { warehouse: 'digitisation-table', documents: 'outbox-table', audit: 'operator-actions' } as const
    for (const view of ['warehouse', 'documents', 'audit'] as const) {
      await page.getByTestId(`nav-${view}`).click()
      await page.getByTestId(drawn[view]).waitFor()
      await shot(page, view)
    }
    await page.getByTestId('chain-verify').click()
    await page.getByTestId('chain-state').waitFor()
    expect(await page.getByTestId('chain-state').getAttribute('data-value')).toBe('true')
    await page.getByTestId('lang').click()
    await expect(page.locator('main h1').innerText()).resolves.toBe('Audit')
    expect(await page.evaluate('document.documentElement.lang')).toBe('en')
    await page.getByTestId('nav-overview').click()
    await page.getByTestId('ov-backlog').waitFor()
    await shot(page, 'overview-en')
    // The choice survives a reload.
    await page.reload()
    await page.getByTestId('ov-backlog').waitFor()
    await expect(page.locator('main h1').innerText()).resolves.toBe('Overview')
    await page.getByTestId('lang').click()
  }, 60_000)

  it('a viewer sees no replay and the API refuses the viewer’s session', async () => {
    const viewer = await c.newPage()
    await signIn(c, viewer, KEYS.viewer)
    await viewer.getByTestId('nav-dossiers').click()
    await viewer.getByTestId('search-code').fill(keptParked)
    await viewer.getByTestId('search-submit').click()
    await viewer.getByTestId(`dossier-${keptParked}`).waitFor()
    expect(await viewer.getByTestId(`replay-${keptParked}`).count()).toBe(0)
    expect(await viewer.getByTestId('bulk-preview').count()).toBe(0)
    await viewer.getByTestId(`dossier-${keptParked}`).click()
    await viewer.getByTestId('tl-state').waitFor()
    expect(await viewer.getByTestId(`replay-${keptParked}`).count()).toBe(0)
    await shot(viewer, 'viewer-timeline')
    const cookie = await sessionCookie(viewer)
    const session = (await (await fetch(`${c.t.url}/console/api/session`, { headers: { cookie } })).json()) as { role: string; csrfToken: string }
    expect(session.role).toBe('admin:read')
    const refused = await fetch(`${c.t.url}/admin/dossiers/${keptParked}/replay`, { method: 'POST', headers: { cookie, 'x-csrf-token': session.csrfToken } })
    expect(refused.status).toBe(403)
    expect(await parkedCodes()).toEqual([keptParked])
    await viewer.context().close()
  }, 60_000)

  it('signs out: the form is back and the old cookie is refused', async () => {
    const cookie = await sessionCookie(page)
    expect((await fetch(`${c.t.url}/admin/dossiers?state=parked`, { headers: { cookie } })).status).toBe(200)
    await page.getByTestId('signout').click()
    await page.getByTestId('signin-key').waitFor()
    await shot(page, 'signin')
    expect((await fetch(`${c.t.url}/admin/dossiers?state=parked`, { headers: { cookie } })).status).toBe(401)
    expect((await fetch(`${c.t.url}/console/api/session`, { headers: { cookie } })).status).toBe(401)
  })

  it('every request of every page went to the hub (no external font, script or style), no page error', async () => {
    expect(c.outside).toEqual([])
    expect(c.refused).toEqual([])
    expect(c.pageErrors).toEqual([])
    const assets = await page.evaluate<string[]>(`[...document.querySelectorAll('script[src], link[href], img[src]')].map((e) => e.src || e.href)`)
    expect(assets.length).toBeGreaterThan(1)
    for (const a of assets) expect(new URL(a).origin).toBe(c.origin)
  })
})
