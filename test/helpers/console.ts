import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { buildConsole } from '../../scripts/build-console.mjs'
import { startTestHub, type StartTestHubOptions, type TestHub } from './hub.js'

/** Debian's chromium (never a downloaded browser build). */
export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
export const SHOTS = join(process.cwd(), 'test-results', 'console')

export interface ConsoleHub {
  t: TestHub
  origin: string
  browser: Browser
  /** Requests to another origin the pages tried (aborted), and loads the browser refused itself (CSP). */
  outside: string[]
  refused: string[]
  /** Uncaught errors in the pages. */
  pageErrors: string[]
  newPage(context?: BrowserContext): Promise<Page>
  close(): Promise<void>
}

/**
 * The console built by scripts/build-console.mjs into a temp folder, a hub serving it
 * (CONSOLE_DIR) with the sandbox, and headless chromium. Every page made by newPage()
 * is limited to the hub: a request to another origin is recorded and aborted.
 */
export async function startConsoleHub(opts: StartTestHubOptions = {}): Promise<ConsoleHub> {
  const dir = mkdtempSync(join(tmpdir(), 'lgsp-console-'))
  await buildConsole({ outDir: dir })
  const t = await startTestHub({ ...opts, env: { CONSOLE_DIR: dir, ...opts.env } })
  const origin = new URL(t.url).origin
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  })
  mkdirSync(SHOTS, { recursive: true })
  const h: ConsoleHub = {
    t,
    origin,
    browser,
    outside: [],
    refused: [],
    pageErrors: [],
    async newPage(context) {
      const page = await (context ?? (await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } }))).newPage()
      await page.route('**/*', (route) => {
        const url = route.request().url()
        if (new URL(url).origin === origin || /^(data|blob):/.test(url)) return route.continue()
        h.outside.push(url)
        return route.abort('blockedbyclient')
      })
      page.on('console', (m) => {
        if (/refused to|content security policy/i.test(m.text())) h.refused.push(m.text())
      })
      page.on('pageerror', (e) => h.pageErrors.push(e.message))
      return page
    },
    async close() {
      await browser.close()
      await t.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
  return h
}

/** Opens the console and signs in with an operator key through the form. */
export async function signIn(h: ConsoleHub, page: Page, key: string): Promise<void> {
  await page.goto(`${h.origin}/console/`, { waitUntil: 'load' })
  await page.getByTestId('signin-key').fill(key)
  await page.getByTestId('signin-submit').click()
  await page.getByTestId('who').waitFor({ timeout: 20_000 })
}

/** The console's session cookie as a header value, to call the API as the page's user. */
export async function sessionCookie(page: Page): Promise<string> {
  const c = (await page.context().cookies()).find((x) => x.name === 'lgsp_console')
  if (!c) throw new Error('no lgsp_console cookie')
  return `${c.name}=${c.value}`
}

export const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })

const AXE = readFileSync(join(process.cwd(), 'node_modules', 'axe-core', 'axe.min.js'), 'utf8')

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: number
}

/**
 * axe-core on the page as it is: every violation (WCAG 2.x A/AA and best practices).
 * The script is added with page.addScriptTag; in a page whose CSP refuses inline
 * script it is evaluated through the debugging protocol instead (which CSP does not govern).
 */
export async function axe(page: Page): Promise<AxeViolation[]> {
  const loaded = async () => page.evaluate<boolean>('typeof window.axe === "object"')
  await page.addScriptTag({ content: AXE }).catch(() => undefined)
  if (!(await loaded())) await page.evaluate(AXE)
  if (!(await loaded())) throw new Error('axe-core did not load')
  return page.evaluate<AxeViolation[]>(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length })))`,
  )
}

export const serious = (v: AxeViolation[]) => v.filter((x) => x.impact === 'serious' || x.impact === 'critical')

/** GET a hub path with an API key, as JSON. */
export async function apiGet<T>(h: ConsoleHub, key: string, path: string): Promise<T> {
  const res = await fetch(h.t.url + path, { headers: { 'x-api-key': key } })
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}
