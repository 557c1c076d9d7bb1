import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, spawnHub, type HubProcess } from '../helpers/proc.js'
import { uniqueId } from '../helpers/config.js'

const run = promisify(execFile)

/** One command of a README shell block and what the README says it prints (`# →` line after it). */
interface Step {
  command: string
  expect?: string
}

/**
 * The README's "Try it by hand" shell block, split into commands: a command runs until
 * its single quotes balance (a multi-line JSON body or script is one command); comment
 * lines are skipped; a `# → …` line is the expectation of the command before it.
 */
function readmeSteps(readme: string): Step[] {
  const section = readme.slice(readme.indexOf('## Try it by hand'))
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1]
  if (!block) throw new Error('README: no sh block under "Try it by hand"')
  const steps: Step[] = []
  let pending: string[] = []
  for (const line of block.split('\n')) {
    if (pending.length === 0) {
      const arrow = /^# → (.*)$/.exec(line)
      if (arrow) {
        const last = steps.at(-1)
        if (!last || last.expect !== undefined) throw new Error(`README: an expectation with no command before it: ${line}`)
        last.expect = arrow[1]
        continue
      }
      if (line.trim() === '' || line.startsWith('#')) continue
    }
    pending.push(line)
    const text = pending.join('\n')
    if ((text.match(/'/g) ?? []).length % 2 === 0) {
      steps.push({ command: text })
      pending = []
    }
  }
  if (pending.length) throw new Error('README: unbalanced quotes at the end of the block')
  return steps
}

/**
 * Does `actual` show what `expected` (the README's JSON) says: every key given, with its
 * value; `"…"` is any value, a text ending in `…` a prefix; an array lists the first items.
 */
function shows(expected: unknown, actual: unknown): boolean {
  if (expected === '…') return actual !== undefined
  if (typeof expected === 'string' && expected.endsWith('…')) return typeof actual === 'string' && actual.startsWith(expected.slice(0, -1))
  if (Array.isArray(expected)) return Array.isArray(actual) && expected.every((e, i) => shows(e, actual[i]))
  if (expected && typeof expected === 'object')
    return !!actual && typeof actual === 'object' && Object.entries(expected).every(([k, v]) => shows(v, (actual as Record<string, unknown>)[k]))
  return expected === actual
}

/** A text expectation (not JSON) against the last line printed: `…` stands for any text. */
const textMatches = (expected: string, output: string) => {
  const last = output.trim().split('\n').at(-1) ?? ''
  const re = new RegExp(
    `^${expected
      .split('…')
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  )
  return re.test(last.trim())
}

const MARK = '@@readme-step-end@@'

describe('README and docs links work in a clone', () => {
  it('every relative link of README.md and docs/**/*.md names a file of the repository', () => {
    const files = [
      'README.md',
      ...readdirSync('docs', { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.md'))
        .map((f) => join('docs', f)),
    ]
    const links: string[] = []
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!
        if (target === '' || /^[a-z]+:/.test(target)) continue
        links.push(target)
        expect(existsSync(join(dirname(file), target)), `${file} → ${target}`).toBe(true)
      }
    }
    expect(links).toEqual(expect.arrayContaining(['docs/national/ARCHITECTURE.md', 'docs/national/NATIONAL-ENDPOINTS.md']))
    // No path out of the repository (a clone has no ../shared beside it).
    expect(readFileSync('README.md', 'utf8')).not.toMatch(/\.\.\/shared\//)
  })
})

/**
 * Acceptance 1 of issue 16: the README's "Try it by hand" block, pasted as one block
 * into bash against a hub started the README's way (role `all`, embedded defaults:
 * PGlite, the sandbox, the development keys), prints what the README says, before and
 * after a catalog sync; then `npm run demo` succeeds after the sync. Only the ports, the
 * data folder and the queue prefix differ (tests run beside each other), and the sandbox
 * catalog is smaller and read faster (200 procedures instead of 2,000).
 */
describe('README: "Try it by hand" and the demo, on a hub started as the README says', () => {
  let hub: HubProcess
  let dir: string
  let api: string
  let sandbox: string
  let port: number
  let sandboxPort: number
  const steps = readmeSteps(readFileSync('README.md', 'utf8'))

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lgsp-readme-'))
    port = await freePort()
    sandboxPort = await freePort()
    api = `http://127.0.0.1:${port}`
    sandbox = `http://127.0.0.1:${sandboxPort}`
    const upstream = (path: string) => `${sandbox}/${path}`
    hub = spawnHub('all', {
      PORT: String(port),
      SANDBOX_PORT: String(sandboxPort),
      DATA_DIR: join(dir, 'data'),
      QUEUE_PREFIX: `readme${uniqueId()}`,
      LOG_LEVEL: 'warn',
      SANDBOX_CATALOG_SIZE: '200',
      CATALOG_RATE_PER_SEC: '200',
      CATALOG_CONCURRENCY: '8',
      // The demo's injected faults are retried sooner (the test waits for them).
      RETRY_BASE_MS: '200',
      RETRY_MAX_MS: '2000',
      DVCQG_BASE_URL: upstream('dvcqg'),
      POPULATION_BASE_URL: upstream('population'),
      BUSINESS_REGISTRY_BASE_URL: upstream('business-registry'),
      TAX_BASE_URL: upstream('tax'),
      BHXH_BASE_URL: upstream('bhxh'),
      CIVIL_STATUS_BASE_URL: upstream('civil-status'),
    })
    const until = Date.now() + 90_000
    for (;;) {
      const ready = await fetch(`${api}/health/ready`).catch(() => undefined)
      if (ready?.status === 200) break
      if (Date.now() > until || hub.child.exitCode !== null) throw new Error(`the hub did not become ready:\n${hub.output().slice(-3000)}`)
      await new Promise((r) => setTimeout(r, 250))
    }
  }, 120_000)

  afterAll(async () => {
    if (hub && hub.child.exitCode === null) {
      hub.child.kill('SIGTERM')
      await hub.exited
    }
    if (dir) rmSync(dir, { recursive: true, force: true })
  }, 30_000)

  /** Runs the whole block as one bash script (the README's hosts pointed at this hub) and returns each command's output. */
  async function pasteBlock(): Promise<string[]> {
    const script = steps
      .map(
        (s) => `${s.command.replaceAll('localhost:8080', `127.0.0.1:${port}`).replaceAll('localhost:8090', `127.0.0.1:${sandboxPort}`)}\necho; echo '${MARK}'`,
      )
      .join('\n')
    const file = join(dir, 'try-it.sh')
    writeFileSync(file, script)
    const { stdout } = await run('bash', [file], { timeout: 120_000, maxBuffer: 8 << 20 })
    const outputs = stdout.split(`${MARK}\n`).map((o) => o.trim())
    expect(outputs.at(-1)).toBe('')
    return outputs.slice(0, -1)
  }

  function check(outputs: string[]) {
    expect(outputs).toHaveLength(steps.length)
    steps.forEach((step, i) => {
      const out = outputs[i]!
      const label = `${step.command.split('\n')[0]!.slice(0, 100)}\n printed: ${out.slice(0, 600)}`
      if (step.expect === undefined) {
        expect(out, `prints nothing the README does not show: ${label}`).toBe('')
      } else if (/^[[{]/.test(step.expect)) {
        let printed: unknown
        expect(() => (printed = JSON.parse(out)), label).not.toThrow()
        expect(shows(JSON.parse(step.expect), printed), `expected ${step.expect}: ${label}`).toBe(true)
      } else {
        expect(textMatches(step.expect, out), `expected "${step.expect}": ${label}`).toBe(true)
      }
    })
  }

  it('the block has commands and what they print', () => {
    expect(steps.length).toBeGreaterThanOrEqual(10)
    expect(steps.filter((s) => s.expect !== undefined).length).toBeGreaterThanOrEqual(8)
  })

  it('prints what the README says, pasted as one block before any catalog sync (the block runs one)', async () => {
    const runs = (await (await fetch(`${api}/admin/catalog/runs`, { headers: { 'x-api-key': 'dev-operator-key' } })).json()) as { items: unknown[] }
    expect(runs.items).toEqual([])
    check(await pasteBlock())
  }, 150_000)

  it('prints the same pasted again after the sync', async () => {
    const runs = (await (await fetch(`${api}/admin/catalog/runs?limit=1`, { headers: { 'x-api-key': 'dev-operator-key' } })).json()) as {
      items: { state: string }[]
    }
    expect(runs.items[0]?.state).toBe('completed')
    check(await pasteBlock())
  }, 150_000)

  it('npm run demo succeeds after the sync, with codes from the catalog, and switches its faults off', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/demo.ts'], {
      env: { ...process.env, HUB_URL: api, SANDBOX_URL: sandbox, DEMO_DOSSIERS: '12', DEMO_TIMEOUT_S: '100' },
      timeout: 140_000,
      maxBuffer: 8 << 20,
    })
    expect(stdout).toContain("procedures from the hub's catalog")
    expect(stdout).toMatch(/delivered events\s+: 66 of 66 deliverable/)
    const faults = (await (await fetch(`${sandbox}/_sandbox/faults`)).json()) as Record<string, unknown>
    expect(faults).toEqual({})
  }, 150_000)
})
