import { mkdtempSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../helpers/pg.js'
import { freePort, spawnHub, startPrivateRedis, type HubProcess } from '../helpers/proc.js'
import { CLIENTS_JSON, KEYS, uniqueId } from '../helpers/config.js'
import { CHAOS_TIMINGS, CHAOS_EVENTS, CHAOS_FAULTS, chaosRequest, checkPortal } from '../helpers/chaos.js'
import { startSandbox, waitFor, type TestSandbox } from '../helpers/hub.js'
import { trustAnchorsFile } from '../helpers/warehouse.js'
import { writeMultiprocReport } from '../helpers/multiproc-report.js'

/**
 * Issue 13, acceptance 1: the chaos load (1,000 dossiers × 10 events, DVCQG answering 20%
 * 503, 5% hangs, 5% 429) through two API processes into three worker processes, on one
 * Redis and one PostgreSQL. Mid-run one worker and one API process are SIGKILLed and
 * restarted; a client whose request fails on one API sends it again to the other (same
 * eventId: idempotent). Then, on the same processes, a catalog sync requested from both
 * APIs at once and a warehouse backfill run once across the workers: the sandbox's record
 * of calls is compared with the hub's own count of attempts, item by item.
 */
const DOSSIERS = Number(process.env['MULTIPROC_CHAOS_DOSSIERS'] ?? 1000)
const EVENTS = CHAOS_EVENTS
const CLIENTS = 48
const CATALOG_SIZE = 150
const MIRROR_OWNERS = 40
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined)
})

/** Sums one counter of a Prometheus text page, over the series whose labels contain `label`. */
const counter = (page: string, name: string, label: string) =>
  page
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(label))
    .reduce((a, l) => a + Number(l.split(' ').at(-1)), 0)

/** Calls of one sandbox operation, per key taken from the request body. */
function callsBy(sandbox: TestSandbox, operation: string, key: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const r of sandbox.kit.recorder.query({ sim: 'dvcqg', operation })) {
    const k = String((r.body as Record<string, unknown>)[key])
    out.set(k, (out.get(k) ?? 0) + 1)
  }
  return out
}

/**
 * The catalog's list phases in the order the sandbox received them: A (agencies), F (fields), L (procedure
 * list), called one after another by one coordinator; a phase cut by a failure stops early and is run again.
 */
function listPhases(sandbox: TestSandbox): string {
  const ops = ['LayDanhMucCoQuan', 'LayDanhMucLinhVuc', 'LayDanhSachTTHC']
  return sandbox.kit.recorder
    .query({ sim: 'dvcqg' })
    .filter((r) => ops.includes(r.operation))
    .map((r) => 'AFL'[ops.indexOf(r.operation)])
    .join('')
}

/**
 * Downloads of a file repeated within one run of its owner (no listing of the owner between them): the
 * mark of two jobs mirroring one owner at once. A file downloaded again in a later run is a retried run.
 */
function redownloadsInOneRun(sandbox: TestSandbox, ownerOf: Map<string, string>): string[] {
  const runs = new Map<string, number>()
  const lastRun = new Map<string, number>()
  const out: string[] = []
  for (const r of sandbox.kit.recorder.query({ sim: 'dvcqg' })) {
    const body = r.body as Record<string, unknown>
    if (r.operation === 'GetKetQuaGiayTo') runs.set(String(body['SoDinhDanhChuSoHuu']), (runs.get(String(body['SoDinhDanhChuSoHuu'])) ?? 0) + 1)
    if (r.operation !== 'GetGiayToByUrl') continue
    const path = String(body['DuongDan'])
    const run = runs.get(ownerOf.get(path) ?? '') ?? 0
    if (lastRun.get(path) === run) out.push(path)
    lastRun.set(path, run)
  }
  return out
}

describe('multi-process chaos: 2 API and 3 worker processes, one of each killed and restarted', () => {
  it(`delivers ${DOSSIERS} × ${EVENTS} events in order with nothing lost; catalog sync and mirror run once across workers`, async () => {
    const t0 = Date.now()
    const redis = await startPrivateRedis()
    cleanups.push(redis.stop)
    const db = await createTestDatabase()
    cleanups.push(db.drop)
    const sandbox = await startSandbox(7)
    cleanups.push(sandbox.close)
    sandbox.sims.catalog.reset({ size: CATALOG_SIZE })
    const sql = new pg.Pool({ connectionString: db.url, max: 2 })
    cleanups.push(() => sql.end())
    const one = async <T>(text: string, params: unknown[] = []) => (await sql.query(text, params)).rows[0] as T

    const common: Record<string, string> = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      // One hub: every process of it shares the queue prefix.
      QUEUE_PREFIX: `mp${uniqueId()}`,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'lgsp-mp-')),
      CLIENTS_JSON,
      CONNECTORS_ENABLED: 'dvcqg',
      DVCQG_BASE_URL: `${sandbox.url}/dvcqg`,
      WAREHOUSE_TRUST_ANCHORS_FILE: trustAnchorsFile(sandbox),
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      UPSTREAM_TIMEOUT_MS: '1000',
      ...CHAOS_TIMINGS,
      WORKER_CONCURRENCY: '32',
      RATE_LIMIT_PER_MINUTE: '10000000',
      RATE_LIMIT_IP_PER_MINUTE: '10000000',
      AUDIT_CHECKPOINT_INTERVAL_MS: '0',
      CATALOG_SYNC_CRON: '',
      CATALOG_RATE_PER_SEC: '200',
      CATALOG_POLL_MS: '200',
      CATALOG_LOCK_MS: '5000',
      WAREHOUSE_RATE_PER_SEC: '0',
    }
    type Proc = { role: 'api' | 'worker'; port: number; p: HubProcess }
    const procs: Proc[] = []
    cleanups.push(async () => procs.forEach(({ p }) => p.child.exitCode === null && p.child.signalCode === null && p.child.kill('SIGKILL')))
    const start = async (role: 'api' | 'worker', port: number): Promise<Proc> => {
      const p = spawnHub(role, { ...common, ...(role === 'api' ? { PORT: String(port) } : { WORKER_HEALTH_PORT: String(port) }) })
      const proc = { role, port, p }
      procs.push(proc)
      // Ready: database and Redis answer (and, for a worker, every queue worker runs).
      await waitFor(
        async () => {
          if (p.child.exitCode !== null) throw new Error(`${role} exited:\n${p.output().slice(-2000)}`)
          return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200
        },
        120_000,
        200,
      )
      return proc
    }
    const kill = async (proc: Proc) => {
      proc.p.child.kill('SIGKILL')
      await proc.p.exited
    }
    const ports = await Promise.all(Array.from({ length: 5 }, () => freePort()))
    // All five start together on an empty database: one applies the migrations, the others wait on its lock.
    const [a, b, ...workers] = await Promise.all(ports.map((port, i) => start(i < 2 ? 'api' : 'worker', port)))
    const apiA = a!
    let apiB = b!
    const apis = [apiA, apiB].map((a) => `http://127.0.0.1:${a.port}`)
    const bootMs = Date.now() - t0

    await fetch(`${sandbox.url}/_sandbox/faults/dvcqg/*`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(CHAOS_FAULTS),
    })

    // ---------------------------------------------------------------- the load
    const total = DOSSIERS * EVENTS
    const c = { accepted: 0, perApi: [0, 0], connectionRetries: 0, statusRetries: 0 }
    const downUntil = [0, 0]
    // The last fifth of the load waits for the restarted processes, so the restarted API surely takes part.
    let restarted!: () => void
    const restartDone = new Promise<void>((r) => (restarted = r))
    /** Sends one request to API `first` (the other one when `first` is known down); on a refused or cut connection, to the other. */
    const send = async (first: number, path: string, body: unknown) => {
      if (c.accepted >= total * 0.8) await restartDone
      let target = downUntil[first]! > Date.now() ? 1 - first : first
      for (let attempt = 1; ; attempt++) {
        let res: Response
        try {
          res = await fetch(apis[target] + path, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-api-key': KEYS.province },
            body: JSON.stringify(body),
          })
        } catch (e) {
          if (attempt > 1000) throw e
          c.connectionRetries++
          downUntil[target] = Date.now() + 500
          target = 1 - target
          if (downUntil[target]! > Date.now()) await sleep(100)
          continue
        }
        if (res.status === 202) {
          await res.arrayBuffer()
          c.accepted++
          c.perApi[target]!++
          return
        }
        const text = await res.text()
        // A process shutting down or pushing back (503, 429): the other one takes the request.
        if ((res.status === 503 || res.status === 429) && attempt <= 1000) {
          c.statusRetries++
          target = 1 - target
          await sleep(50)
          continue
        }
        throw new Error(`intake answered ${res.status}: ${text}`)
      }
    }
    let next = 0
    const client = async () => {
      // Each dossier's requests alternate between the two APIs: its sequence spans processes.
      for (let i = next++; i < DOSSIERS; i = next++) for (let k = 0; k < EVENTS; k++) await send((i + k) % 2, chaosRequest(i, k).path, chaosRequest(i, k).body)
    }
    const started = Date.now()
    const load = Promise.all(Array.from({ length: CLIENTS }, client))

    // One worker and one API process die mid-run (SIGKILL) and come back.
    await waitFor(() => c.accepted >= total * 0.3, 300_000, 50)
    const killedAt = c.accepted
    await Promise.all([kill(workers[0]!), kill(apiB)])
    const retriesBeforeRestart = c.connectionRetries
    await sleep(1000)
    ;[workers[0], apiB] = await Promise.all([start('worker', workers[0]!.port), start('api', apiB.port)])
    const restartedAt = c.accepted
    restarted()
    const apiBBeforeRestart = c.perApi[1]!
    await load
    const intakeMs = Date.now() - started

    await waitFor(
      async () => (await one<{ n: string }>(`SELECT count(*) AS n FROM dossier_events WHERE state = 'delivered'`)).n === String(total),
      600_000,
      1000,
    )
    const deliveredMs = Date.now() - started
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' })
    const stored = await one<{ n: string; dossiers: string }>(`SELECT count(*) AS n, count(DISTINCT dossier_code) AS dossiers FROM dossier_events`)
    const { duplicates, missing, problems, dossiersByCreates } = checkPortal(sandbox, DOSSIERS)
    const portal = { ...sandbox.sims.dvcqg.stats }
    const injected = Object.fromEntries(Object.entries(sandbox.kit.recorder.counts()).filter(([k]) => k.includes('#')))
    // Calls the hub gave up on: the injected hangs, plus answers later than the deadline on a loaded machine
    // (the portal did apply those: their retry is a duplicate, or a repeated create turned into an update).
    const timeouts = Number((await one<{ n: string }>(`SELECT count(*) AS n FROM delivery_attempts WHERE error_kind = 'timeout'`)).n)
    const hangs = Object.entries(injected).reduce((a, [k, n]) => (k.endsWith('#hang') ? a + n : a), 0)

    // ---------------------------------------------------------------- catalog sync and mirror, once across workers
    const t2 = Date.now()
    const ADMIN = { 'x-api-key': KEYS.operator, 'content-type': 'application/json' }
    const requested = await Promise.all(
      apis.map(async (url) => {
        const res = await fetch(`${url}/admin/catalog/sync`, { method: 'POST', headers: { 'x-api-key': KEYS.operator } })
        expect(res.status).toBe(202)
        return (await res.json()) as { runId: number; alreadyRunning: boolean }
      }),
    )
    const w = sandbox.sims.warehouse
    const owners = w.owners().slice(0, MIRROR_OWNERS)
    const files = owners.flatMap((o) => w.documentsOf(o))
    const bf = await fetch(`${apis[1]}/admin/warehouse/backfill`, { method: 'POST', headers: ADMIN, body: JSON.stringify({ ownerIds: owners }) })
    expect(bf.status).toBe(202)
    const { backfillId } = (await bf.json()) as { backfillId: string }
    const run = await waitFor(
      async () => {
        const r = await one<{ state: string; counts: Record<string, number> }>(`SELECT state, counts FROM catalog_runs WHERE id = $1`, [requested[0]!.runId])
        if (r.state === 'failed') throw new Error(`catalog run failed: ${JSON.stringify(r)}`)
        return r.state === 'completed' ? r : undefined
      },
      180_000,
      200,
    )
    const backfill = await waitFor(
      async () => {
        const p = (await (await fetch(`${apis[0]}/admin/warehouse/backfill/${backfillId}`, { headers: ADMIN })).json()) as { done: number; failed: number }
        return p.done + p.failed === owners.length ? p : undefined
      },
      180_000,
      200,
    )
    const onceMs = Date.now() - t2

    const listed = sandbox.sims.catalog.catalog.list().map((r) => r.MATTHC)
    const fetchCalls = callsBy(sandbox, 'LayThuTuc', 'maTTHC')
    const items = (
      await sql.query<{ procedure_code: string; state: string; attempts: number }>(`SELECT procedure_code, state, attempts FROM catalog_run_items`)
    ).rows
    // Every call the sandbox received is an attempt the hub counted. The converse need not hold: on a loaded
    // machine the hub may give up on a call (its deadline) before the sandbox has read it.
    const uncountedCalls = items.filter((i) => (fetchCalls.get(i.procedure_code) ?? 0) > i.attempts).map((i) => i.procedure_code)
    const attemptsNotSeen = items.reduce((a, i) => a + i.attempts - (fetchCalls.get(i.procedure_code) ?? 0), 0)
    const versions = await one<{ n: string; codes: string }>(`SELECT count(*) AS n, count(DISTINCT procedure_code) AS codes FROM catalog_procedure_versions`)
    const phases = listPhases(sandbox)
    const listCalls = sandbox.kit.recorder.query({ sim: 'dvcqg', operation: 'LayDanhSachTTHC' }).length
    const listOwnerCalls = callsBy(sandbox, 'GetKetQuaGiayTo', 'SoDinhDanhChuSoHuu')
    const downloads = callsBy(sandbox, 'GetGiayToByUrl', 'DuongDan')
    const sameRun = redownloadsInOneRun(sandbox, new Map(owners.flatMap((o) => w.documentsOf(o).map((d) => [d.path, o] as const))))
    const ownerRows = (await sql.query<{ owner_id: string; attempts: number }>(`SELECT owner_id, attempts FROM warehouse_mirror_owners`)).rows
    const docRows = (
      await sql.query<{ national_file_path: string; fetch_attempts: number }>(`SELECT national_file_path, fetch_attempts FROM warehouse_documents`)
    ).rows
    const pages = await Promise.all(workers.map(async (x) => (await fetch(`http://127.0.0.1:${x.port}/metrics`)).text()))
    const perWorker = {
      catalogFetches: pages.map((p) => counter(p, 'lgsp_hub_catalog_fetch_total', 'outcome="added"')),
      mirroredFiles: pages.map((p) => counter(p, 'lgsp_hub_warehouse_files_total', 'outcome="stored"')),
    }

    const report = {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, node: process.version },
      processes: { api: 2, worker: 3, killed: ['worker', 'api'], killedAtAccepted: killedAt, restartedAtAccepted: restartedAt },
      dossiers: DOSSIERS,
      events: total,
      bootMs,
      intakeMs,
      allDeliveredMs: deliveredMs,
      intake: {
        accepted: c.accepted,
        storedEvents: Number(stored.n),
        perApi: c.perApi,
        acceptedByRestartedApi: c.perApi[1]! - apiBBeforeRestart,
        retriedOnOtherApi: c.connectionRetries,
        retriedWhileApiDown: c.connectionRetries - retriesBeforeRestart,
        retriedAfter503or429: c.statusRetries,
      },
      lostPortalEntries: missing,
      orderViolations: problems.length,
      duplicateDeliveries: duplicates,
      duplicateCreatesTurnedIntoUpdates: portal.duplicateCreates,
      hubTimeouts: { total: timeouts, injectedHangs: hangs, answeredLate: timeouts - hangs },
      dossiersByCreateCount: dossiersByCreates,
      portal,
      injected,
      once: {
        durationMs: onceMs,
        catalog: {
          procedures: CATALOG_SIZE,
          requests: requested,
          runs: Number((await one<{ n: string }>(`SELECT count(*) AS n FROM catalog_runs`)).n),
          counts: run.counts,
          listCalls,
          listPhases: phases,
          fetchCalls: [...fetchCalls.values()].reduce((a, n) => a + n, 0),
          codesFetchedMoreThanOnce: [...fetchCalls.values()].filter((n) => n > 1).length,
          callsNotCountedByHub: uncountedCalls.length,
          attemptsNotSeenBySandbox: attemptsNotSeen,
          fetchesPerWorker: perWorker.catalogFetches,
        },
        mirror: {
          owners: owners.length,
          files: files.length,
          backfill,
          listCalls: [...listOwnerCalls.values()].reduce((a, n) => a + n, 0),
          downloads: [...downloads.values()].reduce((a, n) => a + n, 0),
          filesDownloadedMoreThanOnce: [...downloads.values()].filter((n) => n > 1).length,
          filesDownloadedTwiceInOneRun: sameRun.length,
          storedRows: docRows.length,
          storedPerWorker: perWorker.mirroredFiles,
        },
      },
      totalMs: Date.now() - t0,
    }
    console.log(JSON.stringify(report, null, 1))
    writeMultiprocReport(report)

    // Nothing lost, nothing reordered, nothing stored twice though clients resent requests.
    expect(problems.slice(0, 5)).toEqual([])
    expect(missing).toBe(0)
    expect(c.accepted).toBe(total)
    expect({ events: Number(stored.n), dossiers: Number(stored.dossiers) }).toEqual({ events: total, dossiers: DOSSIERS })
    expect(c.connectionRetries).toBeGreaterThan(0) // the killed API's clients did go to the other one
    expect(c.perApi[1]! - apiBBeforeRestart).toBeGreaterThan(0) // and the restarted API took requests again
    // One create per dossier at the portal (a repeated create arrives as an update: counted, not created).
    expect(dossiersByCreates).toEqual({ 1: DOSSIERS })
    expect(portal.creates).toBe(DOSSIERS)
    expect(Object.keys(injected).some((k) => k.includes('#hang'))).toBe(true)
    expect(Object.keys(injected).some((k) => k.includes('#429'))).toBe(true)

    // Catalog: asked from both APIs at once, one run; each procedure fetched no more often than the hub counted an attempt.
    expect(requested[1]!.runId).toBe(requested[0]!.runId)
    expect(requested.filter((r) => !r.alreadyRunning)).toHaveLength(1)
    expect(report.once.catalog.runs).toBe(1)
    expect(run.counts).toMatchObject({ listed: CATALOG_SIZE, fetched: CATALOG_SIZE, added: CATALOG_SIZE, failed: 0 })
    // One list phase at a time (phases never interleave), ending with the procedure list; a retried phase lists again.
    expect(phases).toMatch(/^(?:A(?:F(?:L)?)?)*AFL$/)
    expect([...fetchCalls.keys()].sort()).toEqual([...listed].sort())
    expect(items.every((i) => i.state === 'fetched')).toBe(true)
    expect(uncountedCalls).toEqual([])
    expect({ n: Number(versions.n), codes: Number(versions.codes) }).toEqual({ n: CATALOG_SIZE, codes: CATALOG_SIZE })
    expect(perWorker.catalogFetches.reduce((a, n) => a + n, 0)).toBe(CATALOG_SIZE)

    // Mirror: each owner listed once per run of it, each file stored once.
    expect(backfill).toMatchObject({ done: owners.length, failed: 0 })
    // Listed at least once, and never more often than the hub counted runs of the owner (a run the hub gave up
    // on before the sandbox read its listing counts a run with no call).
    expect(ownerRows.filter((o) => !((listOwnerCalls.get(o.owner_id) ?? 0) >= 1 && (listOwnerCalls.get(o.owner_id) ?? 0) <= o.attempts))).toEqual([])
    expect([...downloads.keys()].sort()).toEqual(files.map((f) => f.path).sort())
    expect(sameRun).toEqual([])
    expect(docRows.map((d) => d.national_file_path).sort()).toEqual(files.map((f) => f.path).sort())
    expect(docRows.every((d) => d.fetch_attempts === 1)).toBe(true)
    expect(perWorker.mirroredFiles.reduce((a, n) => a + n, 0)).toBe(files.length)
  }, 900_000)
})
