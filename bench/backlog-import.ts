/**
 * Bench (issue 17, acceptance 5): backlog digitisation. Generates BENCH_IMPORT_DOCS (2,000) small
 * PDFs signed with the sandbox PKI (1 in 100 left unsigned: blocked under import.*=require) with a
 * manifest and a declared inventory, imports them through the hub's import service (warehouse
 * intake, signature gate with the sandbox CA's CRL/OCSP over loopback, embedded PGlite, Redis
 * push queue; push workers not started), prints the per-agency report, then imports the same
 * folder again and checks that nothing is stored twice. Baseline, same run: reading and hashing
 * the same files (the I/O floor). Results: bench/results/backlog-import.{json,md}.
 *
 *   npm run bench:import            (BENCH_IMPORT_DOCS=2000 by default)
 */
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHub } from '../src/hub.js'
import { createLogger } from '../src/log.js'
import { createSandbox } from '../src/sandbox/index.js'
import { formatReport } from '../src/services/digitisation/import/cli.js'
import { testConfig } from '../test/helpers/config.js'
import { BACKLOG_AGENCIES, writeBacklog } from '../test/helpers/backlog.js'
import { machine, writeResults } from './lib.js'

const DOCS = Number(process.env['BENCH_IMPORT_DOCS'] ?? 2000)

async function main() {
  const sandbox = await createSandbox(42, createLogger('silent'), { warehouseOwners: 50 })
  await sandbox.app.listen({ host: '127.0.0.1', port: 0 })
  const sandboxUrl = `http://127.0.0.1:${(sandbox.app.server.address() as AddressInfo).port}`
  const w = sandbox.sims.warehouse
  const folder = mkdtempSync(join(tmpdir(), 'lgsp-backlog-'))
  const unsigned = new Set(Array.from({ length: Math.floor(DOCS / 100) }, (_, i) => i * 100 + 7).filter((i) => i < DOCS))
  let t = performance.now()
  const expected = writeBacklog(folder, w.pki, { count: DOCS, owners: w.owners(), unsigned, prefix: 'bl' })
  const generateSeconds = (performance.now() - t) / 1000
  console.log(`generated ${DOCS} PDFs in ${generateSeconds.toFixed(1)} s`)

  // Baseline: read and hash every file once (what any import must do at least).
  t = performance.now()
  let bytes = 0
  for (const f of readdirSync(join(folder, 'pdf'))) {
    const b = readFileSync(join(folder, 'pdf', f))
    bytes += b.length
    createHash('sha256').update(b).digest('hex')
  }
  const baselineSeconds = (performance.now() - t) / 1000

  const config = testConfig({ DVCQG_BASE_URL: `${sandboxUrl}/dvcqg`, UPSTREAM_TIMEOUT_MS: 10_000 })
  const anchors = `${config.DATA_DIR}/anchors.pem`
  writeFileSync(anchors, w.trustAnchorsPem())
  const hub = await createHub({ ...config, WAREHOUSE_TRUST_ANCHORS_FILE: anchors }, 'all', { logger: createLogger('warn') })
  const imports = hub.services.imports

  const run = async (label: string) => {
    const started = performance.now()
    const report = await imports.run(folder)
    const seconds = (performance.now() - started) / 1000
    console.log(`${label}: ${seconds.toFixed(1)} s\n${formatReport(report)}`)
    return { label, seconds: Number(seconds.toFixed(2)), documentsPerSecond: Number((DOCS / seconds).toFixed(1)), report }
  }
  const first = await run('first run')
  const count = async () => (await hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM warehouse_documents WHERE local_id LIKE 'bl-%'`)).rows[0]!.n
  const storedAfterFirst = await count()
  const second = await run('second run')
  const storedAfterSecond = await count()

  const agenciesMatch = BACKLOG_AGENCIES.every((a) => {
    const got = first.report.agencies.find((x) => x.agencyCode === a)
    const e = expected.agencies[a]!
    return got?.documents === e.documents && got.pages === e.pages && got.blocked === e.unsigned && got.declared?.pages === expected.inventory[a]!.pages
  })
  const checks = {
    allRowsImported: first.report.stored + first.report.blocked === DOCS && first.report.failed === 0,
    unsignedBlocked: first.report.blocked === unsigned.size,
    perAgencyReportMatchesManifest: agenciesMatch,
    secondRunStoresNothing:
      second.report.stored === 0 && second.report.blocked === 0 && second.report.already === DOCS && storedAfterSecond === storedAfterFirst,
  }
  const result = {
    bench: 'backlog-import',
    machine: machine(),
    setup: {
      documents: DOCS,
      unsigned: unsigned.size,
      megabytes: Number((bytes / 1048576).toFixed(2)),
      database: 'PGlite (embedded)',
      pushWorkers: 'not started (rows queued)',
    },
    generateSeconds: Number(generateSeconds.toFixed(2)),
    baseline: { label: 'read + sha256 of every file', seconds: Number(baselineSeconds.toFixed(3)) },
    first: {
      seconds: first.seconds,
      documentsPerSecond: first.documentsPerSecond,
      stored: first.report.stored,
      blocked: first.report.blocked,
      failed: first.report.failed,
    },
    second: {
      seconds: second.seconds,
      documentsPerSecond: second.documentsPerSecond,
      stored: second.report.stored,
      already: second.report.already,
      failed: second.report.failed,
    },
    storedRows: { afterFirst: storedAfterFirst, afterSecond: storedAfterSecond },
    agencies: first.report.agencies,
    checks,
  }
  const md = [
    '# Backlog import bench',
    '',
    `${result.machine.at}, ${result.machine.cpus} CPUs (shared with other work: a load-sensitive run), Node ${result.machine.node}, commit ${result.machine.commit}.`,
    `${DOCS} small signed PDFs (manifest: 1–4 pages of paper original each; ${result.setup.megabytes} MiB; ${unsigned.size} unsigned), manifest.csv + inventory.csv; hub services in-process, PGlite, signature gate with CRL/OCSP from the sandbox over loopback.`,
    '',
    '| run | duration (s) | documents/s | stored | blocked | already | refused |',
    '|---|---|---|---|---|---|---|',
    `| baseline (read + hash only) | ${result.baseline.seconds} | | | | | |`,
    `| first import | ${first.seconds} | ${first.documentsPerSecond} | ${first.report.stored} | ${first.report.blocked} | ${first.report.already} | ${first.report.failed} |`,
    `| second import (same folder) | ${second.seconds} | ${second.documentsPerSecond} | ${second.report.stored} | ${second.report.blocked} | ${second.report.already} | ${second.report.failed} |`,
    '',
    'Per agency after the first import (signed documents and pages against the declared inventory):',
    '',
    '| agency | documents | pages | blocked | declared documents | declared pages | documents % | pages % |',
    '|---|---|---|---|---|---|---|---|',
    ...first.report.agencies.map(
      (a) =>
        `| ${a.agencyCode} | ${a.documents} | ${a.pages} | ${a.blocked} | ${a.declared?.documents ?? ''} | ${a.declared?.pages ?? ''} | ${a.documentsPercent ?? ''} | ${a.pagesPercent ?? ''} |`,
    ),
    '',
    `Warehouse rows: ${storedAfterFirst} after the first import, ${storedAfterSecond} after the second.`,
    '',
    `Checks: ${Object.entries(checks)
      .map(([k, v]) => `${k} ${v ? 'PASS' : 'FAIL'}`)
      .join(', ')}.`,
  ].join('\n')
  writeResults('backlog-import', result, md)
  await hub.close()
  await sandbox.app.close()
  if (!Object.values(checks).every(Boolean)) process.exitCode = 1
}

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
