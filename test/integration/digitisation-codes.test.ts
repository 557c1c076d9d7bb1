/**
 * Issue 17, catalog-checked codes: a dossier's `results[].resultCode` and a warehouse
 * document's `documentCode` / `resultCode` are checked against the synced national catalog
 * (400 HUB_ERR_UNKNOWN_CODE naming the field); before any sync they are accepted unchecked.
 */
import { createHash } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHub, waitFor, type TestHub, type TestSandbox } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { trustAnchorsFile } from '../helpers/warehouse.js'
import { dossierBody } from '../helpers/dossiers.js'
import { createSandbox } from '../../src/sandbox/index.js'
import { createLogger } from '../../src/log.js'
import { buildPdf, signPdf } from '../../src/sandbox/pki/index.js'

const JSON_H = { 'x-api-key': KEYS.province, 'content-type': 'application/json' }
const OPERATOR = { 'x-api-key': KEYS.operator }
let t: TestHub
let n = 0

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = JSON_H) {
  const res = await fetch(`${t.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  return { status: res.status, body: (await res.json()) as { code?: string; errors?: { field: string; rule?: string }[] } & Record<string, unknown> }
}

function warehouseDoc(codes: { documentCode: string; resultCode?: string }) {
  n++
  const pdf = signPdf(buildPdf(`Ma giay to ${n}`), t.sandbox.sims.warehouse.pki.signers.valid, { signingTime: new Date('2026-06-01T00:00:00Z') })
  return {
    documentId: `codes-doc-${n}`,
    ownerId: '056085001720',
    title: 'Giấy tờ',
    issuedOn: '2026-01-15',
    permanent: true,
    ...codes,
    file: { name: `d-${n}.pdf`, contentBase64: pdf.toString('base64'), sha256: createHash('sha256').update(pdf).digest('hex') },
  }
}

beforeAll(async () => {
  // A small national catalog: the sync completes in seconds.
  const sb = await createSandbox(23, createLogger('silent'), { catalogSize: 25 })
  await sb.app.listen({ host: '127.0.0.1', port: 0 })
  const sandbox: TestSandbox = { ...sb, url: `http://127.0.0.1:${(sb.app.server.address() as AddressInfo).port}`, close: () => sb.app.close() }
  t = await startTestHub({ sandbox, env: { WAREHOUSE_TRUST_ANCHORS_FILE: trustAnchorsFile(sandbox) } })
})
afterAll(async () => {
  await t?.close()
  await t?.sandbox.close()
})

describe('catalog-checked result and document codes', () => {
  it('before any catalog sync, unknown codes are accepted unchecked (the portal judges them)', async () => {
    expect((await call('POST', '/v1/warehouse/documents', warehouseDoc({ documentCode: 'GT.CHUA.DONG.BO' }))).status).toBe(202)
    const d = { ...dossierBody(1720, 'codes-1720-0'), results: [{ id: 'kq-1', name: 'Kết quả', resultCode: 'KQ.CHUA.DONG.BO' }] }
    expect((await call('POST', '/v1/dossiers', d)).status).toBe(202)
  })

  it('after a sync, an unknown resultCode or documentCode is a 400 naming the field; known codes pass', async () => {
    const { runId } = (await (await fetch(`${t.url}/admin/catalog/sync`, { method: 'POST', headers: OPERATOR })).json()) as { runId: number }
    await waitFor(async () => {
      const runs = (await (await fetch(`${t.url}/admin/catalog/runs`, { headers: OPERATOR })).json()) as { items: { id: number; state: string }[] }
      return runs.items.find((r) => r.id === runId)?.state === 'completed'
    }, 40_000)
    // Codes taken from the simulated national catalog, independently of the hub's tables.
    const cat = t.sandbox.sims.catalog.catalog
    const procedure = cat
      .list()
      .map((row) => cat.get(row.MATTHC)!)
      .find((p) => p.KETQUATHUCHIEN.length > 0 && p.THANHPHANHOSO.some((c) => c.GIAYTO.length > 0))!
    const resultCode = procedure.KETQUATHUCHIEN[0]!.MAKETQUA
    const documentCode = procedure.THANHPHANHOSO.find((c) => c.GIAYTO.length > 0)!.GIAYTO[0]!.MAGIAYTO

    const dossier = (i: number, codes: string[]) => ({
      ...dossierBody(i, `codes-${i}-0`, { procedureCode: procedure.MaTTHC }),
      results: codes.map((c, k) => ({ id: `kq-${k}`, name: 'Kết quả', resultCode: c })),
    })
    const bad = await call('POST', '/v1/dossiers', dossier(1721, [resultCode, 'KQ.KHONG.CO']))
    expect(bad.status).toBe(400)
    expect(bad.body.code).toBe('HUB_ERR_UNKNOWN_CODE')
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: '/body/results/1/resultCode', rule: 'HUB_CATALOG_UNKNOWN_RESULT' })])
    expect((await call('POST', '/v1/dossiers', dossier(1722, [resultCode]))).status).toBe(202)

    const badDoc = await call('POST', '/v1/warehouse/documents', warehouseDoc({ documentCode: 'GT.KHONG.CO', resultCode: 'KQ.KHONG.CO' }))
    expect(badDoc.status).toBe(400)
    expect(badDoc.body.code).toBe('HUB_ERR_UNKNOWN_CODE')
    expect(badDoc.body.errors?.map((e) => e.field)).toEqual(['/body/documentCode', '/body/resultCode'])
    expect((await call('POST', '/v1/warehouse/documents', warehouseDoc({ documentCode, resultCode }))).status).toBe(202)
  })
})
