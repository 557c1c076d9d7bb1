/**
 * Catalog sync benchmark: a full sync of the 2,000-procedure sandbox catalog, then a
 * second run with no upstream change, on real Redis and the embedded database
 * (PostgreSQL when DATABASE_URL is set), against the DVCQG sandbox over loopback HTTP.
 * Writes bench/results/catalog-sync.{json,md}.
 *
 *   npx tsx bench/catalog-sync.ts          (npm run bench:catalog)
 *   BENCH_CATALOG_SIZE=500 BENCH_RATE=200 npx tsx bench/catalog-sync.ts
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { loadConfig } from '../src/config/load.js'
import { createHub } from '../src/hub.js'
import { createLogger } from '../src/log.js'
import { createSandbox } from '../src/sandbox/index.js'
import type { CatalogRun } from '../src/services/catalog/index.js'

const SIZE = Number(process.env['BENCH_CATALOG_SIZE'] ?? 2000)
const RATE = Number(process.env['BENCH_RATE'] ?? 500)
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16)
const OUT = join(import.meta.dirname, 'results')

async function main() {
  const logger = createLogger('warn')
  const sb = await createSandbox(42, logger, { catalogSize: SIZE })
  await sb.app.listen({ host: '127.0.0.1', port: 0 })
  const sandboxUrl = `http://127.0.0.1:${(sb.app.server.address() as AddressInfo).port}`
  const dataDir = mkdtempSync(join(tmpdir(), 'lgsp-bench-catalog-'))
  const config = loadConfig({
    ...(process.env['DATABASE_URL'] ? { DATABASE_URL: process.env['DATABASE_URL'] } : {}),
    REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `bench${randomBytes(4).toString('hex')}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DVCQG_BASE_URL: `${sandboxUrl}/dvcqg`,
    CATALOG_CONCURRENCY: String(CONCURRENCY),
    CATALOG_RATE_PER_SEC: String(RATE),
    CATALOG_POLL_MS: '200',
    CATALOG_SYNC_CRON: '',
  })
  const hub = await createHub(config, 'all', { logger })
  await hub.startWorkers()
  const catalog = hub.services.catalog

  async function run(label: string) {
    sb.kit.recorder.clear()
    const started = performance.now()
    const { runId } = await catalog.requestSync('bench')
    let done: CatalogRun | undefined
    while (!done) {
      await new Promise((r) => setTimeout(r, 200))
      done = (await catalog.runs(5)).find((r) => r.id === runId && r.state !== 'running' && r.state !== 'pending')
      if (performance.now() - started > 110_000) throw new Error(`${label}: run ${runId} did not finish in 110 s`)
    }
    const seconds = (performance.now() - started) / 1000
    const upstream = sb.kit.recorder.counts()
    const calls = Object.entries(upstream)
      .filter(([k]) => k.startsWith('dvcqg/'))
      .reduce((n, [, v]) => n + v, 0)
    const changes = await hub.db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM catalog_changes WHERE run_id = $1', [runId])
    return {
      label,
      runId,
      state: done.state,
      seconds: Math.round(seconds * 100) / 100,
      upstreamCalls: calls,
      upstreamByOperation: upstream,
      proceduresPerSecond: Math.round((done.counts['fetched'] ?? 0) / seconds),
      changesWritten: changes.rows[0]!.n,
      counts: done.counts,
    }
  }

  const full = await run('full sync')
  const again = await run('second run, no upstream change')
  await hub.close()
  await sb.app.close()
  rmSync(dataDir, { recursive: true, force: true })

  const result = {
    bench: 'catalog-sync',
    at: new Date().toISOString(),
    node: process.version,
    database: hub.db.engine,
    catalogSize: SIZE,
    config: { CATALOG_CONCURRENCY: CONCURRENCY, CATALOG_RATE_PER_SEC: RATE },
    runs: [full, again],
  }
  mkdirSync(OUT, { recursive: true })
  writeFileSync(join(OUT, 'catalog-sync.json'), JSON.stringify(result, null, 2) + '\n')
  const md = [
    '# Catalog sync benchmark',
    '',
    `${result.at} · Node ${result.node} · ${result.database} · real Redis · DVCQG sandbox over loopback HTTP`,
    `Catalog: ${SIZE} procedures · CATALOG_CONCURRENCY=${CONCURRENCY} · CATALOG_RATE_PER_SEC=${RATE}`,
    '',
    '| run | state | duration (s) | upstream calls | LayThuTuc | procedures/s | added | changed | unchanged | removed | failed | change rows |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...result.runs.map(
      (r) =>
        `| ${r.label} | ${r.state} | ${r.seconds} | ${r.upstreamCalls} | ${r.upstreamByOperation['dvcqg/LayThuTuc'] ?? 0} | ${r.proceduresPerSecond} | ${r.counts['added']} | ${r.counts['changed']} | ${r.counts['unchanged']} | ${r.counts['removed']} | ${r.counts['failed']} | ${r.changesWritten} |`,
    ),
    '',
    'Upstream calls = LayDanhMucCoQuan + LayDanhMucLinhVuc + LayDanhSachTTHC + one LayThuTuc per procedure (plus the adapter-style login).',
    `Run with: ${process.env['DATABASE_URL'] ? 'DATABASE_URL=postgres://… ' : ''}npm run bench:catalog (no DATABASE_URL: embedded PGlite).`,
    '',
  ].join('\n')
  writeFileSync(join(OUT, 'catalog-sync.md'), md)
  process.stdout.write(md)
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`catalog-sync bench failed: ${(e as Error).stack ?? String(e)}\n`)
    process.exit(1)
  },
)
