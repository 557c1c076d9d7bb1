/**
 * Issue 3 benchmark: sustained end-to-end throughput of dossier status sync (events
 * accepted by the API → delivered to the sandbox portal, no faults), the same
 * machine's bare-BullMQ baseline (add + process no-op jobs) in the same run, and the
 * latency of the 202 answer at a fixed 200 requests/s.
 *
 * Production layout on one machine: sandbox, API and worker are separate processes
 * (PostgreSQL + Redis), the load generator is this process.
 *   npm run bench:dossiers            (BENCH_SECONDS=60 by default)
 */
import { Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { Agent, request } from 'node:http'
import { createTestDatabase } from '../test/helpers/pg.js'
import { freePort, spawnHub, type HubProcess } from '../test/helpers/proc.js'
import { CLIENTS_JSON, KEYS, REDIS_URL, uniqueId } from '../test/helpers/config.js'
import { dossierBody, dossierCode } from '../test/helpers/dossiers.js'
import { createPgDb } from '../src/store/pg.js'
import { machine, percentile, writeResults } from './lib.js'

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 60)
const BASELINE_SECONDS = Number(process.env['BENCH_BASELINE_SECONDS'] ?? 15)
const CLIENTS = Number(process.env['BENCH_CLIENTS'] ?? 64)
const EVENTS_PER_DOSSIER = 10
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const agent = new Agent({ keepAlive: true, maxSockets: 256 })
function post(port: number, path: string, body: unknown): Promise<number> {
  const data = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), 'x-api-key': KEYS.province } },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end(data)
  })
}

/** Bare BullMQ on the same Redis: producers add no-op jobs, a worker processes them. */
async function baseline(): Promise<{ processedPerSec: number; jobs: number }> {
  const prefix = `benchbase${uniqueId()}`
  const conn = new Redis(REDIS_URL, { maxRetriesPerRequest: null })
  const queue = new Queue('noop', { connection: conn, prefix })
  let processed = 0
  const worker = new Worker('noop', async () => void processed++, { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix, concurrency: 64 })
  let stop = false
  const producers = Array.from({ length: CLIENTS }, async () => {
    while (!stop) await queue.add('noop', { ref: 'x' }, { removeOnComplete: true })
  })
  await sleep(2000) // warm-up
  const p0 = processed
  const t0 = Date.now()
  await sleep(BASELINE_SECONDS * 1000)
  const perSec = ((processed - p0) * 1000) / (Date.now() - t0)
  stop = true
  await Promise.all(producers)
  await worker.close()
  await queue.obliterate({ force: true }).catch(() => undefined)
  await queue.close()
  conn.disconnect()
  return { processedPerSec: Math.round(perSec), jobs: processed }
}

async function main() {
  const db = await createTestDatabase()
  const prefix = `bench${uniqueId()}`
  const [apiPort, sbPort] = [await freePort(), await freePort()]
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    PORT: String(apiPort),
    SANDBOX_PORT: String(sbPort),
    DVCQG_BASE_URL: `http://127.0.0.1:${sbPort}/dvcqg`,
    CONNECTORS_ENABLED: 'dvcqg',
    CLIENTS_JSON,
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: '20',
    WORKER_CONCURRENCY: '64',
    NODE_ENV: 'production',
    AUDIT_HASH_KEY: `bench-${uniqueId()}-audit-key`,
    // The benchmark is one client on one address far above the default budgets.
    RATE_LIMIT_PER_MINUTE: '10000000',
    RATE_LIMIT_IP_PER_MINUTE: '10000000',
  }
  const procs: HubProcess[] = []
  const stopAll = async () => {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM')
    await Promise.all(procs.map((p) => p.exited))
  }
  try {
    console.log('baseline: bare BullMQ add + no-op process …')
    const base = await baseline()

    procs.push(spawnHub('sandbox', env))
    procs.push(spawnHub('migrate', env))
    await procs[1]!.exited
    procs.push(spawnHub('api', env), spawnHub('worker', env))
    for (let i = 0; ; i++) {
      try {
        const r = await fetch(`http://127.0.0.1:${apiPort}/health/ready`)
        if (r.status === 200) break
      } catch {
        /* starting */
      }
      const dead = procs.find((p) => p.child.exitCode !== null && p !== procs[1])
      if (dead) throw new Error(`a hub process exited during start-up:\n${dead.output().slice(-2000)}`)
      if (i > 600) throw new Error('hub did not become ready')
      await sleep(100)
    }

    // Phase 1: saturation, CLIENTS concurrent clients, each walking its own dossiers.
    console.log(`end-to-end: ${CLIENTS} clients for ${SECONDS} s …`)
    let accepted = 0
    let failed = 0
    let nextDossier = 0
    let stop = false
    const t0 = Date.now()
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (!stop) {
        const i = nextDossier++
        const code = dossierCode(i)
        if ((await post(apiPort, '/v1/dossiers', dossierBody(i, `b-${i}-0`))) === 202) accepted++
        else failed++
        for (let k = 1; k < EVENTS_PER_DOSSIER && !stop; k++) {
          const status = k === 1 ? { status: 'DANG_XU_LY' } : k === EVENTS_PER_DOSSIER - 1 ? { status: 'DA_XU_LY_XONG' } : {}
          const s = await post(apiPort, `/v1/dossiers/${code}/events`, {
            eventId: `b-${i}-${k}`,
            occurredAt: '2026-11-21T09:00:00+07:00',
            ...status,
            step: { actor: 'Chuyên viên', department: 'Phòng chuyên môn', action: `Bước ${k}` },
          })
          if (s === 202) accepted++
          else failed++
        }
      }
    })
    await sleep(SECONDS * 1000)
    stop = true
    await Promise.all(clients)
    const loadMs = Date.now() - t0
    const pg = createPgDb({ url: db.url })
    // Wait for the backlog to drain: end-to-end throughput counts until the last delivery.
    let delivered = 0
    for (;;) {
      const { rows } = await pg.query<{ n: number; last: Date | null }>(`SELECT count(*) AS n, max(delivered_at) AS last FROM dossier_events WHERE state = 'delivered'`)
      delivered = rows[0]!.n
      if (delivered >= accepted) break
      if (Date.now() - t0 > (SECONDS + 300) * 1000) break
      await sleep(500)
    }
    const { rows: span } = await pg.query<{ first: Date; last: Date }>(`SELECT min(accepted_at) AS first, max(delivered_at) AS last FROM dossier_events`)
    const e2eMs = new Date(span[0]!.last).getTime() - new Date(span[0]!.first).getTime()
    const { rows: lat } = await pg.query<{ p50: number; p99: number }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM delivered_at - accepted_at)) * 1000 AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM delivered_at - accepted_at)) * 1000 AS p99
       FROM dossier_events WHERE state = 'delivered'`,
    )
    await pg.close()
    const e2ePerSec = Math.round((delivered * 1000) / e2eMs)
    const acceptPerSec = Math.round((accepted * 1000) / loadMs)

    // Phase 2: latency of the 202 at a fixed 200 requests/s (open loop), new dossiers.
    console.log('latency: 200 requests/s for 20 s …')
    const latencies: number[] = []
    const RATE = 200
    const LAT_SECONDS = 20
    const pending: Promise<void>[] = []
    const lt0 = performance.now()
    for (let n = 0; n < RATE * LAT_SECONDS; n++) {
      const due = lt0 + (n * 1000) / RATE
      const wait = due - performance.now()
      if (wait > 0) await sleep(wait)
      const i = 5_000_000 + n
      const s0 = performance.now()
      pending.push(
        post(apiPort, '/v1/dossiers', dossierBody(i, `l-${i}`)).then((st) => {
          if (st === 202) latencies.push(performance.now() - s0)
        }),
      )
    }
    await Promise.all(pending)
    const p99_202 = percentile(latencies, 99)

    const result = {
      machine: machine(),
      config: { seconds: SECONDS, clients: CLIENTS, eventsPerDossier: EVENTS_PER_DOSSIER, layout: 'sandbox, api, worker: separate processes; PostgreSQL; Redis' },
      baseline: { bareBullmqProcessedPerSec: base.processedPerSec, seconds: BASELINE_SECONDS },
      endToEnd: {
        accepted,
        failed,
        delivered,
        acceptPerSec,
        deliveredPerSec: e2ePerSec,
        shareOfBaseline: Number((e2ePerSec / base.processedPerSec).toFixed(3)),
        acceptToDeliveryMs: { p50: Math.round(lat[0]!.p50), p99: Math.round(lat[0]!.p99) },
      },
      latency202At200rps: { requests: latencies.length, p50: Number(percentile(latencies, 50).toFixed(1)), p95: Number(percentile(latencies, 95).toFixed(1)), p99: Number(p99_202.toFixed(1)) },
      targets: { deliveredPerSec: 1000, shareOfBaseline: 0.25, p99_202_ms: 50 },
    }
    const met = (ok: boolean) => (ok ? 'met' : '**not met**')
    writeResults(
      'dossier-sync',
      result,
      `# Dossier status sync benchmark

${result.machine.at} · commit ${result.machine.commit} · ${result.machine.cpus} cores (${result.machine.cpuModel}) · Node ${result.machine.node}
Layout: ${result.config.layout}; ${CLIENTS} concurrent clients for ${SECONDS} s, ${EVENTS_PER_DOSSIER} events per dossier, no faults.

| measure | value | target |
| --- | --- | --- |
| bare BullMQ baseline (add + no-op process) | ${base.processedPerSec} jobs/s | |
| events accepted (202) | ${acceptPerSec} /s (${accepted} in ${(loadMs / 1000).toFixed(1)} s, ${failed} refused) | |
| end-to-end delivered to the sandbox portal | ${e2ePerSec} events/s | ≥ 1000: ${met(e2ePerSec >= 1000)} |
| share of the bare baseline | ${(result.endToEnd.shareOfBaseline * 100).toFixed(1)} % | ≥ 25 %: ${met(result.endToEnd.shareOfBaseline >= 0.25)} |
| accept → delivery latency | p50 ${result.endToEnd.acceptToDeliveryMs.p50} ms, p99 ${result.endToEnd.acceptToDeliveryMs.p99} ms | |
| 202 answer at 200 req/s | p50 ${result.latency202At200rps.p50} ms, p95 ${result.latency202At200rps.p95} ms, p99 ${result.latency202At200rps.p99} ms | p99 ≤ 50 ms: ${met(p99_202 <= 50)} |
`,
    )
  } finally {
    await stopAll()
    await db.drop()
    agent.destroy()
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  },
)
