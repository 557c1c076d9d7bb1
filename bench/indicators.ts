/**
 * Issue 14, acceptance 3: indicator queries over the per-dossier facts, and the intake cost
 * of keeping those facts.
 *
 * 1. On PostgreSQL (a database of its own, created and dropped here), 1,000,000 dossiers and
 *    8,000,000 events over two years (2025–2026) are generated with generate_series straight
 *    into dossiers, dossier_events and dossier_facts (120 agencies: 20 departments of province
 *    H56 with 5 units each), and the monthly rollup folded once (as the worker's fold would).
 *    Then p95 of a province-year summary (2025, ≤ 200 ms) and of an agency-month summary (a
 *    department and its units, one month, ≤ 50 ms), through the service
 *    (IndicatorService.summary: every metric); the province-year ones also without the rollup
 *    (the facts scan, the baseline) and with rows waiting for a fold.
 * 2. Intake throughput with the facts maintained (INDICATOR_FACTS=on) and without (off), in
 *    the same run, interleaved (off, on, off, on …): API processes as in production, a load
 *    generator posting dossiers and status events (every event carries a status, so the fact
 *    statement does its work, queueing changed rows for the rollup fold included), events
 *    accepted per second. Goal: the drop is ≤ 10 %.
 *
 *   npm run bench:indicators        (BENCH_DOSSIERS=1000000 BENCH_INTAKE_SECONDS=20 BENCH_ROUNDS=3)
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTestDatabase } from '../test/helpers/pg.js'
import { freePort, spawnHub, type HubProcess } from '../test/helpers/proc.js'
import { CLIENTS_JSON, REDIS_URL, uniqueId } from '../test/helpers/config.js'
import { dossierBody, dossierCode } from '../test/helpers/dossiers.js'
import { createPgDb } from '../src/store/pg.js'
import { migrate } from '../src/store/migrate.js'
import { IndicatorService } from '../src/services/indicators/index.js'
import { IndicatorRollup } from '../src/services/indicators/rollup/index.js'
import { indicatorContext } from '../test/helpers/indicators.js'
import { machine, percentile, writeResults, intakeAgent, postAsProvince } from './lib.js'

const DOSSIERS = Number(process.env['BENCH_DOSSIERS'] ?? 1_000_000)
const EVENTS_PER_DOSSIER = 8
const RUNS = Number(process.env['BENCH_QUERY_RUNS'] ?? 40)
const INTAKE_SECONDS = Number(process.env['BENCH_INTAKE_SECONDS'] ?? 20)
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3)
const CLIENTS = Number(process.env['BENCH_CLIENTS'] ?? 32)
/** Facts rows queued for the fold in the last query measured (about a fold interval's changes at a busy intake). */
const PENDING = Number(process.env['BENCH_PENDING'] ?? 2000)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// ---------------------------------------------------------------- 1. queries

async function queries() {
  const database = await createTestDatabase()
  const db = createPgDb({ url: database.url, poolSize: 8 } as Parameters<typeof createPgDb>[0])
  try {
    await migrate(db)
    const t0 = Date.now()
    console.log(`generating ${DOSSIERS} dossiers and ${DOSSIERS * EVENTS_PER_DOSSIER} events …`)
    // Bulk load: the event indexes and the foreign key are rebuilt after the load (faster than per row).
    await db.query(`ALTER TABLE dossier_events DROP CONSTRAINT IF EXISTS dossier_events_dossier_code_fkey`)
    await db.query(`DROP INDEX IF EXISTS dossier_events_client_event_id_idx`)
    await db.query(`ALTER TABLE dossier_events DROP CONSTRAINT dossier_events_pkey`)
    await db.query(`SET maintenance_work_mem = '256MB'`)
    await db.query(`SELECT setseed(0.14)`)
    // One row per dossier with its generated properties; the three tables are filled from it.
    await db.query(
      `CREATE UNLOGGED TABLE gen AS
       SELECT i, 'B' || i AS code,
         format('000.%s.%s.H56', lpad(((i / 20) % 6)::text, 2, '0'), lpad((1 + i % 20)::text, 2, '0')) AS agency,
         format('H56.%s.%s.000', lpad((1 + i % 20)::text, 2, '0'), lpad(((i / 20) % 6)::text, 2, '0')) AS path,
         '1.00' || (1000 + i % 300) AS procedure,
         rec, rec + make_interval(days => 3 + (i % 12)) AS due,
         CASE WHEN r1 < 0.9 THEN rec + make_interval(days => (r2 * 16)::int, hours => (r3 * 20)::int) END AS fin,
         r1, r2, r3, r4
       FROM (SELECT i, timestamptz '2025-01-01 00:00:00+07' + make_interval(secs => (i::float8 / $1) * 730 * 86400) AS rec,
               random() AS r1, random() AS r2, random() AS r3, random() AS r4
             FROM generate_series(0, $1::int - 1) i) x`,
      [DOSSIERS],
    )
    await db.query(
      `INSERT INTO dossiers (code, procedure_code, agency_code, snapshot, current_status, last_seq, delivered_seq, portal_known)
       SELECT code, procedure, agency, jsonb_build_object('dossierCode', code, 'receivedAt', rec, 'dueAt', due, 'channel', 'online'),
              'DA_XU_LY_XONG', ${EVENTS_PER_DOSSIER}, ${EVENTS_PER_DOSSIER}, r4 < 0.95
       FROM gen`,
    )
    await db.query(
      `INSERT INTO dossier_events (dossier_code, seq, event_id, client_id, kind, payload, state, attempts, accepted_at, delivered_at)
       SELECT code, s, code || '-' || s, 'bench', CASE WHEN s = 1 THEN 'upsert' ELSE 'event' END,
              CASE WHEN s = 1 THEN '{"dossier":{}}'::jsonb ELSE '{"status":"DANG_XU_LY"}'::jsonb END, 'delivered', 1,
              rec + make_interval(hours => s), rec + make_interval(hours => s, secs => 1)
       FROM gen, generate_series(1, ${EVENTS_PER_DOSSIER}) s`,
    )
    await db.query(
      `INSERT INTO dossier_facts (code, agency_code, agency_path, procedure_code, received_at, due_at, upsert_finished_at, event_finished_at,
         online, fee, paid_online, component, digitised, reused, national_wh, result_digitised, vneid, lookup, synced,
         pause_count, pause_seconds, pause_open_at)
       SELECT code, agency, path, procedure, rec, due, CASE WHEN r2 < 0.5 THEN fin END, CASE WHEN r2 >= 0.5 THEN fin END,
         r1 < 0.7, r3 < 0.6, r3 < 0.4, r4 < 0.9, r4 < 0.6, r2 < 0.35, r2 < 0.1, fin IS NOT NULL AND r3 < 0.8, r4 < 0.2, r1 < 0.3, r4 < 0.95,
         (i % 3), CASE WHEN i % 3 > 0 THEN 86400 * r3 ELSE 0 END, CASE WHEN fin IS NULL AND i % 7 = 0 THEN rec + interval '1 day' END
       FROM gen`,
    )
    await db.query(`ALTER TABLE dossier_events ADD PRIMARY KEY (dossier_code, seq)`)
    await db.query(`CREATE UNIQUE INDEX dossier_events_client_event_id_idx ON dossier_events (client_id, event_id)`)
    await db.query(`DROP TABLE gen`)
    // The rows were written straight into dossier_facts, past the intake statements that queue
    // changed rows: the first fold finds the rollup unbuilt, queues every facts row and folds them
    // (the same fold the worker processes run every INDICATOR_ROLLUP_FOLD_MS).
    const tf = Date.now()
    const fold = await new IndicatorRollup(indicatorContext(db, 15_000)).fold()
    const foldMs = Date.now() - tf
    console.log(`folded ${fold.rows} facts rows into the rollup in ${Math.round(foldMs / 1000)} s`)
    await db.query(`VACUUM ANALYZE indicator_rollup`)
    await db.query(`VACUUM ANALYZE indicator_rolled`)
    // The fold emptied the queue it filled with every row: reclaim it (autovacuum would, in production).
    await db.query(`VACUUM ANALYZE indicator_dirty`)
    await db.query(`VACUUM ANALYZE dossiers`)
    await db.query(`VACUUM ANALYZE dossier_events`)
    await db.query(`VACUUM ANALYZE dossier_facts`)
    // The load leaves gigabytes of dirty pages: write them now, or the checkpointer and autovacuum
    // compete with the first queries measured (the first one measured was ~1.7× slower for that alone).
    await db.query(`CHECKPOINT`)
    const loadMs = Date.now() - t0 - foldMs
    const counts = (
      await db.query<{ d: number; e: number; f: number }>(
        `SELECT (SELECT count(*) FROM dossiers)::int AS d, (SELECT count(*) FROM dossier_events)::int AS e, (SELECT count(*) FROM dossier_facts)::int AS f`,
      )
    ).rows[0]!
    console.log(`loaded in ${Math.round(loadMs / 1000)} s: ${JSON.stringify(counts)}`)

    // The hub's service (rollup on) and the same without the rollup (every summary scans the facts): the baseline.
    const ctx = (foldMs: number) => indicatorContext(db, foldMs)
    const rolled = new IndicatorService(ctx(15_000))
    const scanned = new IndicatorService(ctx(0))
    const measure = async (label: string, q: Parameters<IndicatorService['summary']>[0], service = rolled) => {
      const ms: number[] = []
      let report
      for (let i = 0; i < RUNS + 3; i++) {
        const s = performance.now()
        report = await service.summary(q)
        if (i >= 3) ms.push(performance.now() - s)
      }
      const r = {
        query: q,
        runs: RUNS,
        p50: Math.round(percentile(ms, 50) * 10) / 10,
        p95: Math.round(percentile(ms, 95) * 10) / 10,
        received: report!.metrics[0]!.denominator,
      }
      console.log(`${label}: ${JSON.stringify(r)}`)
      return r
    }
    const Q = {
      provinceYear: { from: '2025-01-01', to: '2026-01-01', agency: '000.00.00.H56' },
      wholeYear: { from: '2025-01-01', to: '2026-01-01' },
      agencyMonth: { from: '2025-06-01', to: '2025-07-01', agency: '000.00.07.H56' },
      unitMonth: { from: '2025-06-01', to: '2025-07-01', agency: '000.03.07.H56' },
    }
    // Both paths answer the same (the rollup's integration test proves it; checked here on the bench's data too).
    for (const q of Object.values(Q)) {
      if (JSON.stringify(await rolled.summary(q)) !== JSON.stringify(await scanned.summary(q)))
        throw new Error(`rollup and scan differ for ${JSON.stringify(q)}`)
    }
    const provinceYear = await measure('province-year', Q.provinceYear)
    const wholeYear = await measure('province-year (no agency)', Q.wholeYear)
    const agencyMonth = await measure('agency-month', Q.agencyMonth)
    const unitMonth = await measure('unit-month', Q.unitMonth)
    const baseline = {
      provinceYear: await measure('scan: province-year', Q.provinceYear, scanned),
      wholeYear: await measure('scan: province-year (no agency)', Q.wholeYear, scanned),
    }
    // Rows changed since the last fold: the summary corrects the rollup by each of them.
    await db.query(`INSERT INTO indicator_dirty (code) SELECT code FROM dossier_facts WHERE received_at >= '2025-06-01' ORDER BY received_at LIMIT $1`, [
      PENDING,
    ])
    const pending = await measure(`province-year, ${PENDING} rows waiting for a fold`, Q.provinceYear)
    if (JSON.stringify(await rolled.summary(Q.provinceYear)) !== JSON.stringify(await scanned.summary(Q.provinceYear)))
      throw new Error('rollup and scan differ')
    const t1 = Date.now()
    await rolled.rollup.fold()
    const pendingFoldMs = Date.now() - t1
    return {
      counts,
      loadMs,
      fold: { ...fold, ms: foldMs, pendingRows: PENDING, pendingMs: pendingFoldMs },
      provinceYear,
      wholeYear,
      agencyMonth,
      unitMonth,
      baseline,
      pending,
    }
  } finally {
    await db.close()
    await database.drop()
  }
}

// ---------------------------------------------------------------- 2. intake with and without facts

const post = postAsProvince
const STATUSES = [
  'DANG_XU_LY',
  'YEU_CAU_BO_SUNG',
  'DA_BO_SUNG',
  'CHUYEN_XU_LY',
  'YEU_CAU_BO_SUNG',
  'DA_BO_SUNG',
  'CHO_PHE_DUYET',
  'DA_XU_LY_XONG',
  'DA_TRA_KET_QUA',
]

async function intake(facts: 'on' | 'off'): Promise<{ facts: string; accepted: number; failed: number; perSec: number }> {
  const database = await createTestDatabase()
  const [apiPort, sbPort] = [await freePort(), await freePort()]
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL,
    QUEUE_PREFIX: `benchind${uniqueId()}`,
    PORT: String(apiPort),
    SANDBOX_PORT: String(sbPort),
    DVCQG_BASE_URL: `http://127.0.0.1:${sbPort}/dvcqg`,
    CONNECTORS_ENABLED: 'dvcqg',
    CLIENTS_JSON,
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: '20',
    // Not production: that needs an audit signing key file; outside it one is generated into DATA_DIR.
    NODE_ENV: 'development',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-indicators-')),
    AUDIT_HASH_KEY: `bench-${uniqueId()}-audit-key`,
    RATE_LIMIT_PER_MINUTE: '10000000',
    RATE_LIMIT_IP_PER_MINUTE: '10000000',
    INDICATOR_FACTS: facts,
  }
  const procs: HubProcess[] = []
  try {
    procs.push(spawnHub('sandbox', env))
    procs.push(spawnHub('migrate', env))
    await procs[1]!.exited
    procs.push(spawnHub('api', env))
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`http://127.0.0.1:${apiPort}/health/ready`)).status === 200) break
      } catch {
        /* starting */
      }
      if (procs[2]!.child.exitCode !== null) throw new Error(`api exited:\n${procs[2]!.output().slice(-2000)}`)
      if (i > 600) throw new Error('hub did not become ready')
      await sleep(100)
    }
    let accepted = 0
    let failed = 0
    let next = 0
    let stop = false
    const t0 = Date.now()
    const clients = Array.from({ length: CLIENTS }, async () => {
      while (!stop) {
        const i = next++
        const code = dossierCode(i)
        if ((await post(apiPort, '/v1/dossiers', dossierBody(i, `i-${i}-0`))) === 202) accepted++
        else failed++
        for (let k = 0; k < STATUSES.length && !stop; k++) {
          const s = await post(apiPort, `/v1/dossiers/${code}/events`, {
            eventId: `i-${i}-${k + 1}`,
            occurredAt: `2026-11-2${1 + (k % 8)}T09:00:00+07:00`,
            status: STATUSES[k],
          })
          if (s === 202) accepted++
          else failed++
        }
      }
    })
    await sleep(INTAKE_SECONDS * 1000)
    stop = true
    await Promise.all(clients)
    const perSec = Math.round((accepted * 1000) / (Date.now() - t0))
    console.log(`intake facts=${facts}: ${perSec} events/s (${accepted} accepted, ${failed} failed)`)
    return { facts, accepted, failed, perSec }
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGTERM')
    await Promise.all(procs.map((p) => p.exited))
    await database.drop()
  }
}

async function main() {
  const q = await queries()
  const runs: Awaited<ReturnType<typeof intake>>[] = []
  for (let r = 0; r < ROUNDS; r++) for (const f of ['off', 'on'] as const) runs.push(await intake(f))
  const mean = (f: string) => {
    const xs = runs.filter((r) => r.facts === f).map((r) => r.perSec)
    return xs.reduce((a, b) => a + b, 0) / xs.length
  }
  const off = mean('off')
  const on = mean('on')
  const dropPct = Math.round(((off - on) / off) * 1000) / 10
  const goals = { provinceYearP95Ms: 200, agencyMonthP95Ms: 50, intakeDropPct: 10 }
  const met = {
    provinceYear: q.provinceYear.p95 <= goals.provinceYearP95Ms,
    agencyMonth: q.agencyMonth.p95 <= goals.agencyMonthP95Ms,
    intake: dropPct <= goals.intakeDropPct,
  }
  const json = {
    machine: machine(),
    dataset: q.counts,
    loadMs: q.loadMs,
    queries: q,
    intake: { runs, meanOff: Math.round(off), meanOn: Math.round(on), dropPct },
    goals,
    met,
  }
  const md = `# Indicators benchmark (issue 14, acceptance 3)

${JSON.stringify(machine())}

Dataset: ${q.counts.d} dossiers, ${q.counts.e} events, ${q.counts.f} fact rows (generated in ${Math.round(q.loadMs / 1000)} s, PostgreSQL).

After the load, one fold (the worker's, docs/indicators.md "Rollup") built the monthly rollup from all ${q.fold.rows} facts rows in ${Math.round(q.fold.ms / 1000)} s (not in the load time).
Summaries over two or more whole months read the rollup (plus the rows waiting for a fold) and count OVERDUE_OPEN live;
shorter periods scan the facts as before. The baseline is the same service without the rollup (INDICATOR_ROLLUP_FOLD_MS=0), same run, same data; both answered the same.

| query (IndicatorService.summary, every metric) | dossiers received | p50 ms | p95 ms | goal p95 |
| --- | --- | --- | --- | --- |
| province-year (2025, agency 000.00.00.H56) | ${q.provinceYear.received} | ${q.provinceYear.p50} | ${q.provinceYear.p95} | ≤ 200 ms ${met.provinceYear ? 'met' : 'NOT met'} |
| province-year (2025, no agency) | ${q.wholeYear.received} | ${q.wholeYear.p50} | ${q.wholeYear.p95} | |
| agency-month (2025-06, department 000.00.07.H56 and its units; facts scan) | ${q.agencyMonth.received} | ${q.agencyMonth.p50} | ${q.agencyMonth.p95} | ≤ 50 ms ${met.agencyMonth ? 'met' : 'NOT met'} |
| unit-month (2025-06, 000.03.07.H56; facts scan) | ${q.unitMonth.received} | ${q.unitMonth.p50} | ${q.unitMonth.p95} | |
| province-year, ${q.fold.pendingRows} rows waiting for a fold | ${q.pending.received} | ${q.pending.p50} | ${q.pending.p95} | |
| baseline, no rollup: province-year (agency 000.00.00.H56) | ${q.baseline.provinceYear.received} | ${q.baseline.provinceYear.p50} | ${q.baseline.provinceYear.p95} | |
| baseline, no rollup: province-year (no agency) | ${q.baseline.wholeYear.received} | ${q.baseline.wholeYear.p50} | ${q.baseline.wholeYear.p95} | |

Folding those ${q.fold.pendingRows} queued rows took ${q.fold.pendingMs} ms.

Intake (API process, ${CLIENTS} clients, ${INTAKE_SECONDS} s per run, interleaved off/on, each event with a status):

| facts | runs (events/s) | mean |
| --- | --- | --- |
| off | ${runs
    .filter((r) => r.facts === 'off')
    .map((r) => r.perSec)
    .join(', ')} | ${Math.round(off)} |
| on | ${runs
    .filter((r) => r.facts === 'on')
    .map((r) => r.perSec)
    .join(', ')} | ${Math.round(on)} |

Drop with the facts maintained: **${dropPct} %** (goal ≤ 10 %: ${met.intake ? 'met' : 'NOT met'}). Timings on a shared machine are noisy; the off/on runs are interleaved so that load affects both.
`
  writeResults('indicators', json, md)
  intakeAgent.destroy()
}

await main()
process.exit(0)
