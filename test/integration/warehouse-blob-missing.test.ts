import { createHash } from 'node:crypto'
import { rmSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { captureLogger } from '../helpers/logs.js'
import { trustAnchorsFile } from '../helpers/warehouse.js'
import { buildPdf, signPdf } from '../../src/sandbox/pki/index.js'
import type { DiskBlobStore } from '../../src/documents/blob-store/index.js'

const H = { 'x-api-key': KEYS.province, 'content-type': 'application/json', 'x-purpose': 'TTHC' }
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/**
 * Issue 16: a document whose stored file is gone (api and worker not sharing the blob
 * folder, or the folder lost) is a permanent local failure: one attempt, no upload, the
 * document `failed` with the reason in the API, counted in the metrics, logged at error.
 */
describe('warehouse push of a document whose stored file is missing', () => {
  let t: TestHub
  const logs = captureLogger('info')
  beforeAll(async () => {
    const sandbox = await startSandbox(13)
    t = await startTestHub({ sandbox, workers: false, logger: logs.logger, env: { WAREHOUSE_TRUST_ANCHORS_FILE: trustAnchorsFile(sandbox) } })
  })
  afterAll(async () => {
    await t?.close()
    await t?.sandbox.close()
  })

  it('fails once with its reason, is counted, logged at error, and never uploaded or retried', async () => {
    const pdf = signPdf(buildPdf('Ban sao mat tep'), t.sandbox.sims.warehouse.pki.signers.valid, { signingTime: new Date('2026-06-01T00:00:00Z') })
    const body = {
      documentId: 'local-doc-lost-file',
      ownerId: '056085000778',
      ownerName: 'Nguyễn Văn Mất',
      documentCode: 'GT.KS.001',
      title: 'Giấy khai sinh',
      issuedOn: '2026-01-15',
      permanent: true,
      digitisationKind: '1',
      file: { name: 'khai-sinh.pdf', contentBase64: pdf.toString('base64'), sha256: sha(pdf) },
    }
    const res = await fetch(`${t.url}/v1/warehouse/documents`, { method: 'POST', headers: H, body: JSON.stringify(body) })
    expect(res.status).toBe(202)
    const { id } = (await res.json()) as { id: string }
    // The worker's blob folder does not hold the file the api stored.
    rmSync((t.hub.services.warehouse.blobs as DiskBlobStore).pathOf(sha(pdf)))
    await t.hub.startWorkers()

    const doc = await waitFor(async () => {
      const r = await fetch(`${t.url}/v1/warehouse/documents/${id}`, { headers: H })
      const d = (await r.json()) as { pushState: string; pushError?: string }
      return d.pushState === 'failed' ? d : undefined
    }, 20_000)
    expect(doc.pushError).toBe(`local file missing: blob ${sha(pdf)} is not in this worker's blob store (BLOB_DIR must be shared by the api and worker roles)`)

    const { rows } = await t.hub.db.query<{ push_attempts: number }>('SELECT push_attempts FROM warehouse_documents WHERE id = $1', [id])
    expect(rows[0]!.push_attempts).toBe(1)
    const failed = await t.hub.queues.queue('warehouse-push').getFailed()
    const job = failed.find((j) => (j.data as { id: string }).id === id)
    expect([job?.attemptsMade, job?.failedReason]).toEqual([1, doc.pushError])
    expect(t.sandbox.sims.warehouse.stats.uploads).toBe(0)

    const metrics = await (await fetch(`${t.url}/metrics`, { headers: { 'x-api-key': KEYS.metrics } })).text()
    expect(metrics).toMatch(/^lgsp_hub_warehouse_pushes_total\{outcome="blob_missing"\} 1$/m)
    expect(metrics).toMatch(/^lgsp_hub_warehouse_push_failed 1$/m)
    const line = logs.lines().find((l) => l['msg'] === 'warehouse push impossible: the stored file is missing')
    expect(line).toMatchObject({ level: 'error', documentId: id, sha256: sha(pdf), code: 'BLOB_NOT_FOUND' })

    // The reconciler leaves a failed document alone: no second attempt.
    await new Promise((r) => setTimeout(r, 1500))
    const again = await t.hub.db.query<{ push_attempts: number; push_state: string }>(
      'SELECT push_attempts, push_state FROM warehouse_documents WHERE id = $1',
      [id],
    )
    expect(again.rows[0]).toEqual({ push_attempts: 1, push_state: 'failed' })
  }, 60_000)
})
