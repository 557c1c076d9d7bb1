import { afterAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { Queue } from 'bullmq'
import { createTestDatabase } from '../helpers/pg.js'
import { freePort, spawnHub, type HubProcess } from '../helpers/proc.js'
import { CLIENTS_JSON, KEYS, REDIS_URL, uniqueId } from '../helpers/config.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'
import { waitFor } from '../helpers/hub.js'
import { createPgDb } from '../../src/store/pg.js'

const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined)
})

async function startAll(env: Record<string, string>): Promise<HubProcess> {
  const p = spawnHub('all', env)
  cleanups.push(async () => {
    if (p.child.exitCode === null) p.child.kill('SIGKILL')
  })
  await waitFor(async () => (await fetch(`http://127.0.0.1:${env['PORT']}/health/ready`)).status === 200, 60_000, 200)
  return p
}

describe('graceful shutdown of `lgsp-hub all` under load', () => {
  it('SIGTERM ends the process within 10 s with exit 0, no job left locked, and nothing accepted is lost', async () => {
    const db = await createTestDatabase()
    cleanups.push(db.drop)
    const prefix = `sd${uniqueId()}`
    const [port, sbPort] = [await freePort(), await freePort()]
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      PORT: String(port),
      SANDBOX_PORT: String(sbPort),
      DVCQG_BASE_URL: `http://127.0.0.1:${sbPort}/dvcqg`,
      CONNECTORS_ENABLED: 'dvcqg',
      CLIENTS_JSON,
      LOG_LEVEL: 'info',
      RETRY_BASE_MS: '100',
      RECONCILE_INTERVAL_MS: '500',
      RECONCILE_GRACE_MS: '1000',
      WORKER_CONCURRENCY: '16',
    }
    const hub = await startAll(env)
    const api = `http://127.0.0.1:${port}`
    // Slow portal: deliveries are in flight when the signal comes.
    await fetch(`http://127.0.0.1:${sbPort}/_sandbox/faults/dvcqg/*`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 400 }),
    })

    const accepted = new Set<string>()
    let stop = false
    const client = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const n = w * 10_000 + i
        try {
          const res = await fetch(`${api}/v1/dossiers`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': KEYS.province },
            body: JSON.stringify(dossierBody(n, `sd-${n}`)),
          })
          if (res.status === 202) accepted.add(dossierCode(n))
        } catch {
          /* the server is closing */
        }
      }
    }
    const load = Promise.all(Array.from({ length: 8 }, (_, w) => client(w)))
    await waitFor(() => accepted.size >= 150, 30_000, 50)

    const t0 = Date.now()
    hub.child.kill('SIGTERM')
    const exit = await hub.exited
    const took = Date.now() - t0
    stop = true
    await load
    expect(exit).toEqual({ code: 0, signal: null })
    expect(took).toBeLessThan(10_000)
    expect(hub.output()).toContain('"msg":"stopped"')

    // No job is left active or locked in Redis.
    const redis = new Redis(REDIS_URL)
    const queue = new Queue('dossier-sync', { connection: redis, prefix })
    try {
      expect(await queue.getActiveCount()).toBe(0)
      expect(await redis.keys(`${prefix}:dossier-sync:*:lock`)).toEqual([])
    } finally {
      await queue.close()
      redis.disconnect()
    }

    // Restart: every dossier accepted before the signal reaches the portal.
    await fetch(`http://127.0.0.1:${sbPort}/_sandbox/faults`, { method: 'DELETE' }).catch(() => undefined)
    const again = await startAll(env)
    const pg = createPgDb({ url: db.url })
    try {
      await waitFor(
        async () => {
          const { rows } = await pg.query<{ n: number }>(`SELECT count(*) AS n FROM dossier_events WHERE state <> 'delivered'`)
          return rows[0]!.n === 0
        },
        60_000,
        250,
      )
      const { rows } = await pg.query<{ code: string }>('SELECT code FROM dossiers')
      const stored = new Set(rows.map((r) => r.code))
      // Everything answered 202 is stored and delivered (a request cut by the close may be stored without its answer).
      for (const code of accepted) expect(stored.has(code)).toBe(true)
    } finally {
      await pg.close()
    }
    again.child.kill('SIGTERM')
    expect((await again.exited).code).toBe(0)
    console.log(`shutdown under load: ${accepted.size} dossiers accepted, process exited in ${took} ms`)
  }, 180_000)
})
