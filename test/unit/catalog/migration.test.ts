import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { canonicalHash } from '../../../src/mappings/catalog/canonical-hash.js'
import { mapThuTuc } from '../../../src/mappings/catalog/from-lay-thu-tuc.js'
import { diffProcedures } from '../../../src/services/catalog/diff.js'
import { foldVietnamese, searchPattern, searchTokens } from '../../../src/services/catalog/search-text.js'

const sql = readFileSync(join(import.meta.dirname, '..', '..', '..', 'src', 'store', 'migrations', '0300_catalog.sql'), 'utf8')

const NAMES: [string, string][] = [
  ['1.009794', 'Cấp giấy phép xây dựng đối với nhà ở riêng lẻ (cấp huyện)'],
  ['1.009795', 'Cấp giấy phép xây dựng sửa chữa, cải tạo đối với công trình'],
  ['1.009796', 'Gia hạn giấy phép xây dựng'],
  ['2.000123', 'Đăng ký khai sinh (cấp xã)'],
]

describe('0300_catalog.sql on PGlite', () => {
  let db: PGlite
  beforeAll(async () => {
    db = new PGlite()
    await db.exec(sql)
    const run = await db.query<{ id: number }>(`INSERT INTO catalog_runs (trigger) VALUES ('manual') RETURNING id`)
    const runId = run.rows[0]!.id
    for (const [code, name] of NAMES) {
      const p = mapThuTuc({ MaTTHC: code, TENTTHC: name, LINHVUCTHUCHIEN: [{ MALINHVUC: 'G05-XD01', TENLINHVUC: 'Hoạt động xây dựng' }], CAPTHUCHIEN: [{ CAPTHUCHIEN: '2', TENCAP: 'Cấp Huyện' }], MACOQUANCONGBO: '000.00.00.G05' })
      await db.query(
        `INSERT INTO catalog_procedures (code, hash, data, name, name_folded, search_tokens, agency_code, field_codes, levels, first_seen_run, last_changed_run, last_seen_run)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $10)`,
        [code, canonicalHash(p), JSON.stringify(p), p.name, foldVietnamese(p.name), searchTokens(p.name), p.publishingAgencyCode, p.fields.map((f) => f.code), p.level.map((l) => l.code), runId],
      )
      await db.query(`INSERT INTO catalog_procedure_versions (procedure_code, version, hash, data, run_id) VALUES ($1, 1, $2, $3, $4)`, [code, canonicalHash(p), JSON.stringify(p), runId])
      await db.query(`INSERT INTO catalog_changes (run_id, procedure_code, kind, version) VALUES ($1, $2, 'added', 1)`, [runId, code])
    }
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

  it('finds "giay phep xay dung" among names written with diacritics (ILIKE on name_folded)', async () => {
    const r = await db.query<{ code: string }>(
      `SELECT code FROM catalog_procedures WHERE name_folded ILIKE $1 ESCAPE '\\' AND withdrawn_at IS NULL ORDER BY code`,
      [searchPattern('giay phep xay dung')],
    )
    expect(r.rows.map((x) => x.code)).toEqual(['1.009794', '1.009795', '1.009796'])
    const accented = await db.query<{ code: string }>(`SELECT code FROM catalog_procedures WHERE name_folded ILIKE $1 ESCAPE '\\'`, [searchPattern('ĐĂNG KÝ khai sinh')])
    expect(accented.rows.map((x) => x.code)).toEqual(['2.000123'])
  })

  it('filters by tokens, field and level through the array columns', async () => {
    const r = await db.query<{ code: string }>(
      `SELECT code FROM catalog_procedures WHERE search_tokens @> $1 AND $2 = ANY (field_codes) AND levels @> ARRAY['2'] ORDER BY code`,
      [searchTokens('gia hạn'), 'G05-XD01'],
    )
    expect(r.rows.map((x) => x.code)).toEqual(['1.009796'])
  })

  it('reads the stored procedure back as the same JSON, diffable', async () => {
    const r = await db.query<{ data: unknown; hash: string }>(`SELECT data, hash FROM catalog_procedures WHERE code = '1.009794'`)
    const stored = r.rows[0]!.data as ReturnType<typeof mapThuTuc>
    expect(canonicalHash(stored)).toBe(r.rows[0]!.hash)
    expect(diffProcedures(stored, stored)).toEqual([])
  })

  it('serves the change feed by cursor', async () => {
    const all = await db.query<{ id: string }>(`SELECT id FROM catalog_changes ORDER BY id`)
    const cursor = all.rows[1]!.id
    const r = await db.query<{ procedure_code: string }>(`SELECT procedure_code FROM catalog_changes WHERE id > $1 ORDER BY id`, [cursor])
    expect(r.rows.map((x) => x.procedure_code)).toEqual(['1.009796', '2.000123'])
  })

  it('keeps one change row per procedure per run (a resumed run cannot duplicate)', async () => {
    await expect(
      db.query(`INSERT INTO catalog_changes (run_id, procedure_code, kind) SELECT id, '1.009794', 'changed' FROM catalog_runs LIMIT 1`),
    ).rejects.toThrow(/duplicate key/)
  })

  it('allows only one active run at a time', async () => {
    await expect(db.query(`INSERT INTO catalog_runs (trigger) VALUES ('schedule')`)).rejects.toThrow(/catalog_runs_one_active/)
    await db.query(`UPDATE catalog_runs SET state = 'completed', finished_at = now()`)
    await db.query(`INSERT INTO catalog_runs (trigger) VALUES ('schedule')`)
    const r = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM catalog_runs`)
    expect(r.rows[0]!.n).toBe(2)
  })

  it('tracks run items for resumption', async () => {
    const run = await db.query<{ id: number }>(`SELECT id FROM catalog_runs WHERE state = 'running'`)
    const runId = run.rows[0]!.id
    await db.query(`INSERT INTO catalog_run_items (run_id, procedure_code) SELECT $1, code FROM catalog_procedures`, [runId])
    await db.query(`UPDATE catalog_run_items SET state = 'fetched', attempts = 1, outcome = 'unchanged' WHERE run_id = $1 AND procedure_code < '2'`, [runId])
    const pending = await db.query<{ procedure_code: string }>(`SELECT procedure_code FROM catalog_run_items WHERE run_id = $1 AND state <> 'fetched'`, [runId])
    expect(pending.rows.map((x) => x.procedure_code)).toEqual(['2.000123'])
    await expect(db.query(`UPDATE catalog_run_items SET state = 'done'`)).rejects.toThrow(/check constraint/)
  })
})
