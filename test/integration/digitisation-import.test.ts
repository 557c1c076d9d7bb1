import { appendFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { trustAnchorsFile } from '../helpers/warehouse.js'
import { BACKLOG_AGENCIES, writeBacklog, type BacklogExpectation } from '../helpers/backlog.js'

const ADMIN = { 'x-api-key': KEYS.operator, 'content-type': 'application/json' }
const COUNT = 48
const UNSIGNED = 5

interface Report {
  state: string
  rows: number
  stored: number
  already: number
  blocked: number
  failed: number
  errors: { row: number; documentId?: string; rule: string; field: string; message: string }[]
  agencies: {
    agencyCode: string
    documents: number
    pages: number
    blocked: number
    declared?: { documents: number; pages: number }
    documentsPercent?: number
    pagesPercent?: number
  }[]
}

describe('backlog digitisation import (PGlite, Redis, sandbox PKI over HTTP)', () => {
  let t: TestHub
  let root: string
  let expected: BacklogExpectation

  beforeAll(async () => {
    const sandbox = await startSandbox(31)
    root = mkdtempSync(join(tmpdir(), 'lgsp-import-'))
    t = await startTestHub({ sandbox, env: { WAREHOUSE_TRUST_ANCHORS_FILE: trustAnchorsFile(sandbox), IMPORT_ROOT: root, UPSTREAM_TIMEOUT_MS: 10_000 } })
    const owners = sandbox.sims.warehouse.owners().slice(0, 10)
    expected = writeBacklog(join(root, 'batch1'), sandbox.sims.warehouse.pki, { count: COUNT, owners, unsigned: new Set([UNSIGNED]), prefix: 'bk' })
    // Rows 49-52: no pages, no owner id, a file that is not there, the file of row 1 under another id.
    appendFileSync(
      join(root, 'batch1', 'manifest.csv'),
      [
        `pdf/bk-00001.pdf,bk-nopages,${owners[0]},GT.KS.001,,Thiếu số trang,2019-03-01,000.00.06.H56,`,
        `pdf/bk-00002.pdf,bk-badowner,,GT.KS.001,,Thiếu chủ sở hữu,2019-03-01,000.00.06.H56,1`,
        `pdf/missing.pdf,bk-missing,${owners[0]},GT.KS.001,,Không có tệp,2019-03-01,000.00.06.H56,1`,
        `pdf/bk-00000.pdf,bk-copy,${owners[0]},GT.KS.001,,Bản sao tệp,2019-03-01,000.00.06.H56,1`,
      ].join('\n') + '\n',
    )
  })
  afterAll(async () => {
    await t?.close()
    await t?.sandbox.close()
  })

  const runImport = async (folder: string): Promise<Report> => {
    const res = await fetch(`${t.url}/admin/digitisation/imports`, { method: 'POST', headers: ADMIN, body: JSON.stringify({ folder }) })
    expect(res.status).toBe(202)
    const { importId, rows } = (await res.json()) as { importId: string; rows: number }
    expect(rows).toBe(COUNT + 4)
    return waitFor(
      async () => {
        const r = (await (await fetch(`${t.url}/admin/digitisation/imports/${importId}`, { headers: ADMIN })).json()) as Report
        return r.state === 'running' ? undefined : r
      },
      50_000,
      200,
    )
  }
  const stored = async () =>
    (
      await t.hub.db.query<{ local_id: string; push_state: string; signature_decision: string }>(
        `SELECT local_id, push_state, signature_decision FROM warehouse_documents WHERE local_id LIKE 'bk-%' ORDER BY local_id`,
      )
    ).rows

  it('stores signed rows, blocks the unsigned one under require, reports bad rows and per-agency progress; a re-run stores nothing twice', async () => {
    const first = await runImport('batch1')
    expect(first).toMatchObject({ state: 'done', rows: COUNT + 4, stored: COUNT - 1, blocked: 1, already: 0, failed: 4 })
    const byRow = new Map(first.errors.map((e) => [e.row, e]))
    expect(byRow.get(COUNT + 1)).toMatchObject({ documentId: 'bk-nopages', rule: 'HUB_IMPORT_PAGES', field: '/pages' })
    expect(byRow.get(COUNT + 2)).toMatchObject({ documentId: 'bk-badowner', field: '/ownerId' })
    expect(byRow.get(COUNT + 3)).toMatchObject({ documentId: 'bk-missing', rule: 'HUB_IMPORT_FILE', field: '/file' })
    expect(byRow.get(COUNT + 4)).toMatchObject({ documentId: 'bk-copy', rule: 'HUB_IMPORT_DUPLICATE_FILE' })

    for (const agency of BACKLOG_AGENCIES) {
      const e = expected.agencies[agency]!
      const inv = expected.inventory[agency]!
      expect(first.agencies.find((a) => a.agencyCode === agency)).toEqual({
        agencyCode: agency,
        documents: e.documents,
        pages: e.pages,
        blocked: e.unsigned,
        declared: inv,
        documentsPercent: Math.round((e.documents / inv.documents) * 1000) / 10,
        pagesPercent: Math.round((e.pages / inv.pages) * 1000) / 10,
      })
    }

    const rows = await stored()
    expect(rows).toHaveLength(COUNT)
    const unsigned = `bk-${String(UNSIGNED).padStart(5, '0')}`
    for (const r of rows) {
      if (r.local_id === unsigned) expect(r).toMatchObject({ signature_decision: 'blocked', push_state: 'none' })
      else {
        expect(r.signature_decision).not.toBe('blocked')
        expect(['pending', 'pushed']).toContain(r.push_state)
      }
    }
    const blobs = (await t.hub.db.query<{ n: number }>(`SELECT count(DISTINCT blob_sha256)::int AS n FROM warehouse_documents WHERE local_id LIKE 'bk-%'`))
      .rows[0]!.n

    const second = await runImport('batch1')
    expect(second).toMatchObject({ state: 'done', stored: 0, blocked: 0, already: COUNT, failed: 4 })
    expect(second.agencies).toEqual(first.agencies)
    expect(await stored()).toHaveLength(COUNT)
    expect(
      (await t.hub.db.query<{ n: number }>(`SELECT count(DISTINCT blob_sha256)::int AS n FROM warehouse_documents WHERE local_id LIKE 'bk-%'`)).rows[0]!.n,
    ).toBe(blobs)
  })

  it('refuses a folder outside the import root, a missing manifest, and a viewer', async () => {
    const post = (folder: string, key: string = KEYS.operator) =>
      fetch(`${t.url}/admin/digitisation/imports`, { method: 'POST', headers: { ...ADMIN, 'x-api-key': key }, body: JSON.stringify({ folder }) })
    const escape = await post('../elsewhere')
    expect(escape.status).toBe(400)
    expect(((await escape.json()) as { code: string }).code).toBe('HUB_ERR_IMPORT_MANIFEST')
    const absent = await post('nothing-here')
    expect(absent.status).toBe(400)
    expect((await post('batch1', KEYS.viewer)).status).toBe(403)
  })
})
