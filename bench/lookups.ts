/**
 * Lookup cost (issue 13, acceptance 3), measured in one run for the REST lookup (taxpayer
 * status, hub `GET /v1/taxpayers/{mst}`) and the SOAP lookup (citizen, hub
 * `GET /v1/citizens/{id}`), each along three paths:
 *   direct  the load generator → the sandbox endpoint (POST /tax/api/nnt/trang-thai, POST /population)
 *   bare    → a bare keep-alive undici pass-through proxy (bench/bare-proxy.ts) → the sandbox
 *   hub     → the hub (api role, PostgreSQL audit) → the sandbox
 * at saturation (closed loop, BENCH_CONNECTIONS connections) and at a fixed BENCH_RATE req/s
 * (open loop). The sandbox, the bare proxy, the hub and the load generator each run in
 * their own process; the CPU each used per request is read from /proc (steadier than req/s
 * on a shared machine), with the machine's load.
 *
 *   npm run bench:lookups
 *   BENCH_SECONDS=10 BENCH_CONNECTIONS=32 BENCH_RATE=200 BENCH_PG_URL=postgres://… npm run bench:lookups
 *   BENCH_PROFILE=api npm run bench:lookups    (writes a .cpuprofile of the hub to bench/results/profile/)
 */
import { fork, spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { buildTraCuuRequestXml } from '../src/mappings/population/to-population-xml.js'
import { buildLookupSeed } from '../src/sandbox/lookups/data.js'
import { cpuMsOf, machine, writeResults } from './lib.js'
import type { LoadCommand, LoadResult, RequestSpec } from './loadgen.js'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 10)
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32)
const RATE = Number(process.env['BENCH_RATE'] ?? 200)
const WARMUP_SECONDS = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 3)
const SEED = 42
const SANDBOX_PORT = 18_090
const PROXY_PORT = 18_070
const HUB_PORT = 18_080
const KEY = `bench-${randomBytes(8).toString('hex')}`
const PG_URL = process.env['BENCH_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'
const PURPOSE = '000.00.06.H56-231027-0361'
/**
 * Optional: another checkout of the hub (e.g. `git archive <commit>` unpacked, node_modules linked) measured in
 * the same run as a fourth path, `before` (its own database), to compare a change against its baseline.
 */
const BASELINE_ROOT = process.env['BENCH_BASELINE_ROOT']
const BASELINE_PORT = 18_081
type Path = 'direct' | 'bare' | 'hub' | 'before'
/** For profiling only (BENCH_PATHS=hub BENCH_PROFILE=api): the full run needs direct, bare and hub. */
const PATHS = (process.env['BENCH_PATHS'] ?? `direct,bare,hub${BASELINE_ROOT ? ',before' : ''}`).split(',') as Path[]

const children: ChildProcess[] = []
function start(name: string, script: string, args: string[], env: Record<string, string>, dir = root): ChildProcess {
  const prof = process.env['BENCH_PROFILE'] === name ? ['--cpu-prof', '--cpu-prof-interval', '250', '--cpu-prof-dir', join(root, 'bench/results/profile')] : []
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', join(dir, script), ...args], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
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

/** Whole-machine CPU busy share between two /proc/stat readings (all cores, every process). */
function cpuTimes(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  const idle = (f[3] ?? 0) + (f[4] ?? 0)
  const total = f.reduce((a, b) => a + b, 0)
  return { busy: total - idle, total }
}

const r2 = (x: number) => Math.round(x * 100) / 100

async function main() {
  const seed = buildLookupSeed(SEED)
  const ids = seed.people.map((p) => p.citizen.idNumber)
  const taxCodes = seed.businesses.map((b) => b.taxCode)

  const dbName = `lgsp_bench_${Date.now().toString(36)}`
  const admin = new pg.Client({ connectionString: PG_URL })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${dbName}`)
  await admin.end()
  const dbs = [dbName]
  if (BASELINE_ROOT) {
    const a = new pg.Client({ connectionString: PG_URL })
    await a.connect()
    await a.query(`CREATE DATABASE ${dbName}_before`)
    await a.end()
    dbs.push(`${dbName}_before`)
  }

  const base = { NODE_ENV: 'test', LOG_LEVEL: 'warn', SANDBOX_SEED: String(SEED), SANDBOX_PORT: String(SANDBOX_PORT), SANDBOX_HOST: '127.0.0.1' }
  const sandboxUrl = `http://127.0.0.1:${SANDBOX_PORT}`
  try {
    const sandbox = start('sandbox', 'src/cli.ts', ['sandbox'], base)
    const proxy = start('proxy', 'bench/bare-proxy.ts', [], { BARE_PROXY_PORT: String(PROXY_PORT), BARE_PROXY_UPSTREAM: sandboxUrl })
    const hubEnv = (port: number, db: string) => ({
      ...base,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: Object.assign(new URL(PG_URL), { pathname: `/${db}` }).toString(),
      QUEUE_PREFIX: `bench${port}${Date.now().toString(36)}`,
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
    const hub = start('api', 'src/cli.ts', ['api'], hubEnv(HUB_PORT, dbName))
    const before = BASELINE_ROOT ? start('before', 'src/cli.ts', ['api'], hubEnv(BASELINE_PORT, `${dbName}_before`), BASELINE_ROOT) : undefined
    const gen = fork(join(root, 'bench/loadgen.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    children.push(gen)
    await new Promise<void>((ok) => gen.once('message', () => ok()))
    await waitUp(`${sandboxUrl}/_sandbox/health`)
    await waitUp(`http://127.0.0.1:${PROXY_PORT}/_sandbox/health`)
    await waitUp(`http://127.0.0.1:${HUB_PORT}/health/live`)
    if (before) await waitUp(`http://127.0.0.1:${BASELINE_PORT}/health/live`)

    const procs = { sandbox, proxy, hub, ...(before ? { before } : {}), loadgen: gen }
    const load = (cmd: LoadCommand) =>
      new Promise<LoadResult>((ok, fail) => {
        gen.once('message', (m: { ok: boolean; result?: LoadResult; error?: string }) => (m.ok ? ok(m.result!) : fail(new Error(m.error))))
        gen.send(cmd)
      })
    /** One measured run, with the CPU each process spent per answered request and the machine's busy share. */
    async function measured(cmd: LoadCommand) {
      const before = Object.fromEntries(Object.entries(procs).map(([k, p]) => [k, cpuMsOf(p.pid)]))
      const m0 = cpuTimes()
      const result = await load(cmd)
      const m1 = cpuTimes()
      const cpuMsPerRequest = Object.fromEntries(
        Object.entries(procs).map(([k, p]) => [k, result.requests ? Math.round(((cpuMsOf(p.pid) - before[k]!) / result.requests) * 1000) / 1000 : NaN]),
      )
      return { ...result, cpuMsPerRequest, machineBusyPct: Math.round(((m1.busy - m0.busy) / (m1.total - m0.total)) * 100) }
    }

    const caller = { serviceCode: '037', integrationCode: '037', verifyServiceCode: '033', officerCode: 'HUB', unitCode: '000.00.00.H56' }
    const soapBody = (id: string) => buildTraCuuRequestXml(caller, { requestId: randomBytes(8).toString('hex'), idNumber: id })
    const soapDirect: RequestSpec[] = ids.slice(0, 500).map((id) => ({
      path: '/population',
      method: 'POST',
      body: soapBody(id),
      headers: { 'content-type': 'text/xml; charset=utf-8', soapaction: '"http://dancuquocgia.bca/TraCuuThongTinCongDan"' },
    }))
    const hubHeaders = { 'x-api-key': KEY, 'x-purpose': PURPOSE }
    const soapHub: RequestSpec[] = ids.slice(0, 500).map((id) => ({ path: `/v1/citizens/${id}`, method: 'GET', headers: hubHeaders }))
    const restHub: RequestSpec[] = taxCodes.slice(0, 500).map((mst) => ({ path: `/v1/taxpayers/${mst}`, method: 'GET', headers: hubHeaders }))
    const restDirect = async (): Promise<RequestSpec[]> => {
      const tok = (await (
        await fetch(`${sandboxUrl}/tax/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials&client_id=sandbox&client_secret=sandbox',
        })
      ).json()) as { access_token: string }
      return taxCodes.slice(0, 500).map((mst) => ({
        path: '/tax/api/nnt/trang-thai',
        method: 'POST',
        body: JSON.stringify({ mst, maYeuCau: randomBytes(8).toString('hex'), maDonVi: '000.00.00.H56' }),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tok.access_token}` },
      }))
    }

    const origin = (p: Path) => `http://127.0.0.1:${{ direct: SANDBOX_PORT, bare: PROXY_PORT, hub: HUB_PORT, before: BASELINE_PORT }[p]}`
    const viaHub = (p: Path) => p === 'hub' || p === 'before'
    async function lookup(label: string, kind: 'rest' | 'soap') {
      const specs = async (p: Path) => (viaHub(p) ? (kind === 'rest' ? restHub : soapHub) : kind === 'rest' ? await restDirect() : soapDirect)
      // The timestamped digest covers the URL the request is sent to (a pass-through proxy keeps the Host header).
      const basic = (p: Path) => (kind === 'soap' && !viaHub(p) ? { hashedBasic: { url: `${origin(p)}/population`, user: 'sandbox', secret: 'sandbox' } } : {})
      const paths = PATHS
      for (const p of paths) {
        process.stderr.write(`${label} ${p}: warm-up ${WARMUP_SECONDS}s\n`)
        await load({
          origin: origin(p),
          mode: 'closed',
          seconds: WARMUP_SECONDS,
          connections: CONNECTIONS,
          requests: await specs(p),
          record: false,
          ...basic(p),
        })
      }
      const saturation = {} as Record<Exclude<Path, 'before'>, Awaited<ReturnType<typeof measured>>> & { before?: Awaited<ReturnType<typeof measured>> }
      const fixed = {} as typeof saturation
      for (const p of paths) {
        process.stderr.write(`${label} ${p}: saturation ${SECONDS}s at ${CONNECTIONS} connections\n`)
        saturation[p] = await measured({
          origin: origin(p),
          mode: 'closed',
          seconds: SECONDS,
          connections: CONNECTIONS,
          requests: await specs(p),
          record: true,
          ...basic(p),
        })
      }
      if (!paths.includes('direct') || !paths.includes('bare') || !paths.includes('hub')) {
        process.stderr.write(`${JSON.stringify(saturation)}\n`)
        return null
      }
      for (const p of paths) {
        process.stderr.write(`${label} ${p}: ${RATE} req/s for ${SECONDS}s\n`)
        fixed[p] = await measured({
          origin: origin(p),
          mode: 'open',
          rate: RATE,
          seconds: SECONDS,
          connections: 256,
          requests: await specs(p),
          record: true,
          ...basic(p),
        })
      }
      return {
        saturation,
        fixedRate: fixed,
        hubShareOfBare: r2(saturation.hub.rps / saturation.bare.rps),
        bareShareOfDirect: r2(saturation.bare.rps / saturation.direct.rps),
        addedP99Ms: { hub: r2(fixed.hub.p99 - fixed.direct.p99), bare: r2(fixed.bare.p99 - fixed.direct.p99) },
        addedP50Ms: { hub: r2(fixed.hub.p50 - fixed.direct.p50), bare: r2(fixed.bare.p50 - fixed.direct.p50) },
        /** The hub's own CPU per lookup over the bare proxy's (saturation). */
        hubCpuOverBare: r2(saturation.hub.cpuMsPerRequest['hub']! / saturation.bare.cpuMsPerRequest['proxy']!),
        ...(saturation.before
          ? {
              before: {
                hubShareOfBare: r2(saturation.before.rps / saturation.bare.rps),
                addedP99Ms: r2(fixed.before!.p99 - fixed.direct.p99),
                cpuMsPerLookup: saturation.before.cpuMsPerRequest['before'],
              },
            }
          : {}),
      }
    }
    const load0 = loadavg().map(r2)
    const kinds = process.env['BENCH_LOOKUPS'] ?? 'rest,soap'
    const rest = kinds.includes('rest') ? await lookup('REST taxpayer', 'rest') : null
    const soap = kinds.includes('soap') ? await lookup('SOAP citizen', 'soap') : null
    if (!rest || !soap) return // a partial (profiling) run: nothing written
    const load1 = loadavg().map(r2)

    const metrics = await (await fetch(`http://127.0.0.1:${HUB_PORT}/metrics`, { headers: { 'x-api-key': KEY } })).text()
    const upstreamOutcomes = Object.fromEntries(
      [...metrics.matchAll(/lgsp_hub_upstream_request_duration_seconds_count\{upstream="(\w+)",operation="(\w+)",outcome="([^"]+)"\} (\d+)/g)].map((m) => [
        `${m[1]}/${m[2]}/${m[3]}`,
        Number(m[4]),
      ]),
    )
    const targets = { hubShareOfBare: 0.7, addedP99Ms: 5 }
    type Lookup = NonNullable<typeof rest>
    const met = (x: Lookup) => x.hubShareOfBare >= targets.hubShareOfBare && x.addedP99Ms.hub <= targets.addedP99Ms
    const result = {
      ...machine(),
      connections: CONNECTIONS,
      rate: RATE,
      seconds: SECONDS,
      machineLoad: { loadavgBefore: load0, loadavgAfter: load1, cpus: cpus().length },
      rest: { scenario: 'taxpayer status: GET /v1/taxpayers/{mst} (hub) vs POST /tax/api/nnt/trang-thai (direct, bare proxy)', ...rest, met: met(rest) },
      soap: { scenario: 'citizen: GET /v1/citizens/{id} (hub) vs POST /population SOAP TraCuuThongTinCongDan (direct, bare proxy)', ...soap, met: met(soap) },
      hubUpstreamOutcomes: upstreamOutcomes,
      targets,
    }
    const sat = (x: Lookup) =>
      PATHS.map((p) => {
        const s = x.saturation[p]!
        const cpu = Object.entries(s.cpuMsPerRequest)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')
        return `| ${p} | ${s.requests} | ${s.errors} | ${s.rps} | ${s.p50} | ${s.p99} | ${cpu} | ${s.machineBusyPct} % |`
      }).join('\n')
    const fix = (x: Lookup) =>
      PATHS.map((p) => {
        const s = x.fixedRate[p]!
        return `| ${p} | ${s.requests} | ${s.errors} | ${s.rps} | ${s.p50} | ${s.p90} | ${s.p99} | ${s.max} | ${s.scheduleLagP99} | ${s.machineBusyPct} % |`
      }).join('\n')
    const section = (title: string, x: Lookup & { scenario: string; met: boolean }) => `## ${title}

${x.scenario}

Saturation (closed loop, ${CONNECTIONS} connections, ${SECONDS} s each):

| path | answered | errors | req/s | p50 ms | p99 ms | CPU ms per request (each process) | machine busy |
| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |
${sat(x)}

- hub throughput: **${Math.round(x.hubShareOfBare * 100)} % of the bare proxy** (target ≥ ${targets.hubShareOfBare * 100} %); bare proxy ${Math.round(x.bareShareOfDirect * 100)} % of direct
- the hub's own CPU per lookup: **${x.hubCpuOverBare}×** the bare proxy's

Fixed rate (open loop, ${RATE} req/s, ${SECONDS} s each; latency from the moment each request left):

| path | answered | errors | req/s | p50 ms | p90 ms | p99 ms | max ms | generator lag p99 ms | machine busy |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${fix(x)}

- added p99 over direct: **hub ${x.addedP99Ms.hub} ms** (target ≤ ${targets.addedP99Ms} ms), bare proxy ${x.addedP99Ms.bare} ms; added p50: hub ${x.addedP50Ms.hub} ms, bare ${x.addedP50Ms.bare} ms
- targets ${x.met ? '**met**' : '**not met**'}
${x.before ? `- baseline checkout (\`before\`, ${BASELINE_ROOT}) in the same run: ${Math.round(x.before.hubShareOfBare * 100)} % of the bare proxy, added p99 ${x.before.addedP99Ms} ms, ${x.before.cpuMsPerLookup} ms CPU per lookup (hub now ${x.saturation.hub.cpuMsPerRequest['hub']})\n` : ''}`
    const md = `# Lookup cost: direct, bare pass-through proxy, hub (one run)

${result.at}, commit ${result.commit}, ${result.cpus} CPUs (${result.cpuModel}), Node ${result.node}.
Machine load average before ${load0.join(' / ')}, after ${load1.join(' / ')} (1/5/15 min); "machine busy" is the share of all
cores busy during each run, every process on the machine included. On a shared machine req/s moves with the other
load; the CPU each process spends per request is the steadier figure.

Processes: the sandbox (national endpoints), the bare proxy (bench/bare-proxy.ts, undici keep-alive pool), the hub
(api role, PostgreSQL audit written before each answer), the load generator (bench/loadgen.ts, undici): one each.

${section('REST: taxpayer status', result.rest)}
${section('SOAP: citizen lookup', result.soap)}
Hub upstream outcomes over the run: ${Object.entries(upstreamOutcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.
`
    writeResults('lookups', result, md)
  } finally {
    for (const c of children) c.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 2500))
    const a = new pg.Client({ connectionString: PG_URL })
    await a.connect()
    for (const db of dbs) await a.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)
    await a.end()
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack}\n`)
  for (const c of children) c.kill('SIGTERM')
  process.exit(1)
})
