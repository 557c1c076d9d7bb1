import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mapThuTuc } from '../../src/mappings/dvcqg/catalog/from-lay-thu-tuc.js'
import { canonicalHash } from '../../src/mappings/dvcqg/catalog/canonical-hash.js'
import { migrate } from '../../src/store/migrate.js'
import type { Db } from '../../src/store/db.js'
import { CatalogRepository } from '../../src/services/catalog/repository.js'
import { storageEngines } from '../helpers/pg.js'

const { engines, closeEngines } = storageEngines()
afterAll(closeEngines)

/** LayThuTuc records as the portal sends them (NATIONAL-ENDPOINTS §1.3). */
const record = (code: string, name: string, docCode = 'GT-01') => ({
  MaTTHC: code,
  TENTTHC: name,
  MACOQUANCONGBO: '000.00.00.G05',
  LINHVUCTHUCHIEN: [{ MALINHVUC: 'G05-XD01', TENLINHVUC: 'Hoạt động xây dựng' }],
  CAPTHUCHIEN: [{ CAPTHUCHIEN: '2', TENCAP: 'Cấp Huyện' }],
  COQUANTHUCHIEN: [{ MADONVI: '000.00.06.H56', TENDONVI: 'UBND huyện' }],
  THANHPHANHOSO: [{ TRUONGHOP: 'Mặc định', GIAYTO: [{ MAGIAYTO: docCode, TENGIAYTO: 'Đơn đề nghị', MA_KQ_THAYTHE: 'KQ-9' }] }],
})
const P1 = mapThuTuc(record('1.009794', 'Cấp giấy phép xây dựng đối với nhà ở riêng lẻ'))
const P2 = mapThuTuc(record('1.009796', 'Gia hạn giấy phép xây dựng'))
const P3 = mapThuTuc(record('2.000123', 'Đăng ký khai sinh'))
const AGENCIES = [{ code: '000.00.06.H56', name: 'UBND huyện Đông Hải', level: '2' }]
const FIELDS = [{ code: 'G05-XD01', name: 'Hoạt động xây dựng', sectorCode: 'XD' }]
const LOCK = 30_000

describe.each(engines)('catalog repository on %s', (_name, open) => {
  let db: Db
  let repo: CatalogRepository

  /** A run taken by `owner`, listed with `procedures` (each applied), then closed. */
  async function fullRun(owner: string, procedures: ReturnType<typeof mapThuTuc>[]) {
    const { runId } = await repo.createOrAttachRun('manual')
    expect(await repo.takeLease(runId, owner, LOCK)).toEqual({})
    await repo.storeListing(
      runId,
      AGENCIES,
      FIELDS,
      procedures.map((p) => p.code),
    )
    const outcomes = []
    for (const p of procedures) outcomes.push(await repo.applyProcedure(runId, p.code, p))
    return { runId, outcomes, run: await repo.finishRun(runId, owner) }
  }

  beforeAll(async () => {
    db = await open()
    await migrate(db)
    repo = new CatalogRepository(db)
  })

  it('one active run: concurrent triggers attach to the one run created; the lease admits one coordinator', async () => {
    const attempts = await Promise.all([1, 2, 3, 4, 5].map(() => repo.createOrAttachRun('schedule')))
    const runId = attempts[0]!.runId
    expect(attempts.every((a) => a.runId === runId)).toBe(true)
    expect(attempts.filter((a) => a.created)).toHaveLength(1)
    expect(await repo.activeRunId()).toBe(runId)
    await expect(db.query(`INSERT INTO catalog_runs (trigger, state) VALUES ('manual', 'pending')`)).rejects.toThrow(/catalog_runs_one_active/)

    expect(await repo.takeLease(runId, 'a', LOCK)).toEqual({})
    expect(await repo.takeLease(runId, 'b', LOCK)).toBeUndefined()
    expect(await repo.orphanRunId(LOCK)).toBeUndefined()
    await repo.releaseLease(runId, 'a')
    expect(await repo.orphanRunId(LOCK)).toBe(runId)
    expect(await repo.takeLease(runId, 'b', LOCK)).toEqual({})
    await repo.failRun(runId, 'b', 'LayDanhSachTTHC answered HTTP 502')
    const [run] = await repo.runs(1)
    expect(run).toMatchObject({ id: runId, trigger: 'schedule', state: 'failed', error: 'LayDanhSachTTHC answered HTTP 502', finishedAt: expect.any(String) })
    expect(await repo.activeRunId()).toBeUndefined()
  })

  it('applies procedure versions: added, skipped on redelivery, unchanged, changed with a field diff, removed', async () => {
    const first = await fullRun('a', [P1, P2])
    expect(first.outcomes).toEqual(['added', 'added'])
    expect(await repo.applyProcedure(first.runId, P1.code, P1)).toBe('skipped')
    // `attempts` counts upstream calls: the redelivery's call and a late failure of a third delivery are
    // counted, and neither changes the fetched item's state or error.
    await repo.recordFetchFailure(first.runId, P1.code, 'timeout', true)
    const item = await db.query(`SELECT attempts, state, last_error FROM catalog_run_items WHERE run_id = $1 AND procedure_code = $2`, [first.runId, P1.code])
    expect(item.rows[0]).toEqual({ attempts: 3, state: 'fetched', last_error: null })
    expect(first.run).toMatchObject({
      state: 'completed',
      counts: { listed: 2, fetched: 2, added: 2, failed: 0, removed: 0, upstreamCalls: 5 },
      progress: { phase: 'done', total: 2, done: 2, failed: 0 },
    })
    expect(await repo.getProcedure(P1.code)).toMatchObject({ code: P1.code, version: 1, hash: canonicalHash(P1), procedure: P1 })

    const amended = mapThuTuc(record('1.009794', 'Cấp giấy phép xây dựng đối với nhà ở riêng lẻ', 'GT-02'))
    const second = await fullRun('a', [amended, P3])
    expect(second.outcomes).toEqual(['changed', 'added'])
    expect(second.run?.counts).toMatchObject({ changed: 1, added: 1, removed: 1, fetched: 2 })
    expect(await repo.getProcedure(P1.code)).toMatchObject({ version: 2, hash: canonicalHash(amended) })
    expect((await repo.getProcedure(P2.code))?.withdrawnAt).toEqual(expect.any(String))

    // a failed fetch stays pending until its last attempt, then counts as failed
    const { runId } = await repo.createOrAttachRun('manual')
    await repo.takeLease(runId, 'c', LOCK)
    await repo.storeListing(runId, AGENCIES, FIELDS, [amended.code, P3.code])
    expect(await repo.applyProcedure(runId, P3.code, P3)).toBe('unchanged')
    await repo.recordFetchFailure(runId, amended.code, 'HTTP 503', false)
    expect(await repo.pendingCodes(runId)).toEqual([amended.code])
    expect(await repo.isFetchable(runId, amended.code)).toBe(true)
    expect(await repo.checkpoint(runId, 'c', LOCK)).toEqual({ phase: 'fetch', total: 2, done: 1, failed: 0 })
    expect(await repo.checkpoint(runId, 'someone-else', LOCK)).toBeUndefined()
    await repo.recordFetchFailure(runId, amended.code, 'HTTP 503', true)
    expect(await repo.pendingCodes(runId)).toEqual([])
    const closed = await repo.finishRun(runId, 'c')
    expect(closed).toMatchObject({ state: 'completed', counts: { fetched: 1, failed: 1, unchanged: 1, removed: 0, upstreamCalls: 3 + 1 + 2 } })
    expect(closed?.error).toMatch(/1 procedure\(s\) could not be fetched/)
  })

  it('serves the change feed by cursor, field changes included', async () => {
    const all = await repo.changes('0', 100)
    expect(all.map((c) => [c.procedureCode, c.kind, c.version])).toEqual([
      [P1.code, 'added', 1],
      [P2.code, 'added', 1],
      [P1.code, 'changed', 2],
      [P3.code, 'added', 1],
      [P2.code, 'removed', 1],
    ])
    expect(all[2]!.changes.map((c) => c.path)).toEqual([expect.stringMatching(/^components\[.*\]\.documents\[.*\]\.code$/)])
    const page = await repo.changes(all[1]!.cursor, 2)
    expect(page.map((c) => c.cursor)).toEqual([all[2]!.cursor, all[3]!.cursor])
  })

  it('searches folded names and filters by agency, field and level; withdrawn ones on request', async () => {
    const q = async (f: Partial<Parameters<CatalogRepository['listProcedures']>[0]>) =>
      (await repo.listProcedures({ limit: 50, offset: 0, ...f })).items.map((i) => i.code)
    expect(await q({ q: 'giay phep xay dung' })).toEqual([P1.code])
    expect(await q({ q: 'giay phep xay dung', includeWithdrawn: true })).toEqual([P1.code, P2.code])
    expect(await q({ q: 'ĐĂNG KÝ khai sinh' })).toEqual([P3.code])
    // a local code the facade mapped to its national one matches by code
    expect((await repo.listProcedures({ q: '1.999001.000.00.06.H56', limit: 5, offset: 0 }, P3.code)).items.map((i) => i.code)).toEqual([P3.code])
    expect(await q({ field: 'G05-XD01', level: '2', agency: '000.00.06.H56' })).toEqual([P1.code, P3.code])
    expect(await q({ level: '9' })).toEqual([])
    const listed = await repo.listProcedures({ limit: 1, offset: 1 })
    expect(listed).toMatchObject({
      total: 2,
      items: [{ code: P3.code, publishingAgencyCode: '000.00.00.G05', fieldCodes: ['G05-XD01'], levels: ['2'], version: 1, withdrawn: false }],
    })
    expect(await repo.listAgencies('dong hai')).toEqual([{ code: '000.00.06.H56', name: 'UBND huyện Đông Hải', level: '2', withdrawn: false }])
    expect(await repo.listFields()).toEqual([{ code: 'G05-XD01', name: 'Hoạt động xây dựng', sectorCode: 'XD', withdrawn: false }])
  })

  it('answers the CatalogReader questions (active procedure, reusable codes)', async () => {
    expect(await repo.activeProcedure(P3.code)).toMatchObject({ synced: true, procedure: { code: P3.code } })
    expect(await repo.activeProcedure(P2.code)).toEqual({ synced: true })
    expect(await repo.reusableCodes(P1.code)).toEqual({ inCatalog: true, documentCodes: ['GT-02'], resultCodes: ['KQ-9'] })
    expect(await repo.reusableCodes('9.999999')).toEqual({ inCatalog: false, documentCodes: [], resultCodes: [] })
  })
})
