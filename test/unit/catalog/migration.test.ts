import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalHash } from '../../../src/mappings/dvcqg/catalog/canonical-hash.js'
import { mapThuTuc } from '../../../src/mappings/dvcqg/catalog/from-lay-thu-tuc.js'
import { diffProcedures } from '../../../src/services/catalog/diff.js'
import { CatalogRepository } from '../../../src/services/catalog/repository.js'
import { searchTokens } from '../../../src/services/catalog/search-text.js'
import { createPgliteDb } from '../../../src/store/pglite.js'
import type { Db } from '../../../src/store/db.js'

const sql = readFileSync(join(import.meta.dirname, '..', '..', '..', 'src', 'store', 'migrations', '0300_catalog.sql'), 'utf8')

const NAMES: [string, string][] = [
  ['1.009794', 'Cấp giấy phép xây dựng đối với nhà ở riêng lẻ (cấp huyện)'],
  ['1.009795', 'Cấp giấy phép xây dựng sửa chữa, cải tạo đối với công trình'],
  ['1.009796', 'Gia hạn giấy phép xây dựng'],
  ['2.000123', 'Đăng ký khai sinh (cấp xã)'],
]
const procedure = (code: string, name: string) =>
  mapThuTuc({
    MaTTHC: code,
    TENTTHC: name,
    LINHVUCTHUCHIEN: [{ MALINHVUC: 'G05-XD01', TENLINHVUC: 'Hoạt động xây dựng' }],
    CAPTHUCHIEN: [{ CAPTHUCHIEN: '2', TENCAP: 'Cấp Huyện' }],
    MACOQUANCONGBO: '000.00.00.G05',
  })
const LOCK = 60_000

/** The migration alone on PGlite, written and read through the catalog repository (the hub's own statements). */
describe('0300_catalog.sql on PGlite', () => {
  let db: Db
  let repo: CatalogRepository
  let runId: number
  const search = (q: string, f: { field?: string; level?: string } = {}) =>
    repo.listProcedures({ q, ...f, limit: 50, offset: 0 }).then((r) => r.items.map((i) => i.code))

  beforeAll(async () => {
    db = await createPgliteDb()
    await db.exec(sql)
    repo = new CatalogRepository(db)
    runId = (await repo.createOrAttachRun('manual')).runId
    await repo.takeLease(runId, 'test', LOCK)
    await repo.storeListing(
      runId,
      [],
      [],
      NAMES.map(([code]) => code),
    )
    for (const [code, name] of NAMES) expect(await repo.applyProcedure(runId, code, procedure(code, name))).toBe('added')
  })
  afterAll(async () => {
    await db.close()
  })

  it('creates every catalog table', async () => {
    const r = await db.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
    expect(r.rows.map((x) => x.tablename)).toEqual([
      'catalog_agencies',
      'catalog_changes',
      'catalog_fields',
      'catalog_procedure_versions',
      'catalog_procedures',
      'catalog_run_items',
      'catalog_runs',
    ])
  })

  it('finds "giay phep xay dung" among names written with diacritics (LIKE on name_folded)', async () => {
    expect(await search('giay phep xay dung')).toEqual(['1.009794', '1.009795', '1.009796'])
    expect(await search('ĐĂNG KÝ khai sinh')).toEqual(['2.000123'])
  })

  it('filters by tokens, field and level through the array columns', async () => {
    expect(await search('gia hạn', { field: 'G05-XD01', level: '2' })).toEqual(['1.009796'])
    expect(await search('gia hạn', { level: '1' })).toEqual([])
    // the token column the repository fills serves array containment (GIN index)
    const r = await db.query<{ code: string }>(
      `SELECT code FROM catalog_procedures WHERE search_tokens @> $1 AND $2 = ANY (field_codes) AND levels @> ARRAY['2'] ORDER BY code`,
      [searchTokens('gia hạn'), 'G05-XD01'],
    )
    expect(r.rows.map((x) => x.code)).toEqual(['1.009796'])
  })

  it('reads the stored procedure back as the same JSON, diffable', async () => {
    const stored = (await repo.getProcedure('1.009794'))!
    expect(canonicalHash(stored.procedure)).toBe(stored.hash)
    expect(diffProcedures(stored.procedure, stored.procedure)).toEqual([])
  })

  it('serves the change feed by cursor', async () => {
    const all = await repo.changes('0', 100)
    const after = await repo.changes(all[1]!.cursor, 100)
    expect(after.map((x) => x.procedureCode)).toEqual(['1.009796', '2.000123'])
  })

  it('keeps one change row per procedure per run (a resumed run cannot duplicate)', async () => {
    expect(await repo.applyProcedure(runId, '1.009794', procedure(...NAMES[0]!))).toBe('skipped')
    await expect(db.query(`INSERT INTO catalog_changes (run_id, procedure_code, kind) VALUES ($1, '1.009794', 'changed')`, [runId])).rejects.toThrow(
      /duplicate key/,
    )
  })

  it('allows only one active run at a time', async () => {
    expect(await repo.createOrAttachRun('schedule')).toEqual({ runId, created: false })
    await expect(db.query(`INSERT INTO catalog_runs (trigger) VALUES ('schedule')`)).rejects.toThrow(/catalog_runs_one_active/)
    expect(await repo.finishRun(runId, 'test')).toMatchObject({ state: 'completed' })
    expect(await repo.createOrAttachRun('schedule')).toMatchObject({ created: true })
    expect(await repo.runs(10)).toHaveLength(2)
  })

  it('tracks run items for resumption', async () => {
    const next = (await repo.activeRunId())!
    await repo.takeLease(next, 'test', LOCK)
    await repo.storeListing(
      next,
      [],
      [],
      NAMES.map(([code]) => code),
    )
    for (const [code, name] of NAMES.filter(([code]) => code < '2')) expect(await repo.applyProcedure(next, code, procedure(code, name))).toBe('unchanged')
    expect(await repo.pendingCodes(next)).toEqual(['2.000123'])
    await expect(db.query(`UPDATE catalog_run_items SET state = 'done'`)).rejects.toThrow(/check constraint/)
  })
})
