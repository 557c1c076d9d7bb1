import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../../src/store/migrate.js'
import type { Db } from '../../src/store/db.js'
import { DocumentRepository } from '../../src/services/warehouse/document/repository.js'
import { IntakeRepository, type LocalDocumentInput } from '../../src/services/warehouse/intake/repository.js'
import { MirrorRepository, type MirroredFileInput } from '../../src/services/warehouse/mirror/repository.js'
import { ReuseRepository, type OwnerDocumentFilter } from '../../src/services/warehouse/reuse/repository.js'
import { StatsRepository } from '../../src/services/warehouse/stats/repository.js'
import { DossierRepository } from '../../src/services/dossiers/repository.js'
import { storageEngines } from '../helpers/pg.js'

const { engines, closeEngines } = storageEngines()
afterAll(closeEngines)

const OWNER = '056085000123'
const hex = (c: string) => c.repeat(64)
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

function local(n: number, extra: Partial<LocalDocumentInput> = {}): LocalDocumentInput {
  return {
    localId: `doc-${n}`,
    ownerIdType: 'cccd',
    ownerId: OWNER,
    ownerName: 'Nguyễn Văn Thử',
    documentCode: 'GT.KS.001',
    resultCode: null,
    title: 'Giấy khai sinh',
    number: `${n}/2026`,
    issuingAgency: 'UBND xã Thử',
    issuedOn: '2026-01-15',
    validUntil: null,
    permanent: true,
    scope: null,
    summary: null,
    signer: null,
    digitisationKind: '1',
    agencyCode: 'A1',
    procedureCode: null,
    fieldCode: null,
    dossierCode: null,
    blobSha256: hex('a'),
    size: 1234,
    contentType: 'application/pdf',
    fileName: `ks-${n}.pdf`,
    signatureStatus: 'valid',
    signatureReason: null,
    signatureSigner: 'CN=Ký thử',
    signatureSignedAt: '2026-01-15T03:00:00.000Z',
    clientId: 'province',
    bodySha256: hex('b'),
    ...extra,
  }
}

function mirrored(path: string, extra: Partial<MirroredFileInput> = {}): MirroredFileInput {
  return {
    ownerIdType: 'cccd',
    ownerId: OWNER,
    documentCode: 'GT.HN.002',
    resultCode: 'KQ.G15.000031',
    title: 'Giấy chứng nhận kết hôn',
    number: '12/2020',
    custodianAgency: 'C1',
    issuedOn: '2020-05-01',
    validUntil: '2025-12-31',
    permanent: false,
    signer: 'Cán bộ',
    agencyCode: 'A1',
    blobSha256: hex('c'),
    size: 999,
    fileName: 'kh.pdf',
    nationalFilePath: path,
    fetchAttempts: 1,
    signatureStatus: 'untrusted',
    signatureReason: 'unknown_issuer',
    signatureSigner: null,
    signatureSignedAt: null,
    nationalRef: `C1|${path}`,
    ...extra,
  }
}

const filter = (extra: Partial<OwnerDocumentFilter> = {}): OwnerDocumentFilter => ({
  ownerId: OWNER,
  documentCodes: [],
  resultCodes: [],
  validOn: null,
  signature: null,
  agencies: ['*'],
  limit: 100,
  offset: 0,
  ...extra,
})

describe.each(engines)('warehouse repositories on %s', (_name, open) => {
  let db: Db
  let docs: DocumentRepository
  let intake: IntakeRepository
  let mirror: MirrorRepository
  let reuse: ReuseRepository
  beforeAll(async () => {
    db = await open()
    await migrate(db)
    docs = new DocumentRepository(db)
    intake = new IntakeRepository(db)
    mirror = new MirrorRepository(db)
    reuse = new ReuseRepository(db)
  })

  it('inserts a local document once per documentId and reads it back by id and by documentId', async () => {
    const id = await intake.insertLocal(local(1))
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(await intake.insertLocal(local(1, { blobSha256: hex('d') }))).toBeUndefined()
    const row = (await docs.byLocalId('doc-1'))!
    expect(row).toMatchObject({
      id,
      local_id: 'doc-1',
      source: 'local',
      owner_id: OWNER,
      document_code: 'GT.KS.001',
      issued_on: '2026-01-15',
      valid_until: null,
      permanent: true,
      blob_sha256: hex('a'),
      size: 1234,
      fetch_state: 'stored',
      signature_status: 'valid',
      push_state: 'pending',
      push_attempts: 0,
      client_id: 'province',
      body_sha256: hex('b'),
    })
    expect(row.signature_signed_at).toEqual(new Date('2026-01-15T03:00:00.000Z'))
    expect((await docs.byId(id!))!.local_id).toBe('doc-1')
    expect(await docs.byId('00000000-0000-4000-8000-000000000000')).toBeUndefined()
  })

  it('upserts a mirrored file on its national ref, keeps a failure without a blob, and lists stored files', async () => {
    await mirror.upsertMirrored(mirrored('/f/1'))
    await mirror.upsertMirrored(mirrored('/f/1', { blobSha256: hex('e'), fetchAttempts: 2, signatureStatus: 'valid', signatureReason: null }))
    await mirror.recordFetchFailure({
      ownerIdType: 'cccd',
      ownerId: OWNER,
      resultCode: 'KQ.X',
      title: null,
      number: null,
      custodianAgency: 'C1',
      agencyCode: 'A1',
      fileName: 'x.pdf',
      nationalFilePath: '/f/2',
      fetchAttempts: 4,
      error: 'download 4/4 failed the integrity check',
      nationalRef: 'C1|/f/2',
    })
    const { rows } = await db.query<{
      national_ref: string
      blob_sha256: string | null
      fetch_state: string
      fetch_attempts: number
      valid_until: string | null
      signature_status: string | null
      last_fetch_error: string | null
    }>(
      `SELECT national_ref, blob_sha256, fetch_state, fetch_attempts, valid_until::text AS valid_until, signature_status, last_fetch_error FROM warehouse_documents WHERE source = 'national' ORDER BY national_ref`,
    )
    expect(rows).toEqual([
      {
        national_ref: 'C1|/f/1',
        blob_sha256: hex('e'),
        fetch_state: 'stored',
        fetch_attempts: 3,
        valid_until: '2025-12-31',
        signature_status: 'valid',
        last_fetch_error: null,
      },
      {
        national_ref: 'C1|/f/2',
        blob_sha256: null,
        fetch_state: 'failed',
        fetch_attempts: 4,
        valid_until: null,
        signature_status: null,
        last_fetch_error: 'download 4/4 failed the integrity check',
      },
    ])
    expect([...(await mirror.storedFiles(['C1|/f/1', 'C1|/f/2', 'C1|/none']))]).toEqual([['C1|/f/1', hex('e')]])
    expect((await docs.referencedBlobs([hex('a'), hex('c'), hex('e')])).sort()).toEqual([hex('a'), hex('e')])
  })

  it('finds an owner’s stored documents by codes, validity date, signature and served agency', async () => {
    await intake.insertLocal(
      local(2, {
        agencyCode: 'A2',
        documentCode: 'GT.CC.003',
        issuedOn: '2026-03-01',
        permanent: false,
        validUntil: '2026-12-31',
        signatureStatus: 'unsigned',
        signatureSigner: null,
        signatureSignedAt: null,
      }),
    )
    const ids = async (f: Partial<OwnerDocumentFilter>) => (await reuse.ownerDocuments(filter(f))).map((r) => r.local_id ?? r.national_ref)
    // Newest issue first; the failed mirror (no file) is never listed.
    expect(await ids({})).toEqual(['doc-2', 'doc-1', 'C1|/f/1'])
    expect(await ids({ documentCodes: ['GT.KS.001'] })).toEqual(['doc-1'])
    expect(await ids({ resultCodes: ['KQ.G15.000031'] })).toEqual(['C1|/f/1'])
    expect(await ids({ documentCodes: ['GT.KS.001'], resultCodes: ['KQ.G15.000031'] })).toEqual(['doc-1', 'C1|/f/1'])
    // Valid on a date: issued by then and not expired (permanent documents never expire).
    expect(await ids({ validOn: '2026-02-01' })).toEqual(['doc-1'])
    expect(await ids({ validOn: '2026-06-01' })).toEqual(['doc-2', 'doc-1'])
    expect(await ids({ validOn: '2024-01-01' })).toEqual(['C1|/f/1'])
    expect(await ids({ signature: 'unsigned' })).toEqual(['doc-2'])
    // Local documents of agencies the client does not serve are left out; mirrored ones are everyone's.
    expect(await ids({ agencies: ['A2'] })).toEqual(['doc-2', 'C1|/f/1'])
    expect(await ids({ agencies: ['Z9'] })).toEqual(['C1|/f/1'])
    expect(await ids({ limit: 1, offset: 1 })).toEqual(['doc-1'])
    expect(await ids({ ownerId: '000000000000' })).toEqual([])
  })

  it('moves a push through lease, retry hold, delivery, and a permanent refusal', async () => {
    const id = (await docs.byLocalId('doc-1'))!.id
    expect(await intake.countPending()).toBe(2)
    const claimed = await intake.claimPush(id, 60_000)
    expect(claimed).toMatchObject({ id, push_state: 'pending', push_attempts: 0 })
    // Leased: a second pusher gets nothing, and the reconciler leaves it alone.
    expect(await intake.claimPush(id, 60_000)).toBeUndefined()
    await pause(20)
    expect((await intake.pushesToResume(0)).map((r) => r.id)).not.toContain(id)
    // A transient failure releases the lease; the job's retry may claim at once, the reconciler only after the hold.
    await intake.recordPushRetry(id, 1, 'DVCQG answered HTTP 503', 60_000)
    await pause(20)
    expect((await intake.pushesToResume(0)).map((r) => r.id)).not.toContain(id)
    expect(await intake.claimPush(id, 60_000)).toMatchObject({ id, push_attempts: 1 })
    await intake.recordPushRetry(id, 2, 'DVCQG answered HTTP 503', 0)
    await pause(20)
    expect(await intake.pushesToResume(0)).toContainEqual({ id, push_attempts: 2 })
    expect(await intake.pushesToResume(3_600_000)).toEqual([])
    expect(await intake.claimPush(id, 60_000)).toBeDefined()
    await intake.markPushed(id, 'KHO-1')
    await intake.markPushed(id, 'KHO-2')
    expect(await intake.claimPush(id, 60_000)).toBeUndefined()
    const pushed = await db.query<{ push_state: string; push_attempts: number; national_ref: string; last_push_error: string | null; pushed: boolean }>(
      `SELECT push_state, push_attempts, national_ref, last_push_error, pushed_at IS NOT NULL AS pushed FROM warehouse_documents WHERE id = $1`,
      [id],
    )
    // The first national id stays.
    expect(pushed.rows[0]).toMatchObject({ push_state: 'pushed', national_ref: 'KHO-1', last_push_error: null, pushed: true })
    expect(pushed.rows[0]!.push_attempts).toBeGreaterThanOrEqual(3)

    const other = (await docs.byLocalId('doc-2'))!.id
    expect(await intake.claimPush(other, 60_000)).toBeDefined()
    await intake.markPushFailed(other, 1, 'DVCQG DongBoKetQuaSoHoa rejected: Thiếu trường Ma')
    expect(await intake.claimPush(other, 60_000)).toBeUndefined()
    expect((await intake.pushesToResume(0)).map((r) => r.id)).not.toContain(other)
    expect(await docs.byId(other)).toMatchObject({ push_state: 'failed', push_attempts: 1 })
    expect(await intake.countPending()).toBe(0)
  })

  it('tracks mirror owners: backfill, progress per state, the job reference, stalled owners', async () => {
    const refs = await mirror.enqueueOwners(['056085000001', '056085000002'], ['cccd', 'cccd'], 'bf1')
    expect(refs).toHaveLength(2)
    expect(await mirror.ownerByRef(refs[0]!)).toEqual({ owner_id: '056085000001', state: 'pending' })
    await mirror.startOwner('056085000001', 'cccd')
    await mirror.finishOwner('056085000001', { files: 3, stored: 3 }, 3, null)
    await mirror.startOwner('056085000002', 'cccd')
    await mirror.finishOwner('056085000002', { files: 2, stored: 1 }, 2, '1 of 2 files not stored')
    const counts = await mirror.backfillCounts('bf1')
    expect(counts.sort((a, b) => a.state.localeCompare(b.state))).toEqual([
      { state: 'done', n: 1, docs: 3 },
      { state: 'running', n: 1, docs: 2 },
    ])
    expect(await mirror.backfillCounts('bf-unknown')).toEqual([])
    await pause(20)
    // Only the owner a job still holds ('running') is stalled; touched, it is not handed out twice.
    expect(await mirror.claimStalledOwners(0)).toEqual([{ ref: refs[1]!, backfill_id: 'bf1', attempts: 1 }])
    expect(await mirror.claimStalledOwners(3_600_000)).toEqual([])
    await mirror.setOwnerState('056085000002', 'failed', 'gave up')
    expect(await mirror.ownerByRef(refs[1]!)).toEqual({ owner_id: '056085000002', state: 'failed' })
    // A new backfill puts both back in line with fresh attempts.
    expect(await mirror.enqueueOwners(['056085000001', '056085000002'], ['cccd', 'cccd'], 'bf2')).toEqual(refs)
    expect(await mirror.backfillCounts('bf2')).toEqual([{ state: 'pending', n: 2, docs: 5 }])
  })

  it('records a usage once, knows the agency of a held dossier, and counts per agency and period', async () => {
    const id = (await docs.byLocalId('doc-1'))!.id
    const usage = { documentId: id, dossierCode: 'A1-260101-0001', procedureCode: '1.000001', componentCode: 'TP1', agencyCode: 'A1' }
    expect(await reuse.insertUsage(usage)).toBe(true)
    expect(await reuse.insertUsage(usage)).toBe(false)
    // The dossier's agency comes through the dossier capability's port (DossierReader), from its repository.
    const dossierRepo = new DossierRepository(db)
    expect(await dossierRepo.agencyOf('A1-260101-0001')).toBeUndefined()
    await db.query(`INSERT INTO dossiers (code, procedure_code, agency_code, snapshot, last_seq) VALUES ('A1-260101-0001', '1.000001', 'A1', '{}', 0)`)
    expect(await dossierRepo.agencyOf('A1-260101-0001')).toBe('A1')

    const vnNow = new Date(Date.now() + 7 * 3600_000)
    const year = `${vnNow.getUTCFullYear()}-01-01`
    const stats = new StatsRepository(db)
    const all = await stats.rows({ period: 'year', from: '1970-01-01', to: '9999-12-31', agencyCode: null })
    // A1: doc-1 (local, valid, pushed, reused) and the two mirrored rows (one stored: valid; one failed); A2: doc-2 (local, unsigned).
    expect(all).toEqual([
      { agency: 'A1', period: year, digitised: 1, pushed: 1, mirrored: 1, reused: 1, sv: 2, si: 0, su: 0, st: 0 },
      { agency: 'A2', period: year, digitised: 1, pushed: 0, mirrored: 0, reused: 0, sv: 0, si: 0, su: 1, st: 0 },
    ])
    expect(await stats.rows({ period: 'year', from: '1970-01-01', to: '9999-12-31', agencyCode: 'A2' })).toEqual([all[1]])
    expect(await stats.rows({ period: 'day', from: '2000-01-01', to: '2000-12-31', agencyCode: null })).toEqual([])
  })
})
