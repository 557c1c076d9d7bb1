/**
 * Issue 3 benchmark: sustained end-to-end throughput of dossier status sync (events
 * accepted by the API → delivered to the sandbox portal, no faults), the same
 * machine's bare-BullMQ baseline (add + process no-op jobs) in the same run, and the
 * latency of the 202 answer at a fixed 200 requests/s.
 *
 * Production layout on one machine: sandbox, API and worker are separate processes
 * (PostgreSQL + Redis), the load generator is this process.
 *   npm run bench:dossiers            (BENCH_SECONDS=60 by default)
 *
 * A/B against another checkout (e.g. the commit before a change), measured in the same
 * run and interleaved (other, this, other, this …) so that a busy machine affects both:
 *   BENCH_AB=/path/to/other/checkout BENCH_ROUNDS=2 BENCH_SECONDS=20 npm run bench:dossiers
 * The other checkout needs its node_modules; each run gets its own database and queue prefix.
 * BENCH_AB_NAME names the results (default dossier-sync-ab: bench/results/dossier-sync-ab.{json,md}).
 * BENCH_CPU_PROF=/abs/dir writes a V8 CPU profile of each run's API and worker processes there.
 * Every run also splits the CPU time per delivered event by process: API, worker, sandbox, the
 * PostgreSQL backends serving the run's database, Redis (shared server: other users count too)
 * and this load generator; BENCH_PG_XACTS=1 waits for PostgreSQL's statistics to count the
 * run's transactions (round trips outside explicit transactions) per event.
 */
import { Queue, Worker } from 'bullmq'
import { Redis } from 'ioredis'
import { createTestDatabase } from '../test/helpers/pg.js'
import { freePort, spawnHub, type HubProcess } from '../test/helpers/proc.js'
import { CLIENTS_JSON, REDIS_URL, uniqueId } from '../test/helpers/config.js'
import { dossierBody, dossierCode } from '../test/helpers/dossiers.js'
import { createPgDb } from '../src/store/pg.js'
import { commitOf, cpuMsOf, machine, percentile, writeResults, intakeAgent, postAsProvince } from './lib.js'
import { join, resolve } from 'node:path'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { generateKeyPairSync } from 'node:crypto'

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 60)
const BASELINE_SECONDS = Number(process.env['BENCH_BASELINE_SECONDS'] ?? 15)
const CLIENTS = Number(process.env['BENCH_CLIENTS'] ?? 64)
const EVENTS_PER_DOSSIER = 10
const AB = process.env['BENCH_AB'] ? resolve(process.env['BENCH_AB']) : undefined
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 2)
const CPU_PROF = process.env['BENCH_CPU_PROF'] ? resolve(process.env['BENCH_CPU_PROF']) : undefined
const PG_XACTS = process.env['BENCH_PG_XACTS'] === '1'
/** BENCH_AB_NAME: the A/B results' file name under bench/results (several A/B comparisons are kept). */
const AB_NAME = process.env['BENCH_AB_NAME'] ?? 'dossier-sync-ab'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const post = postAsProvince

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

interface RunResult {
  checkout: string
  commit: string
  accepted: number
  failed: number
  delivered: number
  loadMs: number
  acceptPerSec: number
  deliveredPerSec: number
  acceptToDeliveryMs: { p50: number; p99: number }
  latency202At200rps: { requests: number; p50: number; p95: number; p99: number }
  /** CPU time of the API process per accepted event, and of the worker per delivered event (ms). */
  cpuMsPerEvent: { api: number; worker: number }
  /** CPU ms per delivered event of each process, over the load and the drain. */
  cpuSplit: CpuSplit
  /** PostgreSQL transactions (committed + rolled back) of the run's database per delivered event (BENCH_PG_XACTS=1). */
  pgXactsPerEvent?: number
}

interface CpuSplit {
  api: number
  worker: number
  sandbox: number
  postgres: number
  redis: number
  loadGenerator: number
  total: number
}

/** One end-to-end run (saturation, drain, then 202 latency at 200 req/s) of the checkout at `cwd`. */
async function run(cwd: string, label: string): Promise<RunResult> {
  const spawnAt = (role: string, env: Record<string, string>) => {
    // One directory per run: Node writes one profile per thread (tsx's loader has its own); the largest is the API's.
    const prof =
      CPU_PROF && (role === 'api' || role === 'worker')
        ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}/${label.replace(/[^A-Za-z0-9]+/g, '-')}-${Date.now()}`]
        : []
    return spawnHub(role, env, { cwd, nodeArgs: prof })
  }
  const db = await createTestDatabase()
  const prefix = `bench${uniqueId()}`
  // Production refuses a generated audit checkpoint key: give the run one of its own.
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-dossiers-'))
  const keyFile = join(dataDir, 'audit-key.pem')
  writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }))
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
    AUDIT_SIGNING_KEY_FILE: keyFile,
    DATA_DIR: dataDir,
    // Production requires it (the console's cookie signing secret); older checkouts ignore it.
    CONSOLE_SESSION_SECRET: `bench-${uniqueId()}-console-session-secret-0123456789`,
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
    procs.push(spawnAt('sandbox', env))
    procs.push(spawnAt('migrate', env))
    await procs[1]!.exited
    procs.push(spawnAt('api', env), spawnAt('worker', env))
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
    console.log(`[${label}] ${cwd} (${commitOf(cwd)}) end-to-end: ${CLIENTS} clients for ${SECONDS} s …`)
    let accepted = 0
    let failed = 0
    let nextDossier = 0
    let stop = false
    const t0 = Date.now()
    const [api, worker] = [procs[2]!.child.pid, procs[3]!.child.pid]
    const cpu0 = { api: cpuMsOf(api), worker: cpuMsOf(worker) }
    const stats = createPgDb({ url: db.url })
    const split0 = await cpuSnapshot(stats, { api, worker, sandbox: procs[0]!.child.pid })
    const xact0 = PG_XACTS ? await pgXacts(stats) : 0
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
    const apiCpuMs = cpuMsOf(api) - cpu0.api
    const pg = createPgDb({ url: db.url })
    // Wait for the backlog to drain: end-to-end throughput counts until the last delivery.
    let delivered = 0
    for (;;) {
      const { rows } = await pg.query<{ n: number; last: Date | null }>(
        `SELECT count(*) AS n, max(delivered_at) AS last FROM dossier_events WHERE state = 'delivered'`,
      )
      delivered = rows[0]!.n
      if (delivered >= accepted) break
      if (Date.now() - t0 > (SECONDS + 300) * 1000) break
      await sleep(500)
    }
    const workerCpuMs = cpuMsOf(worker) - cpu0.worker
    const split1 = await cpuSnapshot(stats, { api, worker, sandbox: procs[0]!.child.pid })
    const per = (ms: number) => Number((ms / Math.max(1, delivered)).toFixed(3))
    const cpuSplit: CpuSplit = {
      api: per(split1.api - split0.api),
      worker: per(split1.worker - split0.worker),
      sandbox: per(split1.sandbox - split0.sandbox),
      postgres: per(pgDelta(split0.pg, split1.pg)),
      redis: per(split1.redis - split0.redis),
      loadGenerator: per(split1.self - split0.self),
      total: 0,
    }
    cpuSplit.total = Number((cpuSplit.api + cpuSplit.worker + cpuSplit.sandbox + cpuSplit.postgres + cpuSplit.redis + cpuSplit.loadGenerator).toFixed(3))
    let pgXactsPerEvent: number | undefined
    if (PG_XACTS) {
      // Backends report their counters when idle for a while (PGSTAT_IDLE_INTERVAL, 10 s).
      await sleep(11_000)
      pgXactsPerEvent = Number((((await pgXacts(stats)) - xact0) / Math.max(1, delivered)).toFixed(2))
    }
    await stats.close()
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
    console.log(`[${label}] latency: 200 requests/s for 20 s …`)
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

    const r: RunResult = {
      checkout: cwd,
      commit: commitOf(cwd),
      accepted,
      failed,
      delivered,
      loadMs,
      acceptPerSec,
      deliveredPerSec: e2ePerSec,
      acceptToDeliveryMs: { p50: Math.round(lat[0]!.p50), p99: Math.round(lat[0]!.p99) },
      latency202At200rps: {
        requests: latencies.length,
        p50: Number(percentile(latencies, 50).toFixed(1)),
        p95: Number(percentile(latencies, 95).toFixed(1)),
        p99: Number(p99_202.toFixed(1)),
      },
      cpuMsPerEvent: { api: Number((apiCpuMs / Math.max(1, accepted + failed)).toFixed(3)), worker: Number((workerCpuMs / Math.max(1, delivered)).toFixed(3)) },
      cpuSplit,
      pgXactsPerEvent,
    }
    console.log(
      `[${label}] CPU ms per delivered event: ${JSON.stringify(cpuSplit)}${pgXactsPerEvent !== undefined ? `, PostgreSQL transactions per event ${pgXactsPerEvent}` : ''}`,
    )
    console.log(
      `[${label}] accepted ${acceptPerSec}/s, delivered ${e2ePerSec}/s, 202 p99 ${r.latency202At200rps.p99} ms, CPU/event api ${r.cpuMsPerEvent.api} ms worker ${r.cpuMsPerEvent.worker} ms`,
    )
    return r
  } finally {
    await stopAll()
    await db.drop()
  }
}

const median = (xs: number[]) => percentile(xs, 50)

/** CPU ms so far of the hub's processes, of each PostgreSQL backend on the run's database (by pid), of Redis and of this process. */
async function cpuSnapshot(stats: ReturnType<typeof createPgDb>, pids: { api?: number; worker?: number; sandbox?: number }) {
  const { rows } = await stats.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
  const pg = new Map(rows.map((r) => [r.pid, cpuMsOf(r.pid)]))
  const self = process.cpuUsage()
  return {
    api: cpuMsOf(pids.api),
    worker: cpuMsOf(pids.worker),
    sandbox: cpuMsOf(pids.sandbox),
    pg,
    redis: await redisCpuMs(),
    self: (self.user + self.system) / 1000,
  }
}

/** Backends that appeared during the run count from zero; ones that left are lost (the pools keep theirs open under load). */
function pgDelta(before: Map<number, number>, after: Map<number, number>): number {
  let ms = 0
  for (const [pid, v] of after) if (Number.isFinite(v)) ms += v - (before.get(pid) ?? 0)
  return ms
}

async function redisCpuMs(): Promise<number> {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 })
  try {
    const info = await r.info('cpu')
    const f = (k: string) => Number(new RegExp(`^${k}:([0-9.]+)`, 'm').exec(info)?.[1] ?? NaN)
    return (f('used_cpu_sys') + f('used_cpu_user')) * 1000
  } finally {
    r.disconnect()
  }
}

async function pgXacts(stats: ReturnType<typeof createPgDb>): Promise<number> {
  const { rows } = await stats.query<{ n: string }>(`SELECT (xact_commit + xact_rollback)::text AS n FROM pg_stat_database WHERE datname = current_database()`)
  return Number(rows[0]!.n)
}

async function main() {
  if (CPU_PROF) mkdirSync(CPU_PROF, { recursive: true })
  try {
    console.log('baseline: bare BullMQ add + no-op process …')
    const base = await baseline()
    if (AB) return await abRuns(base)
    const r = await run(process.cwd(), 'this')
    const result = {
      machine: machine(),
      config: {
        seconds: SECONDS,
        clients: CLIENTS,
        eventsPerDossier: EVENTS_PER_DOSSIER,
        layout: 'sandbox, api, worker: separate processes; PostgreSQL; Redis',
      },
      baseline: { bareBullmqProcessedPerSec: base.processedPerSec, seconds: BASELINE_SECONDS },
      endToEnd: {
        accepted: r.accepted,
        failed: r.failed,
        delivered: r.delivered,
        acceptPerSec: r.acceptPerSec,
        deliveredPerSec: r.deliveredPerSec,
        shareOfBaseline: Number((r.deliveredPerSec / base.processedPerSec).toFixed(3)),
        acceptToDeliveryMs: r.acceptToDeliveryMs,
        cpuMsPerEvent: r.cpuMsPerEvent,
      },
      latency202At200rps: r.latency202At200rps,
      targets: { deliveredPerSec: 1000, shareOfBaseline: 0.25, p99_202_ms: 50 },
    }
    const met = (ok: boolean) => (ok ? 'met' : '**not met**')
    const e2ePerSec = r.deliveredPerSec
    const p99_202 = r.latency202At200rps.p99
    writeResults(
      'dossier-sync',
      result,
      `# Dossier status sync benchmark

${result.machine.at} · commit ${result.machine.commit} · ${result.machine.cpus} cores (${result.machine.cpuModel}) · Node ${result.machine.node}
Layout: ${result.config.layout}; ${CLIENTS} concurrent clients for ${SECONDS} s, ${EVENTS_PER_DOSSIER} events per dossier, no faults.

| measure | value | target |
| --- | --- | --- |
| bare BullMQ baseline (add + no-op process) | ${base.processedPerSec} jobs/s | |
| events accepted (202) | ${r.acceptPerSec} /s (${r.accepted} in ${(r.loadMs / 1000).toFixed(1)} s, ${r.failed} refused) | |
| end-to-end delivered to the sandbox portal | ${e2ePerSec} events/s | ≥ 1000: ${met(e2ePerSec >= 1000)} |
| share of the bare baseline | ${(result.endToEnd.shareOfBaseline * 100).toFixed(1)} % | ≥ 25 %: ${met(result.endToEnd.shareOfBaseline >= 0.25)} |
| accept → delivery latency | p50 ${r.acceptToDeliveryMs.p50} ms, p99 ${r.acceptToDeliveryMs.p99} ms | |
| 202 answer at 200 req/s | p50 ${r.latency202At200rps.p50} ms, p95 ${r.latency202At200rps.p95} ms, p99 ${p99_202} ms | p99 ≤ 50 ms: ${met(p99_202 <= 50)} |
`,
    )
  } finally {
    intakeAgent.destroy()
  }
}

/** BENCH_AB: the other checkout and this one, interleaved ROUNDS times; medians per side. */
async function abRuns(base: { processedPerSec: number }) {
  const sides = [
    { label: 'A (other)', cwd: AB!, runs: [] as RunResult[] },
    { label: 'B (this)', cwd: process.cwd(), runs: [] as RunResult[] },
  ]
  for (let round = 1; round <= ROUNDS; round++) for (const side of sides) side.runs.push(await run(side.cwd, `${side.label} #${round}`))
  const row = (side: (typeof sides)[number]) => {
    const rs = side.runs
    return {
      side: side.label,
      checkout: side.cwd,
      commit: rs[0]!.commit,
      acceptPerSec: median(rs.map((r) => r.acceptPerSec)),
      deliveredPerSec: median(rs.map((r) => r.deliveredPerSec)),
      p99_202: median(rs.map((r) => r.latency202At200rps.p99)),
      apiCpuMs: median(rs.map((r) => r.cpuMsPerEvent.api)),
      workerCpuMs: median(rs.map((r) => r.cpuMsPerEvent.worker)),
      runs: rs,
    }
  }
  const rows = sides.map(row)
  const fmt = (xs: number[]) => xs.join(', ')
  writeResults(
    AB_NAME,
    {
      machine: machine(),
      config: { seconds: SECONDS, clients: CLIENTS, rounds: ROUNDS },
      baseline: { bareBullmqProcessedPerSec: base.processedPerSec },
      sides: rows,
    },
    `# Dossier status sync A/B

${new Date().toISOString()} · ${ROUNDS} interleaved rounds of ${SECONDS} s, ${CLIENTS} clients · bare BullMQ ${base.processedPerSec} jobs/s

| side | commit | accepted/s (median; runs) | delivered/s (median; runs) | 202 p99 ms at 200 req/s (median; runs) | API CPU ms per request (median; runs) | worker CPU ms per delivery (median; runs) |
| --- | --- | --- | --- | --- | --- | --- |
${rows.map((r) => `| ${r.side} ${r.checkout} | ${r.commit} | ${r.acceptPerSec}; ${fmt(r.runs.map((x) => x.acceptPerSec))} | ${r.deliveredPerSec}; ${fmt(r.runs.map((x) => x.deliveredPerSec))} | ${r.p99_202}; ${fmt(r.runs.map((x) => x.latency202At200rps.p99))} | ${r.apiCpuMs}; ${fmt(r.runs.map((x) => x.cpuMsPerEvent.api))} | ${r.workerCpuMs}; ${fmt(r.runs.map((x) => x.cpuMsPerEvent.worker))} |`).join('\n')}

CPU ms per delivered event by process, over the load and the drain (median of the runs); Redis is a shared server (other users count too).

| side | API | worker | PostgreSQL backends | Redis | sandbox | load generator | total | PostgreSQL transactions per event |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows
  .map((r) => {
    const m = (f: (x: RunResult) => number | undefined) => median(r.runs.map((x) => f(x) ?? NaN).filter(Number.isFinite))
    return `| ${r.side} | ${m((x) => x.cpuSplit.api)} | ${m((x) => x.cpuSplit.worker)} | ${m((x) => x.cpuSplit.postgres)} | ${m((x) => x.cpuSplit.redis)} | ${m((x) => x.cpuSplit.sandbox)} | ${m((x) => x.cpuSplit.loadGenerator)} | ${m((x) => x.cpuSplit.total)} | ${PG_XACTS ? m((x) => x.pgXactsPerEvent) : 'not counted'} |`
  })
  .join('\n')}
`,
  )
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  },
)
