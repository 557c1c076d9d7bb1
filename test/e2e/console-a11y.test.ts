import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { waitFor } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'
import { axe, serious, shot, signIn, startConsoleHub, type AxeViolation, type ConsoleHub } from '../helpers/console.js'

/**
 * Issue 15, acceptance 2: axe-core on every page of the console (signed out and in, the
 * views with their results shown, both languages, a phone-sized screen): no serious or
 * critical violation. axe is injected with page.addScriptTag, so these pages are opened
 * in a context that lets the test's own script in (bypassCSP); the CSP itself is checked
 * by test/e2e/console.test.ts.
 */
describe('operator console accessibility (axe-core, headless chromium)', () => {
  let c: ConsoleHub
  let page: Page
  const code = dossierCode(31)
  const found: Record<string, AxeViolation[]> = {}

  async function check(name: string) {
    // Each step below waits for the element its answer draws; nothing else is loading then.
    await page.locator('main h1').waitFor()
    const v = await axe(page)
    found[name] = v
    await shot(page, `a11y-${name}`)
    return v
  }

  beforeAll(async () => {
    c = await startConsoleHub({ env: { REPORTS_MONTHLY_CRON: '', REPORTS_QUARTERLY_CRON: '', PORTAL_CHECK_CRON: '' } })
    const res = await fetch(`${c.t.url}/v1/dossiers`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.province, 'content-type': 'application/json' },
      body: JSON.stringify(dossierBody(31, 'a11y-31')),
    })
    expect(res.status).toBe(202)
    await waitFor(() => c.t.sandbox.sims.dvcqg.dossier(code), 30_000)
    page = await c.newPage(await c.browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 }, acceptDownloads: true }))
  }, 120_000)
  afterAll(async () => {
    const all = Object.entries(found).flatMap(([p, vs]) => vs.map((v) => `${p}: ${v.impact} ${v.id} (${v.nodes})`))
    console.log(`axe-core on ${Object.keys(found).length} page states; violations of any impact: ${all.length ? all.join('; ') : 'none'}`)
    await c?.close()
  })

  it('sign-in page', async () => {
    await page.goto(`${c.origin}/console/`)
    await page.getByTestId('signin-key').waitFor()
    expect(serious(await check('signin'))).toEqual([])
    // A refused key: the error is announced (role=alert) and still accessible.
    await page.getByTestId('signin-key').fill('not-a-key-0123456789')
    await page.getByTestId('signin-submit').click()
    await page.getByText(/Không đăng nhập được/).waitFor()
    expect(serious(await check('signin-error'))).toEqual([])
  })

  it('overview, with its charts drawn', async () => {
    await signIn(c, page, KEYS.operator)
    await page.getByTestId('chart-delivered').locator('canvas').waitFor()
    expect(serious(await check('overview'))).toEqual([])
  })

  it('every other view, with results shown', async () => {
    await page.getByTestId('nav-dossiers').click()
    await page.getByTestId('search-code').fill(code.slice(0, 16))
    await page.getByTestId('search-submit').click()
    await page.getByTestId(`dossier-${code}`).waitFor()
    await page.getByTestId('bulk-agency').fill('000.00.06.H56')
    await page.getByTestId('bulk-preview').click()
    await page.getByTestId('bulk-count').waitFor()
    expect(serious(await check('dossiers'))).toEqual([])

    await page.getByTestId(`dossier-${code}`).click()
    await page.getByTestId('tl-state').waitFor()
    expect(serious(await check('dossier-timeline'))).toEqual([])

    await page.getByTestId('nav-indicators').click()
    await page.getByTestId('ind-from').fill('2026-11-01')
    await page.getByTestId('ind-to').fill('2026-12-01')
    await page.getByTestId('ind-submit').click()
    await page.getByTestId('ind-cell-total-DOSSIER_SYNC').click()
    await page.getByTestId('drill-table').waitFor()
    expect(serious(await check('indicators'))).toEqual([])

    await page.getByTestId('nav-warehouse').click()
    await page.getByTestId('gaps-agency').fill('000.00.06.H56')
    await page.getByTestId('gaps-submit').click()
    await page.getByTestId('gaps-table').waitFor()
    expect(serious(await check('warehouse'))).toEqual([])

    await page.getByTestId('nav-documents').click()
    await page.getByTestId('outbox-table').waitFor()
    expect(serious(await check('documents'))).toEqual([])

    await page.getByTestId('nav-audit').click()
    await page.getByTestId('subject-id').fill('001090000031')
    await page.getByTestId('subject-submit').click()
    await page.getByTestId('subject-table').waitFor()
    await page.getByTestId('chain-verify').click()
    await page.getByTestId('chain-state').waitFor()
    expect(serious(await check('audit'))).toEqual([])
  }, 90_000)

  it('in English, and on a phone-sized screen', async () => {
    await page.getByTestId('lang').click()
    await page.getByTestId('nav-overview').click()
    await page.getByTestId('ov-backlog').waitFor()
    expect(serious(await check('overview-en'))).toEqual([])
    await page.setViewportSize({ width: 390, height: 844 })
    await page.getByTestId('nav-dossiers').click()
    await page.getByTestId('search-submit').waitFor()
    expect(serious(await check('dossiers-phone'))).toEqual([])
    // Nothing wider than the screen but the tables, which scroll inside their own box.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth')
    expect(overflow).toBeLessThanOrEqual(0)
    await page.getByTestId('lang').click()
  }, 60_000)
})
