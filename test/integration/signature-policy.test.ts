import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub, type TestSandbox } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { trustAnchorsFile } from '../helpers/warehouse.js'
import { buildPdf, signPdf } from '../../src/sandbox/pki/index.js'

// Reads declare a purpose from the catalogue (docs/audit-coverage.md).
const H = { 'x-api-key': KEYS.province, 'content-type': 'application/json', 'x-purpose': 'TTHC' }
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const SIGNED_AT = new Date('2026-06-01T00:00:00Z')

type Case = 'valid' | 'unsigned' | 'tampered' | 'expired' | 'untrusted' | 'revoked'
const CASES: readonly Case[] = ['valid', 'unsigned', 'tampered', 'expired', 'untrusted', 'revoked']
/**
 * What each case must be found to be, from the definitions (RFC 5652 digest check, RFC 5280 validity and
 * path building, the sandbox CA's CRL/OCSP listing serial 2003 as revoked).
 */
const EXPECTED: Record<Case, { status: string; reason?: string; reasons: string[] }> = {
  valid: { status: 'valid', reasons: [] },
  unsigned: { status: 'unsigned', reasons: ['unsigned'] },
  tampered: { status: 'invalid', reason: 'digest_mismatch', reasons: ['invalid:digest_mismatch'] },
  expired: { status: 'invalid', reason: 'signer_expired_at_signing', reasons: ['invalid:signer_expired_at_signing'] },
  untrusted: { status: 'untrusted', reason: 'unknown_issuer', reasons: ['untrusted:unknown_issuer'] },
  revoked: { status: 'invalid', reason: 'signer_revoked', reasons: ['invalid:signer_revoked'] },
}

/** The PDF of a case, signed with the sandbox PKI (whose signer certificates name the sandbox CA's CRL and OCSP URLs). */
function pdfOf(sandbox: TestSandbox, c: Case, text: string): Buffer {
  const pki = sandbox.sims.warehouse.pki
  const pdf = buildPdf(text)
  switch (c) {
    case 'unsigned':
      return pdf
    case 'tampered': {
      const signed = signPdf(pdf, pki.signers.valid, { signingTime: SIGNED_AT })
      const at = signed.indexOf('So: ') + 4
      signed[at] = signed[at] === 0x39 ? 0x38 : 0x39
      return signed
    }
    case 'valid':
    case 'expired':
    case 'untrusted':
    case 'revoked':
      return signPdf(pdf, pki.signers[c], { signingTime: SIGNED_AT })
  }
}

function body(sandbox: TestSandbox, prefix: string, c: Case, owner: string) {
  const pdf = pdfOf(sandbox, c, `Giay khai sinh ${prefix}-${c}\nSo: 1234/2026/KS`)
  return {
    pdf,
    body: {
      documentId: `${prefix}-${c}`,
      ownerId: owner,
      documentCode: 'GT.KS.001',
      resultCode: 'KQ.G15.000031',
      title: 'Giấy khai sinh',
      issuedOn: '2026-01-15',
      permanent: true,
      file: { name: `${c}.pdf`, contentBase64: pdf.toString('base64'), sha256: sha(pdf) },
    },
  }
}

async function post(t: TestHub, b: unknown) {
  const res = await fetch(`${t.url}/v1/warehouse/documents`, { method: 'POST', headers: H, body: JSON.stringify(b) })
  return { status: res.status, body: (await res.json()) as { id: string; pushState: string; signature: Record<string, unknown> } }
}

async function reuse(t: TestHub, owner: string): Promise<string[]> {
  const res = await fetch(`${t.url}/v1/warehouse/owners/${owner}/documents`, { headers: H })
  expect(res.status).toBe(200)
  const docs = ((await res.json()) as { documents: { documentId?: string }[] }).documents
  return docs.map((d) => d.documentId!).sort()
}

const ocspCalls = (s: TestSandbox) => s.kit.recorder.query({ sim: 'pki', operation: 'ocsp', limit: 100_000 }).length
const crlCalls = (s: TestSandbox) => s.kit.recorder.query({ sim: 'pki', operation: 'crl', limit: 100_000 }).length

describe('signature policy (real Redis, PGlite, the sandbox warehouse and CA over HTTP)', () => {
  let sandbox: TestSandbox
  let t: TestHub
  beforeAll(async () => {
    sandbox = await startSandbox(23)
    // One hub (starting a hub takes most of this file's time): results (a result code) fall under the default
    // rule local.*=require; dossier components (a dossier code, no result code) are set to accept.
    t = await startTestHub({
      sandbox,
      env: { WAREHOUSE_TRUST_ANCHORS_FILE: trustAnchorsFile(sandbox), UPSTREAM_TIMEOUT_MS: 10_000, SIGNATURE_POLICY: 'local.component=accept' },
    })
  })
  afterAll(async () => {
    await t?.close()
    await sandbox?.close()
  })

  it('asks the CA once for 100 checks of one signer (OCSP answer cached until its nextUpdate)', async () => {
    const gate = t.hub.services.warehouse.gate
    const before = { ocsp: ocspCalls(sandbox), crl: crlCalls(sandbox) }
    const pdfs = Array.from({ length: 100 }, (_, i) => pdfOf(sandbox, 'valid', `Ban sao so ${i}`))
    // 50 at once (one exchange shared), then 50 one after another (answered from the cache)
    const first = await Promise.all(pdfs.slice(0, 50).map((p) => gate.check(p, 'local', 'result')))
    const rest = []
    for (const p of pdfs.slice(50)) rest.push(await gate.check(p, 'local', 'result'))
    for (const r of [...first, ...rest]) {
      expect(r.check.status).toBe('valid')
      expect(r.check.evidence.revocation).toMatchObject({ status: 'good', source: 'ocsp' })
      expect(r.decision.decision).toBe('pass')
    }
    expect(ocspCalls(sandbox) - before.ocsp).toBe(1)
    expect(crlCalls(sandbox) - before.crl).toBe(0)
    expect(rest.every((r) => r.check.evidence.revocation?.cached === true)).toBe(true)
  })

  it('under the default policy stores every case with its outcome, pushes only the valid one and offers only it for reuse', async () => {
    const owner = '056085000801'
    const sent = CASES.map((c) => ({ c, ...body(sandbox, 'strict', c, owner) }))
    const ids = new Map<Case, string>()
    for (const s of sent) {
      const r = await post(t, s.body)
      expect(r.status).toBe(202)
      const e = EXPECTED[s.c]
      expect(r.body.signature).toMatchObject({ status: e.status, policy: 'require', decision: s.c === 'valid' ? 'pass' : 'blocked' })
      expect(r.body.signature['reason']).toBe(e.reason)
      expect(r.body.signature['reasons'] ?? []).toEqual(e.reasons)
      expect(r.body.pushState).toBe(s.c === 'valid' ? 'pending' : 'blocked')
      ids.set(s.c, r.body.id)
    }
    const w = sandbox.sims.warehouse
    await waitFor(() => w.uploaded('strict-valid'), 30_000)
    // Give a stray push time to arrive (the reconciler runs every RECONCILE_INTERVAL_MS), then look at the portal.
    await new Promise((r) => setTimeout(r, 1500))
    for (const c of CASES.filter((x) => x !== 'valid')) expect(w.uploaded(`strict-${c}`)).toBeUndefined()
    expect(await reuse(t, owner)).toEqual(['strict-valid'])

    // The reason is visible in the document view, and the evidence is stored with the check time.
    for (const c of CASES.filter((x) => x !== 'valid')) {
      const res = await fetch(`${t.url}/v1/warehouse/documents/${ids.get(c)!}`, { headers: H })
      const doc = (await res.json()) as { pushState: string; signature: Record<string, unknown> }
      expect(doc.pushState).toBe('blocked')
      expect(doc.signature).toMatchObject({ status: EXPECTED[c].status, decision: 'blocked', policy: 'require', reasons: EXPECTED[c].reasons })
      expect(typeof doc.signature['checkedAt']).toBe('string')
    }
    const { rows } = await t.hub.db.query<{ local_id: string; push_state: string; signature_evidence: Record<string, unknown> }>(
      `SELECT local_id, push_state, signature_evidence FROM warehouse_documents WHERE owner_id = $1`,
      [owner],
    )
    const byId = new Map(rows.map((r) => [r.local_id, r]))
    const revoked = byId.get('strict-revoked')!.signature_evidence
    expect(revoked['revocation']).toMatchObject({ status: 'revoked', source: 'ocsp', revocationReason: 'keyCompromise', url: w.pki.revocation!.ocspUrl })
    expect(typeof (revoked['revocation'] as { ocspResponse: string }).ocspResponse).toBe('string')
    const pki = w.pki
    expect((revoked['chain'] as { serial: string }[]).map((c) => c.serial)).toEqual([
      pki.signers.revoked.certificate.serialNumber,
      pki.intermediate.certificate.serialNumber,
      pki.rootCa.certificate.serialNumber,
    ])
    expect(revoked['algorithms']).toMatchObject({ digest: 'sha256', keyBits: 2048 })
    expect(byId.get('strict-valid')!.signature_evidence['revocation']).toMatchObject({ status: 'good' })
    for (const c of CASES.filter((x) => x !== 'valid')) expect(byId.get(`strict-${c}`)!.push_state).toBe('none')

    // …and counted in the metrics by decision and reason.
    const metrics = await (await fetch(`${t.url}/metrics`, { headers: { 'x-api-key': KEYS.metrics } })).text()
    for (const reason of ['signer_revoked', 'digest_mismatch', 'signer_expired_at_signing', 'unknown_issuer', 'unsigned'])
      expect(metrics).toContain(`lgsp_hub_warehouse_signature_decisions_total{source="local",decision="blocked",reason="${reason}"} 1`)
  })

  it('under accept (dossier components here) pushes every case and offers every one for reuse, with its outcome kept', async () => {
    const owner = '056085000802'
    for (const c of CASES) {
      const r = await post(t, { ...body(sandbox, 'lenient', c, owner).body, resultCode: undefined, dossierCode: '000.00.06.H56-261201-0017' })
      expect(r.status).toBe(202)
      expect(r.body.pushState).toBe('pending')
      expect(r.body.signature).toMatchObject({ status: EXPECTED[c].status, policy: 'accept', decision: 'pass' })
    }
    const w = sandbox.sims.warehouse
    await waitFor(() => CASES.every((c) => w.uploaded(`lenient-${c}`)), 30_000)
    for (const c of CASES) expect(w.uploaded(`lenient-${c}`)!.deliveries).toBe(1)
    expect(await reuse(t, owner)).toEqual(CASES.map((c) => `lenient-${c}`).sort())
  })

  it('an operator re-check releases a document blocked while its CA was unreachable (hard-fail), and keeps a failing one blocked', async () => {
    const w = sandbox.sims.warehouse
    const ADMIN = { 'x-api-key': KEYS.operator }
    const recheck = async (id: string) => {
      const res = await fetch(`${t.url}/admin/warehouse/documents/${id}/signature-check`, { method: 'POST', headers: ADMIN })
      expect(res.status).toBe(200)
      return (await res.json()) as { pushState: string; signature: Record<string, unknown> }
    }
    // A failing document stays blocked and out of the outbox.
    const unsigned = await post(t, body(sandbox, 'recheck', 'unsigned', '056085000803').body)
    expect(await recheck(unsigned.body.id)).toMatchObject({
      pushState: 'blocked',
      signature: { status: 'unsigned', decision: 'blocked', reasons: ['unsigned'] },
    })
    // A valid document as intake stores it when its CA is unreachable under REVOCATION_OFFLINE=hard-fail
    // (blocked: revocation_unknown; no push job)…
    const wh = t.hub.services.warehouse
    const pdf = pdfOf(sandbox, 'valid', 'Giay khai sinh recheck\nSo: 77/2026/KS')
    const put = await wh.blobs.put(pdf, sha(pdf))
    const heldId = (await wh.intake.repo.insertLocal({
      localId: 'recheck-valid',
      ownerIdType: 'cccd',
      ownerId: '056085000803',
      ownerName: null,
      documentCode: 'GT.KS.001',
      resultCode: 'KQ.G15.000031',
      title: null,
      number: null,
      issuingAgency: null,
      issuedOn: '2026-01-15',
      validUntil: null,
      permanent: true,
      scope: null,
      summary: null,
      signer: null,
      digitisationKind: null,
      agencyCode: '000.00.00.H56',
      procedureCode: null,
      fieldCode: null,
      dossierCode: null,
      blobSha256: put.sha256,
      size: put.size,
      contentType: 'application/pdf',
      fileName: 'valid.pdf',
      signatureStatus: 'valid',
      signatureReason: null,
      signatureSigner: null,
      signatureSignedAt: null,
      signatureDecision: 'blocked',
      signaturePolicy: 'require',
      signatureReasons: ['revocation_unknown'],
      clientId: 'province-test',
      bodySha256: sha(Buffer.from('recheck-valid')),
    }))!
    const held = { body: { id: heldId } }
    await new Promise((r) => setTimeout(r, 1000))
    expect(w.uploaded('recheck-valid')).toBeUndefined()
    expect(await reuse(t, '056085000803')).toEqual([])
    // …is checked again once the CA answers, and pushed.
    const after = await recheck(held.body.id)
    expect(after).toMatchObject({ pushState: 'pending', signature: { status: 'valid', decision: 'pass', policy: 'require' } })
    await waitFor(() => w.uploaded('recheck-valid'), 30_000)
    expect(w.uploaded('recheck-valid')!.deliveries).toBe(1)
    expect((await fetch(`${t.url}/admin/warehouse/documents/${held.body.id}/signature-check`, { method: 'POST', headers: H })).status).toBe(403)
  })
})
