import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../helpers/pg.js'
import { freePort, spawnHub, startPrivateRedis } from '../helpers/proc.js'
import { CLIENTS_JSON, uniqueId } from '../helpers/config.js'
import { waitFor } from '../helpers/hub.js'

const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined)
})

interface Ready {
  status?: string
  code?: string
  down?: string[]
  checks: Record<string, { ok: boolean; detail?: string }>
}

/** Issue 16: the worker role answers its own health probe, which reflects Redis, the database and its queue workers. */
describe('worker role health listener (WORKER_HEALTH_PORT)', () => {
  it('is ready with database, Redis and its workers running; 503 naming redis when Redis goes away; ready again when it is back', async () => {
    const db = await createTestDatabase()
    cleanups.push(db.drop)
    let redis = await startPrivateRedis()
    cleanups.push(() => redis.stop())
    const port = await freePort()
    const worker = spawnHub('worker', {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `wh${uniqueId()}`,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'lgsp-worker-health-')),
      WORKER_HEALTH_PORT: String(port),
      CONNECTORS_ENABLED: 'dvcqg',
      CLIENTS_JSON,
      READY_CACHE_MS: '0',
      READY_CHECK_TIMEOUT_MS: '500',
      LOG_LEVEL: 'warn',
    })
    cleanups.push(async () => {
      if (worker.child.exitCode === null) worker.child.kill('SIGKILL')
    })
    const probe = async (): Promise<{ status: number; body: Ready }> => {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`)
      return { status: res.status, body: (await res.json()) as Ready }
    }
    const ready = await waitFor(
      async () => {
        const r = await probe()
        return r.status === 200 ? r : undefined
      },
      60_000,
      200,
    )
    expect(ready.body.status).toBe('ready')
    expect(Object.keys(ready.body.checks).sort()).toEqual(['database', 'redis', 'workers'])
    expect(ready.body.checks['workers']).toMatchObject({ ok: true, detail: expect.stringMatching(/^\d+ running$/) })
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200)
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain('lgsp_hub_warehouse_pushes_total')

    await redis.stop()
    const down = await waitFor(
      async () => {
        const r = await probe()
        return r.status === 503 ? r : undefined
      },
      10_000,
      200,
    )
    expect(down.body).toMatchObject({ code: 'HUB_ERR_DEPENDENCY_DOWN', down: ['redis'] })

    redis = await startPrivateRedis(redis.port)
    await waitFor(async () => (await probe()).status === 200, 20_000, 200)

    worker.child.kill('SIGTERM')
    expect((await worker.exited).code).toBe(0)
  }, 90_000)
})
