import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { trustAnchorsFile } from '../helpers/warehouse.js'
import { buildPdf, signPdf } from '../../src/sandbox/pki/index.js'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe('warehouse over the REST style of DVCQG (one URL per operation)', () => {
  let t: TestHub
  beforeAll(async () => {
    const sandbox = await startSandbox(17)
    // The DVCQG deadline covers a whole file download (connect to last byte): room for a loaded CI machine.
    t = await startTestHub({ sandbox, env: { DVCQG_STYLE: 'rest', WAREHOUSE_TRUST_ANCHORS_FILE: trustAnchorsFile(sandbox), UPSTREAM_TIMEOUT_MS: 10_000 } })
  })
  afterAll(async () => {
    await t?.close()
    await t?.sandbox.close()
  })

  it('mirrors an owner and pushes a local document', async () => {
    const w = t.sandbox.sims.warehouse
    const owner = w.owners()[3]!
    const result = await t.hub.services.warehouse.mirror.mirrorOwner(owner)
    expect(result).toMatchObject({ files: w.documentsOf(owner).length, downloaded: w.documentsOf(owner).length, failed: 0 })
    expect(t.sandbox.kit.recorder.query({ sim: 'dvcqg', operation: 'GetGiayToByUrl' })[0]!.path).toBe('/dvcqg/GetGiayToByUrl')

    // The signature policy (docs/signatures.md): an unsigned local document is stored but never pushed; a signed one is.
    const post = async (documentId: string, pdf: Buffer) => {
      const res = await fetch(`${t.url}/v1/warehouse/documents`, {
        method: 'POST',
        headers: { 'x-api-key': KEYS.province, 'content-type': 'application/json' },
        body: JSON.stringify({
          documentId,
          ownerId: '056085000999',
          documentCode: 'GT.KS.001',
          file: { name: 'a.pdf', contentBase64: pdf.toString('base64') },
        }),
      })
      expect(res.status).toBe(202)
      return (await res.json()) as { pushState: string; signature: { status: string; decision: string; reasons?: string[] } }
    }
    const unsigned = await post('rest-unsigned', buildPdf('Ban sao chua ky'))
    expect(unsigned).toMatchObject({ pushState: 'blocked', signature: { status: 'unsigned', decision: 'blocked', reasons: ['unsigned'] } })
    const pdf = signPdf(buildPdf('Ban sao da ky'), w.pki.signers.valid, { signingTime: new Date('2026-06-01T00:00:00Z') })
    expect(await post('rest-1', pdf)).toMatchObject({ pushState: 'pending', signature: { status: 'valid', decision: 'pass' } })
    await waitFor(() => w.uploaded('rest-1'))
    expect(w.uploaded('rest-1')).toMatchObject({ deliveries: 1, files: [sha(pdf)] })
    expect(w.uploaded('rest-unsigned')).toBeUndefined()
  })
})
