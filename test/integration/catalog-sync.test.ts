import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { dossierBody } from '../helpers/dossiers.js'
import { databaseInstanceTag } from '../../src/store/instance.js'
import type { ExpectedCatalogChange } from '../../src/sandbox/dvcqg/catalog/seed.js'

const PROVINCE = { 'x-api-key': KEYS.province }
const OPERATOR = { 'x-api-key': KEYS.operator }
const SIZE = 150

interface Run {
  id: number
  state: string
  counts: Record<string, number>
  progress: { phase?: string; total?: number; done?: number; failed?: number }
  error?: string
}
interface Change {
  cursor: string
  runId: number
  procedureCode: string
  kind: string
  changes: { path: string; kind: string; before?: unknown; after?: unknown }[]
}

async function get<T>(t: TestHub, path: string, headers: Record<string, string> = PROVINCE): Promise<{ status: number; body: T }> {
  const res = await fetch(t.url + path, { headers })
  return { status: res.status, body: (await res.json()) as T }
}

/** Starts a run over HTTP and waits for it to finish; returns the finished run. */
async function syncOnce(t: TestHub): Promise<Run> {
  const res = await fetch(`${t.url}/admin/catalog/sync`, { method: 'POST', headers: OPERATOR })
  expect(res.status).toBe(202)
  const { runId, alreadyRunning } = (await res.json()) as { runId: number; alreadyRunning: boolean }
  expect(alreadyRunning).toBe(false)
  const run = await waitFor(async () => {
    const runs = await get<{ items: Run[] }>(t, '/admin/catalog/runs', OPERATOR)
    const r = runs.body.items.find((x) => x.id === runId)
    return r && r.state !== 'running' && r.state !== 'pending' ? r : undefined
  }, 60_000)
  return run!
}

async function feed(t: TestHub, since: string): Promise<{ items: Change[]; nextCursor: string }> {
  const all: Change[] = []
  let cursor = since
  for (;;) {
    const page = await get<{ items: Change[]; nextCursor: string }>(t, `/v1/catalog/changes?since=${cursor}&limit=40`)
    expect(page.status).toBe(200)
    all.push(...page.body.items)
    if (page.body.items.length === 0) return { items: all, nextCursor: page.body.nextCursor }
    cursor = page.body.nextCursor
  }
}

describe('catalog sync (real Redis, PGlite, DVCQG sandbox over HTTP)', () => {
  let t: TestHub
  let cursorAfterFirst = '0'
  // a local variant code (N.NNNNNN.<agency>) that PROCEDURE_CODE_MAP_FILE maps to a national one
  const local = { code: '1.999001.000.00.06.H56', national: '' }

  beforeAll(async () => {
    const sandbox = await startSandbox()
    sandbox.sims.catalog.reset({ size: SIZE })
    local.national = sandbox.sims.catalog.catalog.list()[7]!.MATTHC
    const mapFile = join(mkdtempSync(join(tmpdir(), 'catalog-map-')), 'procedure-map.json')
    writeFileSync(mapFile, JSON.stringify({ [local.code]: local.national }))
    t = await startTestHub({
      sandbox,
      env: {
        PROCEDURE_CODE_MAP_FILE: mapFile,
        CATALOG_CONCURRENCY: 8,
        CATALOG_RATE_PER_SEC: 2000,
        CATALOG_POLL_MS: 100,
        CATALOG_RETRY_BASE_MS: 20,
        CATALOG_SYNC_CRON: '',
        // the sandbox is local: only a loaded test machine is slow, and a timeout would add a (counted) retry
        UPSTREAM_TIMEOUT_MS: 10_000,
      },
    })
  })
  afterAll(async () => {
    await t?.close()
    await t?.sandbox.close()
  })

  it('a full sync stores every procedure, agency and field, with counts and progress', async () => {
    // before any catalog is synced, dossier intake does not check codes
    const early = await fetch(`${t.url}/v1/dossiers`, {
      method: 'POST',
      headers: { ...PROVINCE, 'content-type': 'application/json' },
      body: JSON.stringify(dossierBody(500, 'cat-before-sync', { procedureCode: '9.999998' })),
    })
    expect(early.status).toBe(202)
    const run = await syncOnce(t)
    expect(run.state).toBe('completed')
    expect(run.counts).toMatchObject({ listed: SIZE, fetched: SIZE, added: SIZE, changed: 0, unchanged: 0, removed: 0, failed: 0 })
    expect(run.progress).toEqual({ phase: 'done', total: SIZE, done: SIZE, failed: 0 })
    // one LayThuTuc per procedure (plus any counted retry of a transient failure), and the three lists
    const calls = t.sandbox.kit.recorder.counts()
    expect(calls['dvcqg/LayThuTuc']).toBe(run.counts['upstreamCalls']! - 3)
    expect(calls['dvcqg/LayThuTuc']).toBeGreaterThanOrEqual(SIZE)
    expect(calls['dvcqg/LayThuTuc']).toBeLessThan(SIZE * 1.05)
    const list = await get<{ total: number; items: { code: string }[] }>(t, '/v1/catalog/procedures?limit=500')
    expect(list.body.total).toBe(SIZE)
    expect(list.body.items.map((i) => i.code)).toEqual(t.sandbox.sims.catalog.catalog.list().map((r) => r.MATTHC))
    const agencies = await get<{ items: { code: string }[] }>(t, '/v1/catalog/agencies')
    expect(agencies.body.items.length).toBe(t.sandbox.sims.catalog.catalog.agencies().length)
    const fields = await get<{ items: { code: string; sectorCode: string }[] }>(t, '/v1/catalog/fields')
    expect(fields.body.items.map((f) => f.code).sort()).toEqual(
      t.sandbox.sims.catalog.catalog
        .fields()
        .map((f) => f.MALINHVUC)
        .sort(),
    )
    cursorAfterFirst = (await feed(t, '0')).nextCursor
    // progress was reported on the coordinator job too (queue dashboard)
    const job = await t.hub.queues.queue('catalog-sync').getJob(`run-${await databaseInstanceTag(t.hub.db)}-${run.id}`)
    expect(job?.progress).toMatchObject({ phase: 'done', total: SIZE, done: SIZE })
  })

  it('one run at a time: a request during a run reports it; a scheduled job steps aside; the cron scheduler is registered', async () => {
    t.sandbox.kit.faults.set('dvcqg', 'LayThuTuc', { latencyMs: 20 })
    try {
      const post = async () =>
        (await fetch(`${t.url}/admin/catalog/sync`, { method: 'POST', headers: OPERATOR })).json() as Promise<{ runId: number; alreadyRunning: boolean }>
      const first = await post()
      const second = await post()
      expect(second).toEqual({ runId: first.runId, alreadyRunning: true })
      // a scheduled job arriving meanwhile finds the run's lease live and steps aside
      const scheduled = await t.hub.queues.queue('catalog-sync').add('run', { trigger: 'schedule' })
      await waitFor(async () => (await scheduled.getState()) === 'completed')
      expect((await t.hub.queues.queue('catalog-sync').getJob(scheduled.id!))?.returnvalue).toBe('not-active-or-locked')
      const running = await get<{ items: Run[] }>(t, '/admin/catalog/runs', OPERATOR)
      expect(running.body.items.filter((r) => r.state === 'running' || r.state === 'pending').map((r) => r.id)).toEqual([first.runId])
      await waitFor(
        async () => (await get<{ items: Run[] }>(t, '/admin/catalog/runs', OPERATOR)).body.items.find((r) => r.id === first.runId)?.state === 'completed',
        60_000,
      )
    } finally {
      t.sandbox.kit.faults.clear()
    }
    const withCron = await startTestHub({ sandbox: t.sandbox, workers: true, env: { CATALOG_SYNC_CRON: '0 3 * * *' } })
    try {
      const schedulers = await withCron.hub.queues.queue('catalog-sync').getJobSchedulers()
      expect(schedulers.map((s) => [s.key, s.pattern])).toEqual([['catalog-scheduled', '0 3 * * *']])
      // Closing a hub within milliseconds of starting its workers races BullMQ's connection
      // set-up ("Connection is closed" rejections, seen with the dossier worker alone too).
      await new Promise((r) => setTimeout(r, 1000))
    } finally {
      await withCron.close()
    }
  })

  it('a second run with no upstream change writes zero changes', async () => {
    cursorAfterFirst = (await feed(t, '0')).nextCursor
    const before = await t.hub.db.query<{ n: number }>('SELECT (SELECT count(*) FROM catalog_changes) + (SELECT count(*) FROM catalog_procedure_versions) AS n')
    const run = await syncOnce(t)
    expect(run.counts).toMatchObject({ fetched: SIZE, unchanged: SIZE, added: 0, changed: 0, removed: 0 })
    const after = await t.hub.db.query<{ n: number }>('SELECT (SELECT count(*) FROM catalog_changes) + (SELECT count(*) FROM catalog_procedure_versions) AS n')
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n)
    expect((await feed(t, cursorAfterFirst)).items).toEqual([])
  })

  it('after 10 amendments, 3 additions and 2 withdrawals the change feed lists exactly those, field by field', async () => {
    const res = await fetch(`${t.sandbox.url}/dvcqg-catalog/_sandbox/catalog/mutate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ amend: 10, add: 3, withdraw: 2, seed: 7 }),
    })
    const expected = ((await res.json()) as { changes: ExpectedCatalogChange[] }).changes
    expect(expected.map((c) => c.kind).sort()).toEqual([...Array(3).fill('added'), ...Array(10).fill('changed'), ...Array(2).fill('removed')])
    const run = await syncOnce(t)
    expect(run.counts).toMatchObject({ added: 3, changed: 10, removed: 2, unchanged: SIZE - 12, failed: 0 })
    const got = (await feed(t, cursorAfterFirst)).items
    expect(got.every((c) => c.runId === run.id)).toBe(true)
    const actual = got
      .map((c) => ({ code: c.procedureCode, kind: c.kind, ...(c.kind === 'changed' ? { changes: c.changes } : {}) }))
      .sort((a, b) => (a.code < b.code ? -1 : 1))
    expect(actual).toEqual(expected)
    // each amendment: one document code, one fee, one result code
    for (const c of got.filter((x) => x.kind === 'changed')) {
      expect(c.changes.map((f) => f.path.replace(/\[[^\]]*\]/g, '[]'))).toEqual([
        'channels[].durations[].fees[].amount',
        'components[].documents[].code',
        'results[].code',
      ])
    }
    const removed = expected.find((c) => c.kind === 'removed')!
    const gone = await get<{ withdrawnAt?: string }>(t, `/v1/catalog/procedures/${removed.code}`)
    expect(gone.body.withdrawnAt).toBeDefined()
    const active = await get<{ total: number }>(t, '/v1/catalog/procedures?limit=1')
    expect(active.body.total).toBe(SIZE + 3 - 2)
  })

  it('search without diacritics finds "Giấy phép xây dựng" procedures, and filters combine', async () => {
    const expected = t.sandbox.sims.catalog.catalog
      .list()
      .filter((r) => r.TENTTHC.toLowerCase().includes('giấy phép xây dựng'))
      .map((r) => r.MATTHC)
    expect(expected.length).toBeGreaterThan(0)
    for (const q of ['giay phep xay dung', 'Giấy phép xây dựng', 'GIAY PHEP  xay-dung']) {
      const res = await get<{ total: number; items: { code: string; name: string }[] }>(t, `/v1/catalog/procedures?q=${encodeURIComponent(q)}&limit=500`)
      expect(res.status).toBe(200)
      // Every match and nothing else; their order is by relevance (catalog-search-rank.test.ts).
      expect(res.body.items.map((i) => i.code).sort()).toEqual([...expected].sort())
    }
    const one = (
      await get<{ procedure: { fields: { code: string }[]; level: { code: string }[]; publishingAgencyCode: string } }>(
        t,
        `/v1/catalog/procedures/${expected[0]}`,
      )
    ).body.procedure
    const filtered = await get<{ items: { code: string }[] }>(
      t,
      `/v1/catalog/procedures?q=giay+phep+xay+dung&field=${one.fields[0]!.code}&level=${one.level[0]!.code}&limit=500`,
    )
    expect(filtered.body.items.map((i) => i.code)).toContain(expected[0])
    const byAgency = await get<{ items: { code: string; publishingAgencyCode: string }[] }>(
      t,
      `/v1/catalog/procedures?agency=${one.publishingAgencyCode}&limit=500`,
    )
    expect(byAgency.body.items.length).toBeGreaterThan(0)
    const page2 = await get<{ items: { code: string }[]; offset: number }>(t, '/v1/catalog/procedures?limit=10&offset=10')
    expect(page2.body.items).toHaveLength(10)
  })

  it('a procedure is served by national code and by a mapped local code; an unknown code is 404', async () => {
    const national = await get<{ code: string; procedure: { code: string; components: unknown[] } }>(t, `/v1/catalog/procedures/${local.national}`)
    expect(national.status).toBe(200)
    expect(national.body.procedure.code).toBe(local.national)
    expect(national.body.procedure.components.length).toBeGreaterThan(0)
    const byLocal = await get<{ code: string; requestedCode: string }>(t, `/v1/catalog/procedures/${local.code}`)
    expect(byLocal.body).toMatchObject({ code: local.national, requestedCode: local.code })
    const unknown = await get<{ code: string }>(t, '/v1/catalog/procedures/9.999999')
    expect(unknown).toMatchObject({ status: 404, body: { code: 'HUB_ERR_NOT_FOUND' } })
    const bad = await get<{ code: string; errors: { field: string }[] }>(t, '/v1/catalog/changes?since=abc')
    expect(bad.status).toBe(400)
  })

  it('dossier intake checks the procedure code and component document codes against the synced catalog', async () => {
    const post = async (body: unknown) => {
      const res = await fetch(`${t.url}/v1/dossiers`, {
        method: 'POST',
        headers: { ...PROVINCE, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
      return { status: res.status, body: (await res.json()) as { code?: string; errors?: { field: string }[] } }
    }
    const unknown = await post(dossierBody(501, 'cat-unknown', { procedureCode: '9.999999' }))
    expect(unknown.status).toBe(400)
    expect(unknown.body.code).toBe('HUB_ERR_UNKNOWN_CODE')
    expect(unknown.body.errors?.[0]?.field).toBe('/body/procedureCode')

    const p = (await get<{ procedure: { code: string; components: { documents: { code: string }[] }[] } }>(t, `/v1/catalog/procedures/${local.national}`)).body
      .procedure
    const docCode = p.components[0]!.documents[0]!.code
    const doc = (componentCode: string) => ({ id: `doc-${componentCode}`, name: 'Tờ khai', componentCode, url: 'https://mot-cua.example.gov.vn/files/1.pdf' })
    const badDoc = await post({ ...dossierBody(502, 'cat-bad-doc', { procedureCode: p.code }), documents: [doc(docCode), doc('GT.KHONG.CO')] })
    expect(badDoc.status).toBe(400)
    expect(badDoc.body.code).toBe('HUB_ERR_UNKNOWN_CODE')
    expect(badDoc.body.errors?.map((e) => e.field)).toEqual(['/body/documents/1/componentCode'])

    const ok = await post({ ...dossierBody(503, 'cat-ok', { procedureCode: local.code }), documents: [doc(docCode)] })
    expect(ok.status).toBe(202)
  })

  it('with 20% injected 5xx on LayThuTuc a run still completes with every procedure fetched', async () => {
    t.sandbox.sims.catalog.mutate({ amend: 5, seed: 11 })
    const from = t.sandbox.kit.recorder.query().at(-1)?.seq ?? 0
    t.sandbox.kit.faults.set('dvcqg', 'LayThuTuc', { errorRate: 0.2, errorStatus: 503 })
    try {
      const run = await syncOnce(t)
      expect(run.state).toBe('completed')
      expect(run.counts).toMatchObject({ listed: SIZE + 1, fetched: SIZE + 1, failed: 0, changed: 5 })
      const records = t.sandbox.kit.recorder.query({ sim: 'dvcqg', operation: 'LayThuTuc', sinceSeq: from })
      const faults = records.filter((r) => r.fault === 'http_503').length
      expect(faults).toBeGreaterThan(0)
      const okCodes = new Set(records.filter((r) => !r.fault).map((r) => String((r.body as Record<string, unknown>)['maTTHC'])))
      expect([...okCodes].sort()).toEqual(t.sandbox.sims.catalog.catalog.list().map((r) => r.MATTHC))
      // retried procedures were fetched once more per fault, no more
      expect(records.length).toBe(SIZE + 1 + faults)
    } finally {
      t.sandbox.kit.faults.clear()
    }
  })
  it('a run whose procedure list cannot be read fails after its retries, with the error shown to operators', async () => {
    t.sandbox.kit.faults.set('dvcqg', 'LayDanhSachTTHC', { errorRate: 1, errorStatus: 502 })
    try {
      const run = await syncOnce(t)
      expect(run.state).toBe('failed')
      // the last attempt meets either the 502 or the circuit breaker it opened
      expect(run.error).toMatch(/LayDanhSachTTHC answered HTTP 502|dvcqg circuit is open/)
      const attempts = t.sandbox.kit.recorder.query({ sim: 'dvcqg', operation: 'LayDanhSachTTHC' }).filter((r) => r.fault === 'http_502')
      expect(attempts.length).toBeGreaterThan(1)
    } finally {
      t.sandbox.kit.faults.clear()
    }
    // nothing was withdrawn by the failed run, and the next run works
    const active = await get<{ total: number }>(t, '/v1/catalog/procedures?limit=1')
    expect(active.body.total).toBe(t.sandbox.sims.catalog.catalog.size)
    expect((await syncOnce(t)).state).toBe('completed')
  })

  it('syncs through the one-URL-per-operation (REST) style of DVCQG too', async () => {
    const rest = await startTestHub({
      sandbox: t.sandbox,
      env: {
        DVCQG_STYLE: 'rest',
        CATALOG_RATE_PER_SEC: 2000,
        CATALOG_CONCURRENCY: 8,
        CATALOG_POLL_MS: 100,
        CATALOG_SYNC_CRON: '',
        UPSTREAM_TIMEOUT_MS: 10_000,
      },
    })
    try {
      const from = t.sandbox.kit.recorder.query().at(-1)?.seq ?? 0
      const run = await syncOnce(rest)
      const size = t.sandbox.sims.catalog.catalog.size
      expect(run.counts).toMatchObject({ listed: size, fetched: size, added: size, failed: 0 })
      const paths = new Set(t.sandbox.kit.recorder.query({ sim: 'dvcqg', sinceSeq: from }).map((r) => r.path.split('?')[0]))
      expect([...paths].sort()).toEqual(['/dvcqg/LayDanhMucCoQuan', '/dvcqg/LayDanhMucLinhVuc', '/dvcqg/LayDanhSachTTHCDonVi', '/dvcqg/LayThuTuc'])
    } finally {
      await rest.close()
    }
  })

  it('a permanent rejection of LayThuTuc is not retried: the procedure is asked once, its item fails, the run completes and says so', async () => {
    // the portal lists a code that LayThuTuc does not know ("Không tìm thấy thủ tục"): a business rejection
    const catalog = t.sandbox.sims.catalog.catalog
    const ghost = '9.999990'
    const list = catalog.list.bind(catalog)
    catalog.list = () => [...list(), { MATTHC: ghost, TENTTHC: 'Thủ tục không còn chi tiết' }]
    const from = t.sandbox.kit.recorder.query().at(-1)?.seq ?? 0
    let run: Run
    try {
      run = await syncOnce(t)
    } finally {
      catalog.list = list
    }
    expect(run.state).toBe('completed')
    expect(run.counts).toMatchObject({ listed: catalog.size + 1, fetched: catalog.size, failed: 1, removed: 0 })
    expect(run.error).toMatch(/^1 procedure\(s\) could not be fetched/)
    const asked = t.sandbox.kit.recorder
      .query({ sim: 'dvcqg', operation: 'LayThuTuc', sinceSeq: from })
      .filter((r) => (r.body as Record<string, unknown>)['maTTHC'] === ghost)
    expect(asked).toHaveLength(1)
    const job = await t.hub.queues.queue('catalog-fetch').getJob(`fetch-${await databaseInstanceTag(t.hub.db)}-${run.id}-${ghost}`)
    expect([await job?.getState(), job?.attemptsMade, job?.failedReason]).toEqual(['failed', 1, expect.stringContaining(ghost)])
  })
})
