import { randomBytes } from 'node:crypto'
import { Counter } from 'prom-client'
import type { BackfillBody, BackfillProgress } from '../../../../schemas/v1/warehouse.js'
import { HubError } from '../../../errors.js'
import { UpstreamError } from '../../../http/errors.js'
import { Semaphore } from '../../../http/semaphore.js'
import type { MirroredDocumentRef, MirroredFileRef } from '../../../mappings/dvcqg/warehouse/index.js'
import { BlobIntegrityError } from '../../../documents/blob-store/index.js'
import { checkDownload, detectOwnerIdType, type OwnerIdType } from '../../../documents/integrity.js'
import type { WarehouseParts } from '../parts.js'
import { RateLimiter } from '../rate-limit.js'
import { documentKind } from '../../../documents/signature/policy.js'
import { signatureColumns } from '../signature-gate.js'
import { MirrorRepository } from './repository.js'
import type { MirrorJobs } from './worker.js'

export interface MirrorResult {
  files: number
  downloaded: number
  skipped: number
  integrityRetries: number
  failed: number
}

export interface MirrorOptions {
  signal?: AbortSignal
  onProgress?: (done: number, total: number) => Promise<void> | void
}

interface FileTask {
  doc: MirroredDocumentRef
  file: MirroredFileRef
  /** National identity of the file: custodian agency and path. */
  ref: string
}

const nationalRef = (doc: MirroredDocumentRef, file: MirroredFileRef) => `${doc.custodianAgency ?? ''}|${file.path}`

/**
 * The mirror of the national warehouse: per owner `GetKetQuaGiayTo`, then `GetGiayToByUrl`
 * per file not held yet, each file checked before it is stored and its signature verified.
 * Backfills record their owners (resumable) and queue one `warehouse-mirror` job each.
 */
export class MirrorService {
  readonly repo: MirrorRepository
  private readonly downloads: Semaphore
  private readonly rate: RateLimiter
  private readonly files: Counter<'outcome'>

  constructor(
    private readonly parts: WarehouseParts,
    private readonly jobs: MirrorJobs,
  ) {
    const cfg = parts.ctx.config
    this.repo = new MirrorRepository(parts.ctx.db)
    this.downloads = new Semaphore(cfg.WAREHOUSE_DOWNLOAD_CONCURRENCY)
    this.rate = new RateLimiter(cfg.WAREHOUSE_RATE_PER_SEC)
    this.files = new Counter({
      name: 'lgsp_hub_warehouse_files_total',
      help: 'Mirrored files by outcome (stored, skipped, integrity_retry, failed)',
      labelNames: ['outcome'] as const,
      registers: [parts.ctx.metrics.registry],
    })
  }

  /** Lists an owner's results at the national warehouse. */
  async listOwner(ownerId: string, signal?: AbortSignal): Promise<MirroredDocumentRef[]> {
    const dvcqg = this.parts.dvcqg()
    await this.rate.take(signal)
    return dvcqg.listOwnerDocuments({ ownerId, requesterName: 'lgsp-hub', requesterId: this.parts.ctx.config.WAREHOUSE_REQUESTER_ID, channel: 2 }, signal)
  }

  /**
   * Mirrors one owner: lists the results, downloads each file the hub does not hold yet
   * (a second run transfers nothing), checks and stores it. Stored files survive a crash,
   * so a retried or resumed owner continues where it stopped. Throws (retryable) when a
   * file could not be stored, after recording the pass.
   */
  async mirrorOwner(ownerId: string, opts: MirrorOptions = {}): Promise<MirrorResult> {
    const type = detectOwnerIdType(ownerId)
    await this.repo.startOwner(ownerId, type)
    const docs = await this.listOwner(ownerId, opts.signal)
    const files: FileTask[] = docs.flatMap((doc) => doc.files.map((file) => ({ doc, file, ref: nationalRef(doc, file) })))
    const held = await this.repo.storedFiles(files.map((f) => f.ref))
    const todo = files.filter((f) => {
      const h = held.get(f.ref)
      return h === undefined || (f.file.sha256 !== undefined && f.file.sha256 !== h)
    })
    const result: MirrorResult = { files: files.length, downloaded: 0, skipped: files.length - todo.length, integrityRetries: 0, failed: 0 }
    this.files.labels('skipped').inc(result.skipped)
    let done = result.skipped
    const errors: string[] = []
    await Promise.all(
      todo.map(async (f) => {
        try {
          result.integrityRetries += await this.fetchFile(ownerId, type, f, opts.signal)
          result.downloaded++
        } catch (e) {
          result.failed++
          errors.push((e as Error).message)
        }
        done++
        await opts.onProgress?.(done, files.length)
      }),
    )
    const cursor = { files: files.length, stored: files.length - result.failed }
    if (result.failed > 0) {
      const message = `${result.failed} of ${files.length} files not stored: ${errors[0]}`.slice(0, 1000)
      await this.repo.finishOwner(ownerId, cursor, files.length, message)
      throw new UpstreamError('dvcqg', 'malformed', message)
    }
    await this.repo.finishOwner(ownerId, cursor, files.length, null)
    return result
  }

  /**
   * Downloads, checks (listed SHA-256, else size and PDF frame), stores and records one file;
   * returns the integrity re-downloads it took. A damaged transfer is downloaded again at once,
   * up to WAREHOUSE_DOWNLOAD_ATTEMPTS times, and never stored: the call itself succeeded, so
   * this is a check of the bytes, not a retry layer. Upstream failures go to the job's retry.
   */
  private async fetchFile(ownerId: string, type: OwnerIdType, { doc, file, ref }: FileTask, signal?: AbortSignal): Promise<number> {
    const max = this.parts.ctx.config.WAREHOUSE_DOWNLOAD_ATTEMPTS
    let lastError = ''
    for (let attempt = 1; attempt <= max; attempt++) {
      const bytes = await this.download(doc, file, signal)
      const check = checkDownload(bytes, { sha256: file.sha256, size: file.size })
      if (!check.ok) {
        lastError = `download ${attempt}/${max} failed the integrity check (${check.reason}, ${bytes.length} bytes)`
        this.files.labels('integrity_retry').inc()
        continue
      }
      let put
      try {
        put = await this.parts.blobs.put(bytes, check.sha256)
      } catch (e) {
        if (e instanceof BlobIntegrityError) {
          lastError = e.message
          continue
        }
        throw e
      }
      const gated = await this.parts.gate.check(bytes, 'mirror', documentKind({ resultCode: doc.resultCode }))
      await this.repo.upsertMirrored({
        ownerIdType: type,
        ownerId,
        documentCode: doc.documentCode ?? null,
        resultCode: doc.resultCode,
        title: doc.title,
        number: doc.number,
        custodianAgency: doc.custodianAgency,
        issuedOn: doc.issuedOn ?? null,
        validUntil: doc.validUntil ?? null,
        permanent: doc.permanent ?? false,
        signer: doc.signer ?? null,
        agencyCode: this.parts.agency,
        blobSha256: put.sha256,
        size: put.size,
        fileName: file.name,
        nationalFilePath: file.path,
        fetchAttempts: attempt,
        ...signatureColumns(gated),
        nationalRef: ref,
      })
      this.files.labels('stored').inc()
      return attempt - 1
    }
    this.files.labels('failed').inc()
    await this.repo.recordFetchFailure({
      ownerIdType: type,
      ownerId,
      resultCode: doc.resultCode,
      title: doc.title,
      number: doc.number,
      custodianAgency: doc.custodianAgency,
      agencyCode: this.parts.agency,
      fileName: file.name,
      nationalFilePath: file.path,
      fetchAttempts: max,
      error: lastError,
      nationalRef: ref,
    })
    throw new Error(lastError)
  }

  private async download(doc: MirroredDocumentRef, file: MirroredFileRef, signal?: AbortSignal): Promise<Buffer> {
    const dvcqg = this.parts.dvcqg()
    await this.rate.take(signal)
    return this.downloads.run(() => dvcqg.downloadFile({ custodianAgency: doc.custodianAgency, path: file.path }, signal))
  }

  /** `POST /admin/warehouse/backfill`: records the owners (resumable) and queues one mirror job each. */
  async backfill(body: BackfillBody): Promise<{ backfillId: string; owners: number }> {
    const backfillId = `bf${Date.now().toString(36)}${randomBytes(3).toString('hex')}`
    const ids = [...new Set(body.ownerIds.map((s) => s.trim()))]
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000)
      const refs = await this.repo.enqueueOwners(
        chunk,
        chunk.map((id) => body.ownerIdType ?? detectOwnerIdType(id)),
        backfillId,
      )
      await this.jobs.enqueue(
        refs.map((ref) => ({ ref, backfillId })),
        backfillId,
      )
    }
    return { backfillId, owners: ids.length }
  }

  async backfillProgress(backfillId: string): Promise<BackfillProgress> {
    const rows = await this.repo.backfillCounts(backfillId)
    if (rows.length === 0) throw new HubError('HUB_ERR_NOT_FOUND', `backfill ${backfillId} is unknown`)
    const by = (s: string) => rows.find((r) => r.state === s)?.n ?? 0
    return {
      backfillId,
      owners: rows.reduce((a, r) => a + r.n, 0),
      pending: by('pending'),
      running: by('running'),
      done: by('done'),
      failed: by('failed'),
      documents: rows.reduce((a, r) => a + r.docs, 0),
    }
  }
}
