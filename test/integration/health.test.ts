import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { startPrivateRedis } from '../helpers/proc.js'
import { KEYS } from '../helpers/config.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'

describe('health: readiness follows Redis, liveness does not, intake survives', () => {
  let t: TestHub
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>
  beforeAll(async () => {
    redis = await startPrivateRedis()
    t = await startTestHub({ env: { REDIS_URL: redis.url, READY_CHECK_TIMEOUT_MS: 2000 } })
  })
  afterAll(async () => {
    await t?.close()
    await redis?.stop()
  })

  const ready = async () => {
    const res = await fetch(`${t.url}/health/ready`)
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }

  it('is ready with Redis, the database and the DVCQG connector up', async () => {
    // A loaded machine may need a few probes before the first connector answer.
    const r = await waitFor(async () => {
      const x = await ready()
      return x.status === 200 ? x : undefined
    }, 20_000)
    expect(Object.keys(r.body['checks'] as object)).toEqual(['database', 'redis', 'connector:dvcqg'])
  })

  it('answers 503 naming Redis when it goes away, stays live, and recovers by itself', async () => {
    await redis.stop()
    const down = await waitFor(async () => {
      const r = await ready()
      return r.status === 503 ? r : undefined
    }, 20_000)
    expect(down.body).toMatchObject({ code: 'HUB_ERR_DEPENDENCY_DOWN', down: ['redis'] })
    expect(String(down.body['detail'])).toContain('redis')
    expect((await fetch(`${t.url}/health/live`)).status).toBe(200)

    // Intake does not depend on Redis: the event is stored, answered 202, and delivered later.
    const body = dossierBody(77, 'redis-down-77')
    const res = await fetch(`${t.url}/v1/dossiers`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEYS.province }, body: JSON.stringify(body) })
    expect(res.status).toBe(202)

    redis = await startPrivateRedis(redis.port)
    const back = await waitFor(async () => {
      const r = await ready()
      return r.status === 200 ? r : undefined
    }, 30_000)
    expect(back.body['status']).toBe('ready')
    // The reconciler finds the event whose job could not be enqueued and delivers it.
    await waitFor(() => t.sandbox.sims.dvcqg.dossier(dossierCode(77)), 30_000)
  })
})
