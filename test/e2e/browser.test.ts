import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHub, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'

/** Debian's chromium (never a downloaded browser build). */
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'

interface Visit {
  page: Page
  /** Every request the page made (as the browser issued it), by URL. */
  requests: string[]
  /** Requests to another origin, refused by the interception. */
  outside: string[]
  /** Console messages of loads the browser refused itself (CSP), which never reach the network layer. */
  refused: string[]
}

/**
 * Acceptance 7 of issue 16: no page the hub serves loads anything from outside it. Each
 * page is opened in headless chromium with every request intercepted: a request to
 * another origin is recorded and aborted (the network is limited to the hub), and the
 * page must still render (swagger-ui lists the operations, the dashboard its queues).
 * Loads the browser refuses before the network (CSP) are caught from the console, and
 * the rendered DOM must name no asset of another origin.
 */
describe('pages served by the hub load nothing from outside it (headless chromium)', () => {
  let t: TestHub
  let browser: Browser
  let context: BrowserContext
  let origin: string

  beforeAll(async () => {
    t = await startTestHub({ workers: false })
    origin = new URL(t.url).origin
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    })
    // Operators' pages: HTTP Basic with the key as password (README, inbound authentication).
    context = await browser.newContext({ httpCredentials: { username: 'operator', password: KEYS.operator } })
  }, 90_000)
  afterAll(async () => {
    await context?.close()
    await browser?.close()
    await t?.close()
  })

  async function visit(path: string): Promise<Visit> {
    const page = await context.newPage()
    const v: Visit = { page, requests: [], outside: [], refused: [] }
    await page.route('**/*', (route) => {
      const url = route.request().url()
      v.requests.push(url)
      if (new URL(url).origin === origin || url.startsWith('data:')) return route.continue()
      v.outside.push(url)
      return route.abort('blockedbyclient')
    })
    page.on('console', (m) => {
      // A load refused by the page's CSP names the URL ("Refused to load the stylesheet 'https://…'"); inline styles are no load.
      if (/refused to (load|connect to|frame|execute script from)[^']*'[a-z][a-z0-9+.-]*:/i.test(m.text())) v.refused.push(m.text())
    })
    const res = await page.goto(origin + path, { waitUntil: 'load' })
    expect(res?.status(), path).toBe(200)
    return v
  }

  /** Assets the rendered page names (scripts, styles, images, fonts, frames): links a user may follow are not loads. */
  // Evaluated in the page (as text: the project compiles without the DOM library).
  const namedAssets = (page: Page) =>
    page.evaluate<string[]>(
      `[...document.querySelectorAll('script[src], link[href], img[src], iframe[src], source[src], video[src], audio[src], object[data]')]
        .map((e) => e.src || e.href || e.data).filter(Boolean)`,
    )

  async function expectOnlyHub(v: Visit) {
    expect(v.requests.length).toBeGreaterThan(1)
    expect(v.outside).toEqual([])
    expect(v.refused).toEqual([])
    // Inline data (data:, blob:) is part of the page; anything else must be the hub's.
    for (const url of await namedAssets(v.page)) if (!/^(data|blob):/.test(url)) expect(new URL(url).origin, url.slice(0, 200)).toBe(origin)
  }

  it('/docs: swagger-ui renders every operation from the hub alone', async () => {
    const v = await visit('/docs')
    await v.page.waitForSelector('.opblock', { timeout: 30_000 })
    const spec = (await (await fetch(`${t.url}/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> }
    const operations = Object.values(spec.paths).reduce((n, item) => n + Object.keys(item).length, 0)
    await v.page.waitForFunction(`document.querySelectorAll('.opblock').length >= ${operations}`, undefined, { timeout: 30_000 })
    expect(await v.page.locator('.opblock').count()).toBe(operations)
    expect(await v.page.locator('.opblock-summary-path', { hasText: '/v1/dossiers/{dossierCode}/events' }).count()).toBe(1)
    await expectOnlyHub(v)
    expect(v.requests).toContain(`${origin}/docs/json`)
    await v.page.close()
  }, 60_000)

  it('/admin/queues: the dashboard lists the hub’s queues from the hub alone', async () => {
    const names = t.hub.queues.allQueues().map((q) => q.name)
    expect(names.length).toBeGreaterThan(0)
    const v = await visit('/admin/queues')
    for (const name of names) await v.page.getByText(name, { exact: true }).first().waitFor({ timeout: 30_000 })
    await expectOnlyHub(v)
    // Its read API came from the hub with the operator's credentials.
    expect(v.requests.some((u) => u.startsWith(`${origin}/admin/queues/api/`))).toBe(true)
    await v.page.close()
  }, 60_000)

  it('a queue page of the dashboard too', async () => {
    const name = t.hub.queues.allQueues()[0]!.name
    const v = await visit(`/admin/queues/queue/${encodeURIComponent(name)}`)
    await v.page.getByText(name, { exact: true }).first().waitFor({ timeout: 30_000 })
    await expectOnlyHub(v)
    await v.page.close()
  }, 60_000)
})
