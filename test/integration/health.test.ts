import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { lookupEnv } from '../helpers/lookups.js'
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

  it('is ready with Redis and the database up; national systems are not part of readiness', async () => {
    // A loaded machine may need a few probes before the first connector answer.
    const r = await waitFor(async () => {
      const x = await ready()
      return x.status === 200 ? x : undefined
    }, 20_000)
    expect(Object.keys(r.body['checks'] as object)).toEqual(['database', 'redis'])
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
    const res = await fetch(`${t.url}/v1/dossiers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEYS.province },
      body: JSON.stringify(body),
    })
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

describe('health: a national outage is not a readiness failure (issue 10, acceptance 4)', () => {
  let t: TestHub
  beforeAll(async () => {
    const sandbox = await startSandbox()
    t = await startTestHub({ sandbox, env: lookupEnv(sandbox.url, { READY_CHECK_TIMEOUT_MS: 2000, READY_CACHE_MS: 0 }) })
  })
  afterAll(async () => {
    t?.sandbox.kit.faults.clear()
    await t?.close()
    await t?.sandbox.close()
  })

  const upstreams = async (key: string = KEYS.viewer) => {
    const res = await fetch(`${t.url}/health/upstreams`, { headers: { 'x-api-key': key } })
    return { status: res.status, body: (await res.json()) as { upstreams: Record<string, Record<string, unknown>> } }
  }

  it('/health/upstreams needs an operator grant', async () => {
    expect((await fetch(`${t.url}/health/upstreams`)).status).toBe(401)
    expect((await upstreams(KEYS.province)).status).toBe(403)
  })

  it('shows every enabled connector up, with its breaker closed, while the sandbox answers', async () => {
    const r = await waitFor(async () => {
      const x = await upstreams()
      return x.status === 200 && x.body.upstreams['dvcqg']?.['state'] === 'up' ? x : undefined
    }, 20_000)
    const enabled = t.config.CONNECTORS_ENABLED.split(',').filter(Boolean)
    expect(Object.keys(r.body.upstreams).sort()).toEqual([...enabled].sort())
    expect(r.body.upstreams['dvcqg']).toMatchObject({ state: 'up', breaker: 'closed', probe: { ok: true } })
    expect(typeof r.body.upstreams['dvcqg']!['lastSuccessAt']).toBe('string')
    expect(typeof r.body.upstreams['dvcqg']!['p95LatencyMs']).toBe('number')
  })

  it('with DVCQG answering 503 to everything: ready stays 200, intake answers 202, upstreams shows dvcqg down', async () => {
    t.sandbox.kit.faults.set('dvcqg', '*', { errorRate: 1, errorStatus: 503 })
    const ready = await fetch(`${t.url}/health/ready`)
    expect(ready.status).toBe(200)
    expect(((await ready.json()) as Record<string, unknown>)['status']).toBe('ready')

    const body = dossierBody(78, 'dvcqg-down-78')
    const res = await fetch(`${t.url}/v1/dossiers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEYS.province },
      body: JSON.stringify(body),
    })
    expect(res.status).toBe(202)

    // The probe result is cached for a few seconds: wait for the next round (or the transport's own evidence).
    const down = await waitFor(
      async () => {
        const x = await upstreams()
        return x.body.upstreams['dvcqg']?.['state'] === 'down' ? x : undefined
      },
      30_000,
      250,
    )
    expect(down.body.upstreams['dvcqg']!['lastErrorKind']).toMatch(/^(http_503|circuit_open)$/)
    // The other national systems are not affected.
    expect(down.body.upstreams['population']?.['state']).toBe('up')
    expect((await fetch(`${t.url}/health/ready`)).status).toBe(200)

    const metrics = await (await fetch(`${t.url}/metrics`, { headers: { 'x-api-key': KEYS.metrics } })).text()
    expect(metrics).toContain('lgsp_hub_upstream_up{upstream="dvcqg"} 0')
    expect(metrics).toMatch(/lgsp_hub_circuit_open\{upstream="dvcqg"\} (0|0\.5|1)/)
    expect(metrics).toContain('lgsp_hub_upstream_recent_latency_p95_seconds{upstream="dvcqg"}')
  })
})
