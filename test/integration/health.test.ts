import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { startPrivateRedis } from '../helpers/proc.js'

describe('health: readiness follows Redis, liveness does not', () => {
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

    redis = await startPrivateRedis(redis.port)
    const back = await waitFor(async () => {
      const r = await ready()
      return r.status === 200 ? r : undefined
    }, 30_000)
    expect(back.body['status']).toBe('ready')
  })
})
