import { spawn, type ChildProcess } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub, type TestSandbox } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { createTestDatabase } from '../helpers/pg.js'

const SIZE = 300
const CONCURRENCY = 4

/** A worker-role hub in a child process, configured exactly like the in-process API hub. */
function startWorker(t: TestHub): ChildProcess {
  const env: Record<string, string> = { ...(process.env as Record<string, string>) }
  for (const [k, v] of Object.entries(t.config)) if (v !== undefined) env[k] = String(v)
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'worker'], { env, stdio: ['ignore', 'ignore', 'pipe'] })
  child.stderr?.on('data', () => undefined)
  return child
}

const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())))

describe('catalog sync killed mid-run (SIGKILL of a worker process, PostgreSQL)', () => {
  let sandbox: TestSandbox
  let t: TestHub
  let db: Awaited<ReturnType<typeof createTestDatabase>>
  const children: ChildProcess[] = []

  beforeAll(async () => {
    db = await createTestDatabase()
    sandbox = await startSandbox()
    sandbox.sims.catalog.reset({ size: SIZE })
    t = await startTestHub({
      sandbox,
      role: 'api',
      workers: false,
      env: {
        DATABASE_URL: db.url,
        CATALOG_CONCURRENCY: CONCURRENCY,
        CATALOG_RATE_PER_SEC: 60,
        CATALOG_POLL_MS: 100,
        CATALOG_LOCK_MS: 1500,
        CATALOG_RETRY_BASE_MS: 50,
        CATALOG_SYNC_CRON: '',
        LOG_LEVEL: 'warn',
        UPSTREAM_TIMEOUT_MS: 10_000,
      },
    })
  })
  afterAll(async () => {
    for (const c of children) {
      if (c.exitCode === null && c.signalCode === null) {
        c.kill('SIGTERM')
        await exited(c)
      }
    }
    await t?.close()
    await sandbox?.close()
    await db?.drop()
  })

  it('restarted, it completes without skipping or duplicating procedures', async () => {
    const first = startWorker(t)
    children.push(first)
    const res = await fetch(`${t.url}/admin/catalog/sync`, { method: 'POST', headers: { 'x-api-key': KEYS.operator } })
    expect(res.status).toBe(202)
    const { runId } = (await res.json()) as { runId: number }
    const fetched = async () =>
      (await t.hub.db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM catalog_run_items WHERE run_id = $1 AND state = 'fetched'`, [runId])).rows[0]!.n

    await waitFor(async () => (await fetched()) >= SIZE / 3, 60_000, 20)
    first.kill('SIGKILL')
    await exited(first)
    const atKill = await fetched()
    expect(atKill).toBeLessThan(SIZE)
    const running = await t.hub.db.query<{ state: string }>(`SELECT state FROM catalog_runs WHERE id = $1`, [runId])
    expect(running.rows[0]!.state).toBe('running')

    const second = startWorker(t)
    children.push(second)
    const run = await waitFor(async () => {
      const r = await t.hub.db.query<{ state: string; counts: Record<string, number> }>(`SELECT state, counts FROM catalog_runs WHERE id = $1`, [runId])
      return r.rows[0]!.state === 'completed' ? r.rows[0]! : undefined
    }, 90_000)
    expect(run!.counts).toMatchObject({ listed: SIZE, fetched: SIZE, added: SIZE, failed: 0 })

    // none skipped: every listed procedure is stored, once
    const stored = await t.hub.db.query<{ n: number; versions: number; changes: number }>(
      `SELECT (SELECT count(*) FROM catalog_procedures)::int8 AS n, (SELECT count(*) FROM catalog_procedure_versions)::int8 AS versions,
              (SELECT count(*) FROM catalog_changes WHERE run_id = $1)::int8 AS changes`,
      [runId],
    )
    expect(stored.rows[0]).toEqual({ n: SIZE, versions: SIZE, changes: SIZE })

    // none fetched twice needlessly: each code exactly once at the sandbox, except those in flight at the kill
    const perCode = new Map<string, number>()
    for (const r of sandbox.kit.recorder.query({ sim: 'dvcqg', operation: 'LayThuTuc' })) {
      const code = String((r.body as Record<string, unknown>)['maTTHC'])
      perCode.set(code, (perCode.get(code) ?? 0) + 1)
    }
    const listed = sandbox.sims.catalog.catalog.list().map((r) => r.MATTHC)
    expect([...perCode.keys()].sort()).toEqual(listed)
    const twice = [...perCode.entries()].filter(([, n]) => n > 1)
    expect(twice.every(([, n]) => n === 2)).toBe(true)
    expect(twice.length).toBeLessThanOrEqual(CONCURRENCY)
  }, 180_000)
})
