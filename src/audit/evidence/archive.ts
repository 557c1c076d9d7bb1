import type { Db } from '../../store/index.js'
import type { BlobStore } from '../../documents/blob-store/index.js'
import { formatArchive } from './archive-format.js'
import { checkpointBodyOf } from './canonical.js'
import { archiveSegment, chainedRows, listArchives, listCheckpoints, newestAt } from './repository.js'

export interface ArchiveResult {
  segments: number
  records: number
}

/**
 * Retention: moves whole checkpoint segments whose newest record is older than `retentionDays`
 * out of the database, oldest first and contiguous from the chain start. Each segment (the
 * records between two consecutive checkpoints) is written to the archive store as JSON lines
 * with its closing checkpoint, then, in one transaction, recorded in audit_archive and deleted
 * through the archiver's privileged path (see migration 0600). Verification reads it back.
 */
export async function archiveOldSegments(db: Db, store: BlobStore, retentionDays: number, now = new Date(), maxSegments = 100): Promise<ArchiveResult> {
  const out: ArchiveResult = { segments: 0, records: 0 }
  if (retentionDays <= 0) return out
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000)
  const archives = await listArchives(db)
  let from = archives.length ? archives[archives.length - 1]!.toSeq : 0
  for (const cp of await listCheckpoints(db)) {
    if (out.segments >= maxSegments) break
    if (cp.treeSize <= from) continue
    const newest = await newestAt(db, from, cp.treeSize)
    if (newest === null || newest >= cutoff) break
    const rows = await chainedRows(db, from, cp.treeSize, cp.treeSize - from)
    if (rows.length !== cp.treeSize - from || rows[0]!.seq !== from)
      throw new Error(`audit positions ${from}…${cp.treeSize - 1} are not all online; run \`lgsp-hub audit verify\``)
    const data = formatArchive(
      {
        type: 'lgsp-hub-audit-archive',
        v: 1,
        fromSeq: from,
        toSeq: cp.treeSize,
        checkpoint: { id: cp.id, ...checkpointBodyOf(cp), signature: cp.signature },
      },
      rows,
    )
    const put = await store.put(data)
    const segmentFrom = from
    await db.tx((q) => archiveSegment(q, { fromSeq: segmentFrom, toSeq: cp.treeSize, blobSha256: put.sha256 }))
    out.segments++
    out.records += rows.length
    from = cp.treeSize
  }
  return out
}
