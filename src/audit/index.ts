import { createHmac, type KeyObject } from 'node:crypto'
import type { Db } from '../store/index.js'
import type { HubConfig } from '../config/schema.js'
import type { AuditQuery } from '../../schemas/v1/lookups.js'
import type { BlobStore } from '../documents/blob-store/index.js'
import { searchAuditRows, type AuditRow } from './repository.js'
import { singleFlight } from '../lib/single-flight.js'
import { appendToChain, checkpointNow, type ChainInput } from './evidence/chain.js'
import { archiveOldSegments, type ArchiveResult } from './evidence/archive.js'
import type { AuditSigner } from './evidence/signer.js'
import { verifyAuditLog, type VerifyReport } from './evidence/verify.js'
import { consistentSnapshot } from './evidence/repository.js'
import { proveRecord, ProofError, type AuditProof } from './evidence/proof.js'

/** Keyed SHA-256 (HMAC) of a subject identifier: audit rows can be matched per subject without holding the identifier. */
export function subjectHash(key: string, subjectId: string): string {
  return createHmac('sha256', key).update(subjectId.trim()).digest('hex')
}

/** One access to personal data or one operator action. */
export interface AuditEntry {
  clientId: string
  service: string
  action: string
  /** Clear subject id: hashed here, never stored. */
  subjectId?: string
  outcome: string
  status?: number
  latencyMs?: number
  requestId?: string
  purpose?: string
  detail?: Record<string, unknown>
}

/** The stored form of an entry: the subject id hashed with `key`, the time of the call. */
function toInput(key: string, e: AuditEntry, at: Date): ChainInput {
  const { subjectId, ...rest } = e
  return { ...rest, at, ...(subjectId ? { subjectHash: subjectHash(key, subjectId) } : {}) }
}

export interface AuditWriterOptions {
  /** Signs checkpoints (none: records are chained but not signed). */
  signer?: AuditSigner
  /** Sign a checkpoint in the appending transaction once this many records are unsigned (0: timer only). */
  checkpointRecords?: number
  /** Sign a checkpoint of new records this often (0: never on a timer). */
  checkpointIntervalMs?: number
  /** Most records appended in one transaction. */
  maxBatch?: number
  /** Public keys whose checkpoints verify (default: the signer's). */
  publicKeys?: KeyObject[]
  /** The archive store of segments past retention. */
  archive?: BlobStore
  /** Retention (worker role, `startRetention()`): archive checkpoint segments older than `days` to `archive`. */
  retention?: { days: number; intervalMs: number; onArchived?: (r: ArchiveResult) => void }
}

interface Pending {
  input: ChainInput
  resolve: () => void
  reject: (e: Error) => void
}

/**
 * The audit log's one writer: `write()` is the durable append. Each record is chained (hash of
 * the previous record and of its own canonical content) in the database under the head row lock,
 * so several processes extend one chain. Group commit: writes arriving while a transaction is
 * in flight are queued and appended together in the next one; every caller's promise resolves
 * only after that COMMIT (synchronous_commit on), or rejects if it failed: nothing is dropped
 * silently and nothing is acknowledged before it is on disk. See docs/audit.md.
 */
export class AuditWriter {
  private queue: Pending[] = []
  private running?: Promise<void>
  private checkpointTimer?: NodeJS.Timeout
  private retentionTimer?: NodeJS.Timeout
  private readonly maxBatch: number

  constructor(
    private readonly db: Db,
    private readonly key: string,
    private readonly onError: (err: Error, rows: number) => void,
    private readonly opts: AuditWriterOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 500
    const signer = opts.signer
    if (signer && opts.checkpointIntervalMs) {
      this.checkpointTimer = setInterval(() => void checkpointNow(this.db, signer).catch((e: Error) => this.onError(e, 0)), opts.checkpointIntervalMs)
      this.checkpointTimer.unref()
    }
  }

  /** The stored form of a subject id (for searches by subject). */
  hash(subjectId: string): string {
    return subjectHash(this.key, subjectId)
  }

  /** Appends one record durably: resolves after the transaction holding it committed. */
  write(e: AuditEntry): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ input: toInput(this.key, e, new Date()), resolve, reject })
      this.kick()
    })
  }

  private kick(): void {
    this.running ??= this.drain().finally(() => {
      this.running = undefined
      if (this.queue.length) this.kick()
    })
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch)
      try {
        await appendToChain(
          this.db,
          batch.map((p) => p.input),
          { ...(this.opts.signer ? { signer: this.opts.signer } : {}), checkpointRecords: this.opts.checkpointRecords ?? 0 },
        )
        for (const p of batch) p.resolve()
      } catch (err) {
        for (const p of batch) p.reject(err as Error)
      }
    }
  }

  /** Operators' view (`GET /admin/audit`): newest first, cursor paging; a subject id is searched by its hash. */
  async query(q: AuditQuery): Promise<{ items: AuditRow[]; nextCursor?: string }> {
    await this.flush()
    const { subjectId, ...rest } = q
    return searchAuditRows(this.db, { ...rest, ...(subjectId ? { subjectHash: this.hash(subjectId) } : {}) })
  }

  /** Fire-and-forget append (a failure goes to `onError`); prefer `await write()` before answering. */
  record(e: AuditEntry): void {
    this.write(e).catch((err: Error) => this.onError(err, 1))
  }

  /** Waits until every queued write has been committed (or failed). */
  async flush(): Promise<void> {
    while (this.running) await this.running
  }

  /** Signs a checkpoint of the records not yet signed (`false`: nothing new, or no signer). */
  async checkpoint(): Promise<boolean> {
    await this.flush()
    return this.opts.signer ? checkpointNow(this.db, this.opts.signer) : false
  }

  /**
   * Walks the chain, archived segments and checkpoints (`lgsp-hub audit verify`, `GET /admin/audit/verify`).
   * Concurrent calls share one walk (it reads the whole log).
   */
  readonly verify: () => Promise<VerifyReport> = singleFlight(async () => {
    await this.flush()
    const keys = this.opts.publicKeys ?? (this.opts.signer ? [this.opts.signer.publicKey] : [])
    return this.db.tx(async (q) => {
      await consistentSnapshot(q)
      return verifyAuditLog(q, { publicKeys: keys, ...(this.opts.archive ? { archive: this.opts.archive } : {}) })
    })
  })

  /** The inclusion proof of one record under a signed checkpoint (`lgsp-hub audit proof <id>`). */
  async prove(recordId: string): Promise<AuditProof> {
    if (!this.opts.signer) throw new ProofError('no audit signing key is configured')
    await this.flush()
    return proveRecord(this.db, recordId, { signer: this.opts.signer, ...(this.opts.archive ? { archive: this.opts.archive } : {}) })
  }

  /** Worker role: runs retention on its interval (no-op when retention is off). */
  startRetention(): void {
    const r = this.opts.retention
    const store = this.opts.archive
    if (!r || !store || r.days <= 0 || this.retentionTimer) return
    const run = () =>
      void archiveOldSegments(this.db, store, r.days)
        .then((res) => (res.segments ? r.onArchived?.(res) : undefined))
        .catch((e: Error) => this.onError(e, 0))
    this.retentionTimer = setInterval(run, r.intervalMs)
    this.retentionTimer.unref()
    run()
  }

  async close(): Promise<void> {
    if (this.checkpointTimer) clearInterval(this.checkpointTimer)
    if (this.retentionTimer) clearInterval(this.retentionTimer)
    this.checkpointTimer = this.retentionTimer = undefined
    await this.flush()
  }
}

/** The writer's options from configuration and the opened evidence (key, trusted keys, archive store). */
export function auditWriterOptions(
  cfg: Pick<HubConfig, 'AUDIT_CHECKPOINT_RECORDS' | 'AUDIT_CHECKPOINT_INTERVAL_MS' | 'AUDIT_RETENTION_DAYS' | 'AUDIT_ARCHIVE_INTERVAL_MS'>,
  ev: { signer: AuditSigner; publicKeys: KeyObject[]; archive: BlobStore },
  onArchived?: (r: ArchiveResult) => void,
): AuditWriterOptions {
  return {
    signer: ev.signer,
    publicKeys: ev.publicKeys,
    archive: ev.archive,
    checkpointRecords: cfg.AUDIT_CHECKPOINT_RECORDS,
    checkpointIntervalMs: cfg.AUDIT_CHECKPOINT_INTERVAL_MS,
    retention: { days: cfg.AUDIT_RETENTION_DAYS, intervalMs: cfg.AUDIT_ARCHIVE_INTERVAL_MS, ...(onArchived ? { onArchived } : {}) },
  }
}
