import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const SQL = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../../src/store/migrations/0400_warehouse.sql'), 'utf8')
const HASH = 'ab'.repeat(32)

let db: PGlite

beforeAll(async () => {
  db = new PGlite()
  await db.exec(SQL)
})
afterAll(async () => {
  await db.close()
})

async function insertDoc(values: Record<string, unknown>): Promise<string> {
  const row = { owner_id_type: 'cccd', owner_id: '001099012345', source: 'national', ...values }
  const cols = Object.keys(row)
  const res = await db.query<{ id: string }>(
    `INSERT INTO warehouse_documents (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
    Object.values(row),
  )
  return res.rows[0]!.id
}

describe('0400_warehouse.sql on a fresh PGlite', () => {
  it('creates the three tables and the reuse indexes', async () => {
    const tables = await db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'warehouse_%' ORDER BY table_name`,
    )
    expect(tables.rows.map((r) => r.table_name)).toEqual(['warehouse_documents', 'warehouse_mirror_owners', 'warehouse_usage'])
    const indexes = await db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'warehouse_documents'`)
    const defs = indexes.rows.map((r) => r.indexdef).join('\n')
    expect(defs).toContain('(owner_id, result_code)')
    expect(defs).toContain('(owner_id, document_code)')
    expect(defs).toContain('(valid_until)')
  })

  it('answers the reuse query: valid results of an owner for given codes', async () => {
    const owner = '001099000001'
    await insertDoc({ owner_id: owner, result_code: 'KQ.G15.000031', valid_until: '2030-01-01', blob_sha256: HASH, fetch_state: 'stored', national_ref: 'a' })
    await insertDoc({ owner_id: owner, result_code: 'KQ.G15.000031', valid_until: '2020-01-01', national_ref: 'b' })
    await insertDoc({ owner_id: owner, result_code: 'KQ.G09.000112', permanent: true, national_ref: 'c' })
    await insertDoc({ owner_id: '001099000002', result_code: 'KQ.G15.000031', permanent: true, national_ref: 'd' })
    const res = await db.query<{ national_ref: string }>(
      `SELECT national_ref FROM warehouse_documents
        WHERE owner_id = $1 AND result_code = ANY($2::text[]) AND (permanent OR valid_until >= $3::date)
        ORDER BY national_ref`,
      [owner, ['KQ.G15.000031', 'KQ.G09.000112'], '2026-01-01'],
    )
    expect(res.rows.map((r) => r.national_ref)).toEqual(['a', 'c'])
  })

  it('keeps mirroring idempotent: national_ref unique when set, free when null', async () => {
    await insertDoc({ national_ref: '000.00.00.H56:/kho/x.pdf' })
    await expect(insertDoc({ national_ref: '000.00.00.H56:/kho/x.pdf' })).rejects.toThrow(/unique|duplicate/i)
    await insertDoc({ source: 'local' })
    await insertDoc({ source: 'local' })
  })

  it('rejects inconsistent rows', async () => {
    await expect(insertDoc({ blob_sha256: 'not-a-hash' })).rejects.toThrow(/check/i)
    await expect(insertDoc({ permanent: true, valid_until: '2030-01-01' })).rejects.toThrow(/check/i)
    await expect(insertDoc({ fetch_state: 'stored' })).rejects.toThrow(/check/i)
    await expect(insertDoc({ source: 'elsewhere' })).rejects.toThrow(/check/i)
    await expect(insertDoc({ signature_status: 'maybe' })).rejects.toThrow(/check/i)
  })

  it('records resumable mirror state and deduplicated usage', async () => {
    await db.query(`INSERT INTO warehouse_mirror_owners (owner_id, owner_id_type, state, cursor) VALUES ($1, 'cccd', 'running', $2)`, [
      '001099000003',
      JSON.stringify({ resultIndex: 2, fileIndex: 0 }),
    ])
    const owner = await db.query<{ cursor: { resultIndex: number } }>(`SELECT cursor FROM warehouse_mirror_owners WHERE owner_id = $1`, ['001099000003'])
    expect(owner.rows[0]!.cursor.resultIndex).toBe(2)

    const id = await insertDoc({ national_ref: 'usage-doc' })
    const use = `INSERT INTO warehouse_usage (document_id, dossier_code, component_code) VALUES ($1, $2, $3)
                 ON CONFLICT (document_id, dossier_code, component_code) DO NOTHING`
    await db.query(use, [id, '000.00.06.H56-231027-0361', 'TP1'])
    await db.query(use, [id, '000.00.06.H56-231027-0361', 'TP1'])
    const count = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM warehouse_usage WHERE document_id = $1`, [id])
    expect(count.rows[0]!.n).toBe(1)
  })
})
