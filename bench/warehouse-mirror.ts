/**
 * Bench (issue 6, acceptance 1): mirror the sandbox warehouse (2,000 owners, 10,000 signed
 * documents by default) through the real queue, connector, transport, blob store and a fresh
 * local PostgreSQL database; then run the same backfill again and check that no file is
 * transferred twice. Loopback only. Results: bench/results/warehouse-mirror.{json,md}.
 *
 *   npx tsx bench/warehouse-mirror.ts            (BENCH_OWNERS=2000 by default)
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { cpus } from 'node:os'
import { createHub } from '../src/hub.js'
import { createLogger } from '../src/log.js'
import { createSandbox } from '../src/sandbox/index.js'
import { testConfig } from '../test/helpers/config.js'
import { createTestDatabase } from '../test/helpers/pg.js'

const OWNERS = Number(process.env['BENCH_OWNERS'] ?? 2000)
const RESULTS = new URL('./results/', import.meta.url)

let peakRss = 0
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss)
}, 100)

async function main() {
  const sandbox = await createSandbox(42, createLogger('silent'), { warehouseOwners: OWNERS })
  await sandbox.app.listen({ host: '127.0.0.1', port: 0 })
  const sandboxUrl = `http://127.0.0.1:${(sandbox.app.server.address() as AddressInfo).port}`
  const w = sandbox.sims.warehouse
  const db = await createTestDatabase()
  const env = {
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: 20,
    DVCQG_BASE_URL: `${sandboxUrl}/dvcqg`,
    WAREHOUSE_MIRROR_CONCURRENCY: 16,
    WAREHOUSE_DOWNLOAD_CONCURRENCY: 16,
    WAREHOUSE_RATE_PER_SEC: 2000,
    UPSTREAM_TIMEOUT_MS: 10_000,
  }
  const config = testConfig(env)
  const anchors = `${config.DATA_DIR}/anchors.pem`
  writeFileSync(anchors, w.trustAnchorsPem())
  const hub = await createHub({ ...config, WAREHOUSE_TRUST_ANCHORS_FILE: anchors }, 'all', { logger: createLogger('warn') })
  await hub.startWorkers()
  const svc = hub.services.warehouse.mirror
  const owners = w.owners()
  const expectedDocs = w.documentCount()

  const run = async (label: string) => {
    const downloadsBefore = w.stats.downloads
    const rssBefore = peakRss
    peakRss = process.memoryUsage().rss
    const started = performance.now()
    const { backfillId } = await svc.backfill({ ownerIds: owners })
    let p = await svc.backfillProgress(backfillId)
    while (p.done + p.failed < owners.length) {
      await new Promise((r) => setTimeout(r, 250))
      p = await svc.backfillProgress(backfillId)
      if (performance.now() - started > 170_000) throw new Error(`${label}: not finished after 170 s (${JSON.stringify(p)})`)
    }
    const seconds = (performance.now() - started) / 1000
    const runPeak = peakRss
    peakRss = Math.max(rssBefore, runPeak)
    const transferred = w.stats.downloads - downloadsBefore
    console.log(`${label}: ${p.done} owners done, ${p.failed} failed, ${transferred} files transferred in ${seconds.toFixed(1)} s`)
    return {
      label,
      owners: p.done,
      failedOwners: p.failed,
      documents: p.documents,
      filesTransferred: transferred,
      seconds: Number(seconds.toFixed(2)),
      documentsPerSecond: Number((p.documents / seconds).toFixed(1)),
      peakRssMiB: Math.round(runPeak / 1048576),
    }
  }

  const first = await run('first run')
  const { rows } = await hub.db.query<{ n: number; bytes: string; valid: number; invalid: number; untrusted: number; unsigned: number }>(
    `SELECT count(*)::int AS n, sum(size)::text AS bytes, count(*) FILTER (WHERE signature_status = 'valid')::int AS valid, count(*) FILTER (WHERE signature_status = 'invalid')::int AS invalid,
       count(*) FILTER (WHERE signature_status = 'untrusted')::int AS untrusted, count(*) FILTER (WHERE signature_status = 'unsigned')::int AS unsigned
     FROM warehouse_documents WHERE fetch_state = 'stored'`,
  )
  const stored = rows[0]!
  const second = await run('second run')

  const checks = {
    allOwnersDone: first.owners === owners.length && first.failedOwners === 0,
    allDocumentsStored: stored.n === expectedDocs,
    secondRunTransfersNothing: second.filesTransferred === 0 && second.owners === owners.length,
  }
  const result = {
    bench: 'warehouse-mirror',
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, node: process.version },
    setup: {
      owners: owners.length,
      documents: expectedDocs,
      database: 'PostgreSQL (local, fresh database)',
      blobStore: 'disk, fsync on',
      ...env,
      DATABASE_URL: undefined,
      DVCQG_BASE_URL: 'sandbox on loopback (same process)',
    },
    first: { ...first, megabytes: Number((Number(stored.bytes) / 1048576).toFixed(1)) },
    second,
    signatures: { valid: stored.valid, invalid: stored.invalid, untrusted: stored.untrusted, unsigned: stored.unsigned },
    checks,
  }
  mkdirSync(RESULTS, { recursive: true })
  writeFileSync(new URL('warehouse-mirror.json', RESULTS), JSON.stringify(result, null, 2) + '\n')
  writeFileSync(
    new URL('warehouse-mirror.md', RESULTS),
    [
      '# Warehouse mirror bench',
      '',
      `${result.at}, ${result.machine.cpus} CPUs (shared), Node ${result.machine.node}. Sandbox, hub (all role) and PostgreSQL on one machine, loopback.`,
      '',
      `| run | owners | documents | files transferred | duration (s) | documents/s | peak RSS (MiB) |`,
      `|---|---|---|---|---|---|---|`,
      `| first | ${first.owners} | ${first.documents} | ${first.filesTransferred} | ${first.seconds} | ${first.documentsPerSecond} | ${first.peakRssMiB} |`,
      `| second | ${second.owners} | ${second.documents} | ${second.filesTransferred} | ${second.seconds} | ${second.documentsPerSecond} | ${second.peakRssMiB} |`,
      '',
      `Stored: ${stored.n} files, ${result.first.megabytes} MiB. Signatures: ${stored.valid} valid, ${stored.invalid} invalid (tampered or expired signer), ${stored.untrusted} untrusted, ${stored.unsigned} unsigned.`,
      `Settings: mirror concurrency ${env.WAREHOUSE_MIRROR_CONCURRENCY} owners, ${env.WAREHOUSE_DOWNLOAD_CONCURRENCY} downloads in flight, rate limit ${env.WAREHOUSE_RATE_PER_SEC} calls/s.`,
      `Peak RSS is the whole process (sandbox signing PDFs included), sampled every 100 ms.`,
      '',
      `Checks: ${Object.entries(checks)
        .map(([k, v]) => `${k} ${v ? 'PASS' : 'FAIL'}`)
        .join(', ')}.`,
      '',
    ].join('\n'),
  )
  console.log(JSON.stringify(result, null, 2))
  await hub.close()
  await sandbox.app.close()
  await db.drop()
  clearInterval(sampler)
  if (!Object.values(checks).every(Boolean)) {
    console.error('bench checks failed', checks)
    process.exit(1)
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
