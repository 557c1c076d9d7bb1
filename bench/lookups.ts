/**
 * Lookup benchmark (issue 4, acceptance 5): the same citizen lookup through the hub
 * (`GET /v1/citizens/{id}` → population connector → sandbox SOAP) and straight to the
 * sandbox (`POST /population` SOAP, same auth), in one run, at 200 concurrent
 * connections. Reports the hub's added p50/p99 latency and its throughput as a share of
 * the direct path. Loopback only; the sandbox and the hub (api role, PostgreSQL) run as
 * child processes so the load generator does not share their event loops.
 *
 *   npx tsx bench/lookups.ts            (or npm run bench:lookups)
 *   BENCH_SECONDS=10 BENCH_CONNECTIONS=200 BENCH_PG_URL=postgres://… npx tsx bench/lookups.ts
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import http from 'node:http'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { hashedBasicDigest } from '../src/http/auth/hashed-basic.js'
import { buildTraCuuRequestXml } from '../src/mappings/population/to-population-xml.js'
import { buildLookupSeed } from '../src/sandbox/lookups/data.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10)
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 200)
const WARMUP_SECONDS = 2
const SEED = 42
const SANDBOX_PORT = 18_090
const HUB_PORT = 18_080
const KEY = `bench-${randomBytes(8).toString('hex')}`
const PG_URL = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

const children: ChildProcess[] = []
function start(role: string, env: Record<string, string>): ChildProcess {
  const prof = process.env['BENCH_PROFILE'] === role ? ['--cpu-prof', '--cpu-prof-dir', join(root, 'bench/results/profile')] : []
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', join(root, 'src/cli.ts'), role], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] })
  children.push(child)
  return child
}
async function waitUp(url: string, ms = 60_000) {
  const until = Date.now() + ms
  for (;;) {
    try {
      const r = await fetch(url)
      if (r.status < 500) return
    } catch {
      /* not yet */
    }
    if (Date.now() > until) throw new Error(`${url} did not come up`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

interface Target {
  name: string
  request(): { path: string; method: string; headers: Record<string, string>; body?: string }
  port: number
}

interface Run {
  requests: number
  errors: number
  seconds: number
  rps: number
  p50: number
  p90: number
  p99: number
  max: number
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)] ?? NaN

/** Closed loop: `connections` workers, each sending its next request when the previous answers. */
async function load(target: Target, seconds: number, connections: number, record: boolean): Promise<Run> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  const times: number[] = []
  let errors = 0
  const until = performance.now() + seconds * 1000
  const one = () =>
    new Promise<void>((resolve) => {
      const r = target.request()
      const t0 = performance.now()
      const req = http.request({ host: '127.0.0.1', port: target.port, path: r.path, method: r.method, headers: r.headers, agent }, (res) => {
        res.resume()
        res.on('end', () => {
          if (res.statusCode !== 200) errors++
          else if (record) times.push(performance.now() - t0)
          resolve()
        })
      })
      req.on('error', () => {
        errors++
        resolve()
      })
      req.end(r.body)
    })
  const started = performance.now()
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) await one()
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  agent.destroy()
  times.sort((a, b) => a - b)
  const r2 = (x: number) => Math.round(x * 100) / 100
  return { requests: times.length, errors, seconds: r2(elapsed), rps: r2(times.length / elapsed), p50: r2(pct(times, 0.5)), p90: r2(pct(times, 0.9)), p99: r2(pct(times, 0.99)), max: r2(times[times.length - 1] ?? NaN) }
}

async function main() {
  const seed = buildLookupSeed(SEED)
  const ids = seed.people.map((p) => p.citizen.idNumber)
  let i = 0
  const nextId = () => ids[i++ % ids.length]!

  const dbName = `lgsp_bench_${Date.now().toString(36)}`
  const admin = new pg.Client({ connectionString: PG_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${dbName}`)
  await admin.end()
  const dbUrl = Object.assign(new URL(PG_URL), { pathname: `/${dbName}` }).toString()

  const base = { NODE_ENV: 'test', LOG_LEVEL: 'warn', SANDBOX_SEED: String(SEED), SANDBOX_PORT: String(SANDBOX_PORT), SANDBOX_HOST: '127.0.0.1' }
  const sandboxUrl = `http://127.0.0.1:${SANDBOX_PORT}`
  try {
    start('sandbox', base)
    await waitUp(`${sandboxUrl}/_sandbox/health`)
    start('api', {
      ...base,
      PORT: String(HUB_PORT),
      HOST: '127.0.0.1',
      DATABASE_URL: dbUrl,
      QUEUE_PREFIX: `bench${Date.now().toString(36)}`,
      CLIENTS_JSON: JSON.stringify({ clients: [{ id: 'bench', keySha256: createHash('sha256').update(KEY).digest('hex'), services: ['*', 'metrics'] }] }),
      CONNECTORS_ENABLED: 'population,tax',
      POPULATION_BASE_URL: `${sandboxUrl}/population`,
      TAX_BASE_URL: `${sandboxUrl}/tax`,
      LOOKUP_MAX_CONCURRENT: '512',
      // One client on one address far above the default budgets.
      RATE_LIMIT_PER_MINUTE: '10000000',
      RATE_LIMIT_IP_PER_MINUTE: '10000000',
      DVCQG_BASE_URL: `${sandboxUrl}/dvcqg`,
    })
    await waitUp(`http://127.0.0.1:${HUB_PORT}/health/live`)

    const caller = { serviceCode: '037', integrationCode: '037', verifyServiceCode: '033', officerCode: 'HUB', unitCode: '000.00.00.H56' }
    const direct: Target = {
      name: 'direct',
      port: SANDBOX_PORT,
      request() {
        const ts = String(Date.now())
        const digest = hashedBasicDigest(`${sandboxUrl}/population`, 'sandbox', ts, 'sandbox')
        const body = buildTraCuuRequestXml(caller, { requestId: randomBytes(8).toString('hex'), idNumber: nextId() })
        return {
          path: '/population',
          method: 'POST',
          body,
          headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"http://dancuquocgia.bca/TraCuuThongTinCongDan"', timestamp: ts, authorization: `Basic ${Buffer.from(`sandbox:${digest}`).toString('base64')}`, 'content-length': String(Buffer.byteLength(body)) },
        }
      },
    }
    const hub: Target = {
      name: 'hub',
      port: HUB_PORT,
      request: () => ({ path: `/v1/citizens/${nextId()}`, method: 'GET', headers: { 'x-api-key': KEY, 'x-purpose': '000.00.06.H56-231027-0361' } }),
    }

    // REST comparison: taxpayer status (bearer token fetched once for the direct side).
    const tok = (await (await fetch(`${sandboxUrl}/tax/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials&client_id=sandbox&client_secret=sandbox' })).json()) as { access_token: string }
    const taxCodes = seed.businesses.map((b) => b.taxCode)
    let j = 0
    const nextTax = () => taxCodes[j++ % taxCodes.length]!
    const taxDirect: Target = {
      name: 'direct',
      port: SANDBOX_PORT,
      request() {
        const body = JSON.stringify({ mst: nextTax(), maYeuCau: randomBytes(8).toString('hex'), maDonVi: '000.00.00.H56' })
        return { path: '/tax/api/nnt/trang-thai', method: 'POST', body, headers: { 'content-type': 'application/json', authorization: `Bearer ${tok.access_token}`, 'content-length': String(Buffer.byteLength(body)) } }
      },
    }
    const taxHub: Target = { name: 'hub', port: HUB_PORT, request: () => ({ path: `/v1/taxpayers/${nextTax()}`, method: 'GET', headers: { 'x-api-key': KEY, 'x-purpose': '000.00.06.H56-231027-0361' } }) }

    const r2 = (x: number) => Math.round(x * 100) / 100
    async function compare(label: string, a: Target, b: Target) {
      process.stderr.write(`${label}: warming up (${WARMUP_SECONDS}s each)…\n`)
      await load(a, WARMUP_SECONDS, CONNECTIONS, false)
      await load(b, WARMUP_SECONDS, CONNECTIONS, false)
      process.stderr.write(`${label}: direct ${SECONDS}s, then hub ${SECONDS}s at ${CONNECTIONS} connections…\n`)
      const d = await load(a, SECONDS, CONNECTIONS, true)
      const h = await load(b, SECONDS, CONNECTIONS, true)
      return { direct: d, hub: h, added: { p50Ms: r2(h.p50 - d.p50), p99Ms: r2(h.p99 - d.p99) }, throughputRatio: r2(h.rps / d.rps) }
    }
    const population = await compare('population (SOAP)', direct, hub)
    const tax = await compare('tax (REST)', taxDirect, taxHub)
    const d = population.direct
    const h = population.hub

    // The hub's own view of its upstream calls (outcome counts: ok, timeout, …).
    const metrics = await (await fetch(`http://127.0.0.1:${HUB_PORT}/metrics`, { headers: { 'x-api-key': KEY } })).text()
    const upstreamOutcomes = Object.fromEntries(
      [...metrics.matchAll(/lgsp_hub_upstream_request_duration_seconds_count\{upstream="(\w+)",operation="(\w+)",outcome="([^"]+)"\} (\d+)/g)].map((m) => [`${m[1]}/${m[2]}/${m[3]}`, Number(m[4])]),
    )
    // The hub's own answer times (from accepting the request to the reply), histogram buckets.
    const hubBuckets = Object.fromEntries(
      [...metrics.matchAll(/lgsp_hub_http_request_duration_seconds_bucket\{le="([^"]+)",method="GET",route="\/v1\/citizens\/:idNumber",status="200"\} (\d+)/g)].map((m) => [m[1]!, Number(m[2])]),
    )
    const result = {
      at: new Date().toISOString(),
      scenario: 'citizen lookup: hub GET /v1/citizens/{id} (validation, purpose, audit, breaker, SOAP via node-soap, mapping) vs the sandbox SOAP endpoint directly',
      connections: CONNECTIONS,
      seconds: SECONDS,
      machine: { cpus: (await import('node:os')).cpus().length, loadavg: (await import('node:os')).loadavg().map(r2), node: process.version },
      ...population,
      hubUpstreamOutcomes: upstreamOutcomes,
      hubServerSideBuckets: hubBuckets,
      rest: { scenario: 'taxpayer status: hub GET /v1/taxpayers/{mst} vs the sandbox REST endpoint directly', ...tax },
      targets: { addedP99Ms: 5, throughputRatio: 0.7 },
    }
    mkdirSync(join(root, 'bench/results'), { recursive: true })
    writeFileSync(join(root, 'bench/results/lookups.json'), JSON.stringify(result, null, 2) + '\n')
    const md = `# Lookup benchmark (hub vs direct sandbox)

${result.at}, ${CONNECTIONS} concurrent connections, ${SECONDS} s per side, ${result.machine.cpus} CPUs (load average ${result.machine.loadavg.join(' / ')}), Node ${result.machine.node}.
Scenario: ${result.scenario}. Hub (api role, PostgreSQL audit) and sandbox run as separate processes; load generator in a third.

| path | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| direct | ${d.requests} | ${d.errors} | ${d.rps} | ${d.p50} | ${d.p90} | ${d.p99} | ${d.max} |
| hub | ${h.requests} | ${h.errors} | ${h.rps} | ${h.p50} | ${h.p90} | ${h.p99} | ${h.max} |

- added p50: **${result.added.p50Ms} ms**, added p99: **${result.added.p99Ms} ms** (target ≤ 5 ms)
- throughput: **${Math.round(result.throughputRatio * 100)} %** of direct (target ≥ 70 %)

REST comparison (${result.rest.scenario}):

| path | requests | errors | req/s | p50 ms | p90 ms | p99 ms | max ms |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| direct | ${tax.direct.requests} | ${tax.direct.errors} | ${tax.direct.rps} | ${tax.direct.p50} | ${tax.direct.p90} | ${tax.direct.p99} | ${tax.direct.max} |
| hub | ${tax.hub.requests} | ${tax.hub.errors} | ${tax.hub.rps} | ${tax.hub.p50} | ${tax.hub.p90} | ${tax.hub.p99} | ${tax.hub.max} |

- added p50 ${tax.added.p50Ms} ms, added p99 ${tax.added.p99Ms} ms, throughput ${Math.round(tax.throughputRatio * 100)} % of direct

At a fixed 200 connections in a closed loop both sides run saturated, so latency is mostly queueing: the
hub path does everything the direct path does (the sandbox still answers every hub request) plus its own
work, on the same cores. Numbers from a shared machine vary with its load.
`
    writeFileSync(join(root, 'bench/results/lookups.md'), md)
    process.stdout.write(md)
  } finally {
    for (const c of children) c.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 1500))
    const a = new pg.Client({ connectionString: PG_URL })
    await a.connect()
    await a.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
    await a.end()
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack}\n`)
  for (const c of children) c.kill('SIGTERM')
  process.exit(1)
})
