import { createHash, type KeyObject } from 'node:crypto'
import type { Queryable } from '../../store/index.js'
import type { BlobStore } from '../../documents/blob-store/index.js'
import { GENESIS, checkpointBodyOf, recordHash } from './canonical.js'
import { CompactTree } from '../merkle.js'
import { contentOf, leafHashOf } from './chain.js'
import {
  chainedRows,
  countLegacyRows,
  listArchives,
  listCheckpoints,
  readHead,
  unchainedRows,
  type ArchiveRow,
  type ChainedRow,
  type CheckpointRow,
} from './repository.js'
import { verifyCheckpointSignature } from './signer.js'
import { keyIdOf } from './signer.js'
import { parseArchive } from './archive-format.js'

export type Finding =
  | 'modified'
  | 'deleted'
  | 'inserted'
  | 'reordered'
  | 'truncated'
  | 'bad-signature'
  | 'unknown-key'
  | 'checkpoint-mismatch'
  | 'archive-corrupt'

export interface VerifyProblem {
  kind: Finding
  /** The first record that does not verify (audit_log.id), when a record is at fault. */
  recordId?: string
  /** Its chain position (or the first missing position). */
  seq?: number
  /** The checkpoint at fault (audit_checkpoint.id). */
  checkpointId?: string
  message: string
}

export interface VerifyReport {
  ok: boolean
  /** Chain positions checked (online and archived). */
  records: number
  archivedRecords: number
  /** Rows from before the chain began (migration 0600), not covered. */
  legacyRecords: number
  checkpoints: number
  headSize: number
  problem?: VerifyProblem
  ms: number
}

export interface VerifyOptions {
  /** Public keys accepted for checkpoint signatures (the hub's own, and retired ones). */
  publicKeys: KeyObject[]
  /** Where archived segments are (needed once anything was archived). */
  archive?: BlobStore
  pageSize?: number
}

async function readBlob(store: BlobStore, sha256: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of store.get(sha256)) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

class Stop extends Error {
  constructor(readonly problem: VerifyProblem) {
    super(problem.message)
  }
}

/** Every chain position below `size`: archived segments first (their files checked against their hashes), then the online rows. */
async function* positions(q: Queryable, archives: ArchiveRow[], opts: VerifyOptions, size: number): AsyncGenerator<ChainedRow & { archived?: boolean }> {
  let frontier = 0
  for (const a of archives) {
    if (!opts.archive)
      throw new Stop({
        kind: 'archive-corrupt',
        seq: a.fromSeq,
        message: `positions ${a.fromSeq}…${a.toSeq - 1} are archived but no archive store is configured`,
      })
    let data: Buffer
    try {
      data = await readBlob(opts.archive, a.blobSha256)
    } catch (e) {
      throw new Stop({
        kind: 'archive-corrupt',
        seq: a.fromSeq,
        message: `archive ${a.blobSha256} of positions ${a.fromSeq}…${a.toSeq - 1} cannot be read: ${(e as Error).message}`,
      })
    }
    if (createHash('sha256').update(data).digest('hex') !== a.blobSha256) {
      throw new Stop({ kind: 'archive-corrupt', seq: a.fromSeq, message: `archive of positions ${a.fromSeq}…${a.toSeq - 1} does not hash to ${a.blobSha256}` })
    }
    for (const r of parseArchive(data).records) yield { ...r, archived: true }
    frontier = Math.max(frontier, a.toSeq)
  }
  // The next page is fetched while this one is checked.
  const page = opts.pageSize ?? 5000
  const fetch = (from: number) => {
    const p = chainedRows(q, from, size, page)
    p.catch(() => undefined) // a prefetch abandoned at the first problem must not reject unhandled
    return p
  }
  let next = frontier < size ? fetch(frontier) : undefined
  while (next) {
    const rows = await next
    if (rows.length === 0) return
    const from = rows[rows.length - 1]!.seq + 1
    next = rows.length === page && from < size ? fetch(from) : undefined
    yield* rows
  }
}

/**
 * Walks the chain and the checkpoints and reports the FIRST thing that does not verify:
 * a record whose content no longer hashes to its stored hash (modified), a missing position or a
 * link to an unknown record (deleted), a record that its successor skips (inserted), two records
 * linked in the wrong order (reordered), a checkpoint whose signature fails (bad-signature) or
 * whose signed root/head differ from the records (checkpoint-mismatch: records altered and
 * re-chained), fewer records than the head or a checkpoint counts (truncated), a row outside the chain (inserted).
 */
export async function verifyAuditLog(q: Queryable, opts: VerifyOptions): Promise<VerifyReport> {
  const t0 = performance.now()
  // Checkpoints and archives before the head: the head only grows, so every checkpoint read
  // first is within it even while other processes append (and a smaller head means truncation).
  const checkpoints = await listCheckpoints(q)
  const archives = await listArchives(q)
  const head = await readHead(q)
  const keys = new Map(opts.publicKeys.map((k) => [keyIdOf(k), k]))
  const report: VerifyReport = {
    ok: true,
    records: 0,
    archivedRecords: 0,
    legacyRecords: await countLegacyRows(q, head.legacyMaxId),
    checkpoints: 0,
    headSize: head.size,
    ms: 0,
  }
  const tree = new CompactTree()
  let cpIndex = 0
  let prevHash = GENESIS
  let prevPrevHash: string | undefined
  let prevId: string | undefined

  const checkCheckpoint = (cp: CheckpointRow) => {
    const key = keys.get(cp.keyId)
    const where = `checkpoint ${cp.id} (${cp.treeSize} records, ${cp.at.toISOString()})`
    if (!key) throw new Stop({ kind: 'unknown-key', checkpointId: cp.id, message: `${where} is signed by key ${cp.keyId}, which is not a trusted audit key` })
    const body = checkpointBodyOf(cp)
    if (!verifyCheckpointSignature(body, cp.signature, key))
      throw new Stop({ kind: 'bad-signature', checkpointId: cp.id, message: `${where}: the signature does not verify (the checkpoint was altered)` })
    if (tree.root().toString('hex') !== cp.rootHash || prevHash !== cp.headHash) {
      throw new Stop({
        kind: 'checkpoint-mismatch',
        checkpointId: cp.id,
        message: `${where}: the records do not match the signed Merkle root/head (records before position ${cp.treeSize} were altered and re-chained)`,
      })
    }
    report.checkpoints++
  }
  const reachCheckpoints = () => {
    while (cpIndex < checkpoints.length && checkpoints[cpIndex]!.treeSize <= tree.size) {
      const cp = checkpoints[cpIndex++]!
      if (cp.treeSize < tree.size) throw new Stop({ kind: 'inserted', checkpointId: cp.id, message: `checkpoint ${cp.id} is out of order` })
      checkCheckpoint(cp)
    }
  }

  try {
    reachCheckpoints()
    let pending: (ChainedRow & { archived?: boolean }) | undefined
    const walk = (r: (ChainedRow & { archived?: boolean }) | undefined, next: (ChainedRow & { archived?: boolean }) | undefined) => {
      if (!r) return
      const i = tree.size
      if (r.seq !== i) {
        throw new Stop({ kind: 'deleted', recordId: r.id, seq: i, message: `chain positions ${i}…${r.seq - 1} are missing (deleted) before record ${r.id}` })
      }
      if (recordHash(contentOf(r)) !== r.hash) {
        throw new Stop({
          kind: 'modified',
          recordId: r.id,
          seq: r.seq,
          message: `record ${r.id} (position ${r.seq}) was modified: its content no longer hashes to its stored hash`,
        })
      }
      if (r.prevHash !== prevHash) {
        if (next && r.prevHash === next.hash && next.prevHash === prevHash) {
          throw new Stop({
            kind: 'reordered',
            recordId: r.id,
            seq: r.seq,
            message: `records ${r.id} and ${next.id} (positions ${r.seq}, ${next.seq}) are in the wrong order`,
          })
        }
        if (next && next.prevHash === prevHash) {
          throw new Stop({
            kind: 'inserted',
            recordId: r.id,
            seq: r.seq,
            message: `record ${r.id} (position ${r.seq}) was inserted: the next record follows the one before it`,
          })
        }
        if (prevId !== undefined && r.prevHash === prevPrevHash) {
          throw new Stop({
            kind: 'inserted',
            recordId: prevId,
            seq: r.seq - 1,
            message: `record ${prevId} (position ${r.seq - 1}) was inserted: record ${r.id} follows the one before it`,
          })
        }
        throw new Stop({
          kind: 'deleted',
          recordId: r.id,
          seq: r.seq,
          message: `record ${r.id} (position ${r.seq}) does not follow ${prevId === undefined ? 'the chain start' : `record ${prevId}`}: the record it links to is missing (deleted) or it was forged`,
        })
      }
      prevPrevHash = prevHash
      prevHash = r.hash
      prevId = r.id
      tree.append(leafHashOf(r.hash))
      report.records++
      if (r.archived) report.archivedRecords++
      reachCheckpoints()
    }
    for await (const r of positions(q, archives, opts, head.size)) {
      walk(pending, r)
      pending = r
    }
    walk(pending, undefined)
    if (tree.size < head.size) {
      throw new Stop({
        kind: 'truncated',
        seq: tree.size,
        message: `the head counts ${head.size} records but only ${tree.size} exist: positions ${tree.size}…${head.size - 1} were deleted`,
      })
    }
    if (prevHash !== head.headHash) throw new Stop({ kind: 'modified', seq: head.size - 1, message: 'the chain head does not match the last record' })
    if (cpIndex < checkpoints.length) {
      const cp = checkpoints[cpIndex]!
      throw new Stop({
        kind: 'truncated',
        checkpointId: cp.id,
        seq: tree.size,
        message: `checkpoint ${cp.id} signs ${cp.treeSize} records but the log holds ${tree.size}: records were deleted`,
      })
    }
    const stray = await unchainedRows(q, head.legacyMaxId)
    if (stray.count > 0) {
      throw new Stop({
        kind: 'inserted',
        recordId: stray.firstId,
        message: `${stray.count} row(s) outside the chain, first id ${stray.firstId}: inserted without the hub`,
      })
    }
  } catch (e) {
    if (!(e instanceof Stop)) throw e
    report.ok = false
    report.problem = e.problem
  }
  report.ms = Math.round(performance.now() - t0)
  return report
}
