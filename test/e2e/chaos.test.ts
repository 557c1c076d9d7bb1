import { mkdirSync, writeFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import { Redis } from 'ioredis'
import { createTestDatabase } from '../helpers/pg.js'
import { spawnHub, startPrivateRedis, type HubProcess } from '../helpers/proc.js'
import { CLIENTS_JSON, KEYS, uniqueId } from '../helpers/config.js'
import { CHAOS_TIMINGS, CHAOS_EVENTS, CHAOS_FAULTS, chaosRequest, checkPortal } from '../helpers/chaos.js'
import { startSandbox, startTestHub, waitFor } from '../helpers/hub.js'

/**
 * Issue 3, acceptance 1: 1,000 dossiers × 10 events from concurrent clients; the
 * sandbox injects 20% 5xx, 5% hangs past the timeout and 5% 429 with Retry-After;
 * one worker process is killed mid-run and restarted; Redis is flushed once. At the
 * end every event is delivered, per-dossier order at the portal equals submission
 * order, nothing is lost; duplicate deliveries are counted and reported.
 */
const DOSSIERS = Number(process.env['CHAOS_DOSSIERS'] ?? 1000)
const EVENTS = CHAOS_EVENTS
const CLIENTS = 48

const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined)
})

describe('chaos: status sync under faults, a killed worker and a flushed Redis', () => {
  it(`delivers ${DOSSIERS} × ${EVENTS} events, in order, nothing lost`, async () => {
    const redis = await startPrivateRedis()
    cleanups.push(redis.stop)
    const db = await createTestDatabase()
    cleanups.push(db.drop)
    const sandbox = await startSandbox(7)
    cleanups.push(sandbox.close)
    const prefix = `chaos${uniqueId()}`
    const common = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: prefix,
      DVCQG_BASE_URL: `${sandbox.url}/dvcqg`,
      UPSTREAM_TIMEOUT_MS: '1000',
      ...CHAOS_TIMINGS,
    }
    // The API in this process (role api: stores and enqueues); workers in child processes.
    const api = await startTestHub({ role: 'api', workers: false, sandbox, env: common })
    cleanups.push(api.close)
    const workerEnv = { ...common, CLIENTS_JSON, LOG_LEVEL: 'warn', WORKER_CONCURRENCY: '32' }
    const workers: HubProcess[] = [spawnHub('worker', workerEnv), spawnHub('worker', workerEnv)]
    cleanups.push(async () => workers.forEach((w) => w.child.exitCode === null && w.child.kill('SIGKILL')))

    await fetch(`${sandbox.url}/_sandbox/faults/dvcqg/*`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(CHAOS_FAULTS),
    })

    const total = DOSSIERS * EVENTS
    let accepted = 0
    const send = async (path: string, body: unknown) => {
      for (;;) {
        const res = await fetch(api.url + path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': KEYS.province },
          body: JSON.stringify(body),
        })
        if (res.status === 202) return void accepted++
        throw new Error(`intake answered ${res.status}: ${await res.text()}`)
      }
    }
    let next = 0
    const client = async () => {
      for (let i = next++; i < DOSSIERS; i = next++) {
        for (let k = 0; k < EVENTS; k++) {
          const { path, body } = chaosRequest(i, k)
          await send(path, body)
        }
      }
    }
    const started = Date.now()
    const load = Promise.all(Array.from({ length: CLIENTS }, client))

    // A worker dies mid-run and comes back; Redis loses everything once.
    await waitFor(() => accepted >= total * 0.3, 120_000, 50)
    workers[0]!.child.kill('SIGKILL')
    await new Promise((r) => setTimeout(r, 2000))
    workers.push(spawnHub('worker', workerEnv))
    await waitFor(() => accepted >= total * 0.6, 120_000, 50)
    const r = new Redis(redis.url)
    await r.flushall()
    r.disconnect()
    await load
    const intakeMs = Date.now() - started

    await waitFor(
      async () => {
        const { rows } = await api.hub.db.query<{ n: number }>(`SELECT count(*) AS n FROM dossier_events WHERE state = 'delivered'`)
        return rows[0]!.n === total
      },
      420_000,
      1000,
    )
    const doneMs = Date.now() - started
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' })

    const { duplicates, problems } = checkPortal(sandbox, DOSSIERS)
    const stats = sandbox.sims.dvcqg.stats
    const counts = sandbox.kit.recorder.counts()
    const report = {
      at: new Date().toISOString(),
      dossiers: DOSSIERS,
      events: total,
      intakeMs,
      allDeliveredMs: doneMs,
      duplicateDeliveries: duplicates,
      duplicateCreatesTurnedIntoUpdates: stats.duplicateCreates,
      orderViolations: problems.length,
      portal: stats,
      injected: Object.fromEntries(Object.entries(counts).filter(([k]) => k.includes('#'))),
    }
    console.log(JSON.stringify(report, null, 1))
    // A test run writes its report to an untracked folder (npm test leaves the tree clean);
    // CHAOS_REPORT_DIR=bench/results records a run as the published result.
    const dir = process.env['CHAOS_REPORT_DIR'] ?? 'test-results'
    mkdirSync(dir, { recursive: true })
    writeFileSync(`${dir}/chaos${DOSSIERS === 1000 ? '' : `-${DOSSIERS}`}.json`, JSON.stringify(report, null, 2) + '\n')
    expect(problems.slice(0, 5)).toEqual([])
    expect(accepted).toBe(total)
    expect(stats.creates).toBe(DOSSIERS) // one dossier each at the portal: duplicates arrived as updates
    expect(Object.keys(counts).some((k) => k.includes('#hang'))).toBe(true)
    expect(Object.keys(counts).some((k) => k.includes('#429'))).toBe(true)
  }, 600_000)
})
