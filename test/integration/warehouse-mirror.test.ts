import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { ownersCoveringSignatureCases, trustAnchorsFile } from '../helpers/warehouse.js'

const ADMIN = { 'x-api-key': KEYS.operator, 'content-type': 'application/json' }
const H = { 'x-api-key': KEYS.province, 'x-purpose': 'TTHC' }
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const EXPECTED = {
  valid: { status: 'valid', reason: null },
  tampered: { status: 'invalid', reason: 'digest_mismatch' },
  expired: { status: 'invalid', reason: 'signer_expired_at_signing' },
  untrusted: { status: 'untrusted', reason: 'unknown_issuer' },
  unsigned: { status: 'unsigned', reason: null },
} as const

async function backfill(t: TestHub, ownerIds: string[]) {
  const res = await fetch(`${t.url}/admin/warehouse/backfill`, { method: 'POST', headers: ADMIN, body: JSON.stringify({ ownerIds }) })
  expect(res.status).toBe(202)
  const { backfillId } = (await res.json()) as { backfillId: string }
  return waitFor(
    async () => {
      const p = (await (await fetch(`${t.url}/admin/warehouse/backfill/${backfillId}`, { headers: ADMIN })).json()) as {
        done: number
        failed: number
        documents: number
      }
      return p.done + p.failed === ownerIds.length ? p : undefined
    },
    60_000,
    200,
  )
}

const downloads = (t: TestHub) => t.sandbox.kit.recorder.query({ sim: 'dvcqg', operation: 'GetGiayToByUrl', limit: 1_000_000 }).length

describe('warehouse mirror from the sandbox (real Redis, PGlite, HTTP)', () => {
  let t: TestHub
  beforeAll(async () => {
    const sandbox = await startSandbox(11)
    // The DVCQG deadline covers a whole file download (connect to last byte): room for a loaded CI machine.
    t = await startTestHub({
      sandbox,
      env: { WAREHOUSE_TRUST_ANCHORS_FILE: trustAnchorsFile(sandbox), WAREHOUSE_RATE_PER_SEC: 0, UPSTREAM_TIMEOUT_MS: 10_000 },
    })
  })
  afterAll(async () => {
    await t?.close()
    await t?.sandbox.close()
  })

  it('mirrors owners, stores each file once with its signature outcome (valid, tampered, expired, untrusted, unsigned); a second run transfers nothing', async () => {
    const w = t.sandbox.sims.warehouse
    const owners = ownersCoveringSignatureCases(t.sandbox, 30)
    const seeded = owners.flatMap((o) => w.documentsOf(o))
    const progress = await backfill(t, owners)
    expect(progress).toMatchObject({ done: owners.length, failed: 0, documents: seeded.length })
    expect(downloads(t)).toBe(seeded.length)

    const { rows } = await t.hub.db.query<{
      national_file_path: string
      blob_sha256: string
      signature_status: string
      signature_reason: string | null
      result_code: string
      fetch_state: string
    }>(
      `SELECT national_file_path, blob_sha256, signature_status, signature_reason, result_code, fetch_state FROM warehouse_documents WHERE owner_id = ANY($1::text[])`,
      [owners],
    )
    expect(rows).toHaveLength(seeded.length)
    const byPath = new Map(rows.map((r) => [r.national_file_path, r]))
    const kinds = new Set<string>()
    for (const d of seeded) {
      const r = byPath.get(d.path)!
      expect(r.fetch_state).toBe('stored')
      expect(r.blob_sha256).toBe(sha(w.fileOf(d)))
      expect({ status: r.signature_status, reason: r.signature_reason }).toEqual(EXPECTED[d.signature])
      kinds.add(d.signature)
    }
    expect([...kinds].sort()).toEqual(['expired', 'tampered', 'unsigned', 'untrusted', 'valid'])

    const before = downloads(t)
    const again = await backfill(t, owners)
    expect(again).toMatchObject({ done: owners.length, failed: 0 })
    expect(downloads(t)).toBe(before)
    const count = await t.hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM warehouse_documents WHERE owner_id = ANY($1::text[])`, [owners])
    expect(count.rows[0]!.n).toBe(seeded.length)
  })

  it('detects corrupted and truncated downloads by hash, retries them and ends with correct files only', async () => {
    const w = t.sandbox.sims.warehouse
    await fetch(`${t.sandbox.url}/warehouse/_sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ corruptRate: 0.025, truncateRate: 0.025 }),
    })
    const owners = w.owners().slice(500, 580)
    const seeded = owners.flatMap((o) => w.documentsOf(o))
    const damagedBefore = w.stats.corrupted + w.stats.truncated
    const retriesBefore =
      (await t.hub.metrics.registry.getSingleMetric('lgsp_hub_warehouse_files_total')!.get()).values.find((v) => v.labels['outcome'] === 'integrity_retry')
        ?.value ?? 0
    const progress = await backfill(t, owners)
    await fetch(`${t.sandbox.url}/warehouse/_sandbox/faults`, { method: 'DELETE' })
    expect(progress).toMatchObject({ done: owners.length, failed: 0 })
    const damaged = w.stats.corrupted + w.stats.truncated - damagedBefore
    expect(damaged).toBeGreaterThan(5)
    const retries =
      (await t.hub.metrics.registry.getSingleMetric('lgsp_hub_warehouse_files_total')!.get()).values.find((v) => v.labels['outcome'] === 'integrity_retry')!
        .value - retriesBefore
    expect(retries).toBe(damaged)
    const { rows } = await t.hub.db.query<{ national_file_path: string; blob_sha256: string }>(
      `SELECT national_file_path, blob_sha256 FROM warehouse_documents WHERE owner_id = ANY($1::text[])`,
      [owners],
    )
    expect(rows).toHaveLength(seeded.length)
    const byPath = new Map(rows.map((r) => [r.national_file_path, r.blob_sha256]))
    for (const d of seeded) expect(byPath.get(d.path)).toBe(sha(w.fileOf(d)))
    // No damaged bytes reached the blob store: every blob on disk hashes to its name.
    for (const r of rows) {
      const chunks: Buffer[] = []
      for await (const c of t.hub.services.warehouse.blobs.get(r.blob_sha256)) chunks.push(c as Buffer)
      expect(sha(Buffer.concat(chunks))).toBe(r.blob_sha256)
    }
  })

  it('an owner whose files stay damaged is not stored, and a later run resumes with only the missing files', async () => {
    const w = t.sandbox.sims.warehouse
    const owner = w.owners()[700]!
    const seeded = w.documentsOf(owner)
    await fetch(`${t.sandbox.url}/warehouse/_sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ corruptRate: 1 }),
    })
    const res = await fetch(`${t.url}/admin/warehouse/backfill`, { method: 'POST', headers: ADMIN, body: JSON.stringify({ ownerIds: [owner] }) })
    const { backfillId } = (await res.json()) as { backfillId: string }
    // The first job attempt gives up on every file (each download damaged 4 times): nothing stored.
    // The owner's error is written once the attempt has seen every file: wait for it too.
    await waitFor(async () => {
      const { rows } = await t.hub.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM warehouse_documents WHERE owner_id = $1 AND fetch_state = 'failed'`,
        [owner],
      )
      const o = await t.hub.db.query<{ last_error: string | null }>(`SELECT last_error FROM warehouse_mirror_owners WHERE owner_id = $1`, [owner])
      return rows[0]!.n === seeded.length && o.rows[0]?.last_error
    }, 30_000)
    const stored = await t.hub.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM warehouse_documents WHERE owner_id = $1 AND blob_sha256 IS NOT NULL`, [
      owner,
    ])
    expect(stored.rows[0]!.n).toBe(0)
    const owners = await t.hub.db.query<{ last_error: string }>(`SELECT last_error FROM warehouse_mirror_owners WHERE owner_id = $1`, [owner])
    expect(owners.rows[0]!.last_error).toContain('integrity check')
    // The portal heals; the job's own retry (backoff) completes the owner.
    await fetch(`${t.sandbox.url}/warehouse/_sandbox/faults`, { method: 'DELETE' })
    const p = await waitFor(async () => {
      const r = (await (await fetch(`${t.url}/admin/warehouse/backfill/${backfillId}`, { headers: ADMIN })).json()) as { done: number }
      return r.done === 1 ? r : undefined
    }, 30_000)
    expect(p).toMatchObject({ done: 1, failed: 0, documents: seeded.length })
    const { rows } = await t.hub.db.query<{ national_file_path: string; blob_sha256: string; fetch_state: string }>(
      `SELECT national_file_path, blob_sha256, fetch_state FROM warehouse_documents WHERE owner_id = $1`,
      [owner],
    )
    expect(rows).toHaveLength(seeded.length)
    for (const d of seeded) expect(rows.find((r) => r.national_file_path === d.path)).toMatchObject({ fetch_state: 'stored', blob_sha256: sha(w.fileOf(d)) })
    // A run interrupted after storing some files (here: two rows lost) resumes with exactly the missing ones.
    await t.hub.db.query(`DELETE FROM warehouse_documents WHERE owner_id = $1 AND national_file_path = ANY($2::text[])`, [
      owner,
      seeded.slice(0, 2).map((d) => d.path),
    ])
    const before = downloads(t)
    expect(await backfill(t, [owner])).toMatchObject({ done: 1, failed: 0 })
    expect(downloads(t) - before).toBe(2)
  })

  it('refuses a bad backfill with the field, and the admin routes to a province client', async () => {
    const empty = await fetch(`${t.url}/admin/warehouse/backfill`, { method: 'POST', headers: ADMIN, body: JSON.stringify({ ownerIds: [] }) })
    expect(empty.status).toBe(400)
    expect(empty.headers.get('content-type')).toContain('application/problem+json')
    expect(((await empty.json()) as { errors: { field: string }[] }).errors[0]!.field).toContain('ownerIds')
    const province = await fetch(`${t.url}/admin/warehouse/stats`, { headers: H })
    expect(province.status).toBe(403)
    const unknown = await fetch(`${t.url}/admin/warehouse/backfill/bf0000`, { headers: ADMIN })
    expect(unknown.status).toBe(404)
  })

  it('takes a file of owner ids (text/plain, one per line)', async () => {
    const owners = t.sandbox.sims.warehouse.owners().slice(800, 803)
    const res = await fetch(`${t.url}/admin/warehouse/backfill`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.operator, 'content-type': 'text/plain' },
      body: owners.join('\n') + '\n',
    })
    expect(res.status).toBe(202)
    const { backfillId, owners: n } = (await res.json()) as { backfillId: string; owners: number }
    expect(n).toBe(3)
    const p = await waitFor(async () => {
      const r = (await (await fetch(`${t.url}/admin/warehouse/backfill/${backfillId}`, { headers: ADMIN })).json()) as { done: number }
      return r.done === 3 ? r : undefined
    }, 30_000)
    expect(p).toMatchObject({ owners: 3, done: 3, failed: 0 })
  })

  it('serves the reuse query, the document and its streamed content, with audit records that hold no identity number', async () => {
    const w = t.sandbox.sims.warehouse
    const owner = w.owners()[600]!
    await backfill(t, [owner])
    const seeded = w.documentsOf(owner)
    const res = await fetch(`${t.url}/v1/warehouse/owners/${owner}/documents`, { headers: H })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { documents: { id: string; resultCode: string; file: { sha256: string; url: string }; signature: { status: string } }[] }
    expect(body.documents).toHaveLength(seeded.length)
    const one = seeded[0]!
    const filtered = (await (await fetch(`${t.url}/v1/warehouse/owners/${owner}/documents?resultCode=${one.resultCode}`, { headers: H })).json()) as typeof body
    expect(filtered.documents.length).toBe(seeded.filter((d) => d.resultCode === one.resultCode).length)
    expect(filtered.documents.every((d) => d.resultCode === one.resultCode)).toBe(true)
    const doc = filtered.documents[0]!
    const meta = await fetch(`${t.url}/v1/warehouse/documents/${doc.id}`, { headers: H })
    expect(((await meta.json()) as { id: string }).id).toBe(doc.id)
    const content = await fetch(`${t.url}${doc.file.url}`, { headers: H })
    expect(content.status).toBe(200)
    expect(content.headers.get('content-type')).toBe('application/pdf')
    expect(sha(Buffer.from(await content.arrayBuffer()))).toBe(doc.file.sha256)
    const audit = await t.hub.db.query<{ action: string; subject_hash: string; detail: unknown }>(
      `SELECT action, subject_hash, detail FROM audit_log WHERE service = 'warehouse' ORDER BY id DESC LIMIT 4`,
    )
    expect(audit.rows.map((r) => r.action).sort()).toEqual(['content', 'document', 'owner_documents', 'owner_documents'])
    for (const r of audit.rows) {
      expect(r.subject_hash).toMatch(/^[0-9a-f]{64}$/)
      expect(JSON.stringify(r)).not.toContain(owner)
    }
    const missing = await fetch(`${t.url}/v1/warehouse/documents/00000000-0000-4000-8000-000000000000`, { headers: H })
    expect(missing.status).toBe(404)
    const bad = await fetch(`${t.url}/v1/warehouse/owners/${owner}/documents?validOn=2026-13-01`, { headers: H })
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as { errors: { field: string }[] }).errors[0]!.field).toContain('validOn')
  })
})
