import { afterAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor } from '../helpers/hub.js'
import { CLIENTS_JSON, KEYS, uniqueId } from '../helpers/config.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'
import { freePort, spawnHub } from '../helpers/proc.js'
import { startPrivatePostgres } from '../helpers/private-pg.js'

/**
 * Issue 13, PostgreSQL failover: the database of a running hub (an API in this process,
 * a worker process) restarts. While it is down, requests fail cleanly (503 problem+json
 * HUB_ERR_DEPENDENCY_DOWN with Retry-After, never a 500 or a hang) and both roles report
 * not ready; once it is back, the same processes (no restart) accept, deliver and answer.
 */
const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined)
})

const H = { 'x-api-key': KEYS.province, 'content-type': 'application/json' }

describe('PostgreSQL restart under a running hub', () => {
  it('503 problem+json while the database is down; API and worker recover by themselves when it returns', async () => {
    const pg = await startPrivatePostgres()
    cleanups.push(pg.destroy)
    const sandbox = await startSandbox(5)
    cleanups.push(sandbox.close)
    const env = { DATABASE_URL: pg.url, DATABASE_POOL_SIZE: '4', QUEUE_PREFIX: `pgr${uniqueId()}`, DVCQG_BASE_URL: `${sandbox.url}/dvcqg`, READY_CACHE_MS: '0' }
    const api = await startTestHub({ role: 'api', workers: false, sandbox, env })
    cleanups.push(api.close)
    const healthPort = await freePort()
    const worker = spawnHub('worker', {
      ...env,
      REDIS_URL: api.config.REDIS_URL,
      CLIENTS_JSON,
      LOG_LEVEL: 'warn',
      WORKER_HEALTH_PORT: String(healthPort),
      RECONCILE_INTERVAL_MS: '500',
      RECONCILE_GRACE_MS: '1000',
      RETRY_BASE_MS: '100',
      RETRY_MAX_MS: '1000',
    })
    cleanups.push(async () => worker.child.exitCode === null && worker.child.kill('SIGKILL'))
    const workerReady = () =>
      fetch(`http://127.0.0.1:${healthPort}/health/ready`).then(
        (r) => r.status,
        () => 0,
      )
    await waitFor(async () => (await workerReady()) === 200, 60_000, 200)

    const post = (path: string, body: unknown) => fetch(api.url + path, { method: 'POST', headers: H, body: JSON.stringify(body) })
    const deliveredAll = (code: string) =>
      waitFor(async () => {
        const s = (await (await fetch(`${api.url}/v1/dossiers/${code}/sync`, { headers: H })).json()) as { events?: { state: string }[] }
        return s.events?.length && s.events.every((e) => e.state === 'delivered')
      }, 30_000)
    expect((await post('/v1/dossiers', dossierBody(1, 'pgr-1'))).status).toBe(202)
    await deliveredAll(dossierCode(1))

    // Down (immediate shutdown: like a crash).
    await pg.stop('immediate')
    const refused = [
      await post('/v1/dossiers', dossierBody(2, 'pgr-2')),
      await fetch(`${api.url}/v1/dossiers/${dossierCode(1)}/sync`, { headers: H }),
      await fetch(`${api.url}/v1/catalog/agencies`, { headers: H }),
    ]
    for (const res of refused) {
      expect(res.status).toBe(503)
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      expect(res.headers.get('retry-after')).toBe('5')
      const body = (await res.json()) as { code: string; status: number }
      expect(body).toMatchObject({ code: 'HUB_ERR_DEPENDENCY_DOWN', status: 503 })
    }
    const ready = await fetch(`${api.url}/health/ready`)
    expect(ready.status).toBe(503)
    expect(((await ready.json()) as { down?: string[] }).down).toContain('database')
    await waitFor(async () => (await workerReady()) === 503, 20_000, 200)

    // Back, on the same port and data: the same processes carry on.
    const restartedAt = Date.now()
    await pg.start()
    await waitFor(async () => (await fetch(`${api.url}/health/ready`)).status === 200, 30_000, 100)
    const apiBackMs = Date.now() - restartedAt
    await waitFor(async () => (await workerReady()) === 200, 30_000, 100)
    const workerBackMs = Date.now() - restartedAt
    const again = await post('/v1/dossiers', dossierBody(2, 'pgr-2'))
    expect(again.status).toBe(202)
    expect(
      (
        await post(`/v1/dossiers/${dossierCode(1)}/events`, {
          eventId: 'pgr-1-1',
          occurredAt: '2026-11-21T09:15:00+07:00',
          status: 'DANG_XU_LY',
          step: { actor: 'A', department: 'B', action: 'Thẩm định' },
        })
      ).status,
    ).toBe(202)
    await deliveredAll(dossierCode(2))
    await deliveredAll(dossierCode(1))
    expect(sandbox.sims.dvcqg.dossier(dossierCode(1))?.history.map((h) => h.op)).toEqual(['create', 'update', 'progress'])
    expect((await fetch(`${api.url}/v1/catalog/agencies`, { headers: H })).status).toBe(200)
    console.log(JSON.stringify({ apiReadyAfterRestartMs: apiBackMs, workerReadyAfterRestartMs: workerBackMs }))
  }, 120_000)
})
