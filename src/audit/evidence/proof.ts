import type { Db } from '../../store/index.js'
import type { BlobStore } from '../../documents/blob-store/index.js'
import { inclusionProof, rootHash, verifyInclusion } from '../merkle.js'
import { checkpointBodyOf, type CheckpointBody, type RecordContent } from './canonical.js'
import { checkpointNow, contentOf, leafHashOf } from './chain.js'
import { parseArchive } from './archive-format.js'
import { chainedRowById, chainHashes, checkpointCovering, listArchives, type ChainedRow } from './repository.js'
import type { AuditSigner } from './signer.js'

/** An inclusion proof of one audit record, checkable with the hub's public key alone (scripts/verify-audit-proof.mjs). */
export interface AuditProof {
  format: 'lgsp-hub-audit-proof/1'
  record: { id: string; content: RecordContent; hash: string }
  leafIndex: number
  treeSize: number
  /** RFC 6962 audit path, leaf to root, hex. */
  auditPath: string[]
  checkpoint: CheckpointBody & { signature: string }
  /** The signer's public key (SPKI PEM); check it against the published one. */
  publicKey: string
}

async function blobBytes(store: BlobStore, sha256: string): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of store.get(sha256)) chunks.push(c as Buffer)
  return Buffer.concat(chunks)
}

export class ProofError extends Error {}

/**
 * The proof that record `recordId` is in the log signed by the first checkpoint covering it;
 * when none covers it yet and a signer is given, a checkpoint is signed now.
 */
export async function proveRecord(db: Db, recordId: string, opts: { signer: AuditSigner; archive?: BlobStore }): Promise<AuditProof> {
  // Archived segments, read once and only when needed (the record is archived, or precedes the checkpoint).
  let archived: ChainedRow[] | undefined
  const archivedRows = async () => {
    if (archived) return archived
    archived = []
    for (const a of await listArchives(db)) {
      if (!opts.archive) throw new ProofError('part of the log is archived but no archive store is configured')
      archived.push(...parseArchive(await blobBytes(opts.archive, a.blobSha256)).records)
    }
    return archived
  }
  const row = (await chainedRowById(db, recordId)) ?? (/^[0-9]{1,18}$/.test(recordId) ? (await archivedRows()).find((r) => r.id === recordId) : undefined)
  if (!row) throw new ProofError(`no chained audit record ${recordId}`)
  let cp = await checkpointCovering(db, row.seq)
  if (!cp) {
    await checkpointNow(db, opts.signer)
    cp = await checkpointCovering(db, row.seq)
  }
  if (!cp) throw new ProofError(`no checkpoint covers record ${recordId}`)
  const hashes: string[] = []
  for (const r of await archivedRows()) {
    if (r.seq !== hashes.length) throw new ProofError(`chain position ${hashes.length} is missing; run \`lgsp-hub audit verify\``)
    if (r.seq >= cp.treeSize) break
    hashes.push(r.hash)
  }
  for (const h of await chainHashes(db, hashes.length, cp.treeSize)) {
    if (h.seq !== hashes.length) throw new ProofError(`chain position ${hashes.length} is missing; run \`lgsp-hub audit verify\``)
    hashes.push(h.hash)
  }
  const leaves = hashes.map(leafHashOf)
  const path = inclusionProof(leaves, row.seq)
  const root = rootHash(leaves)
  if (root.toString('hex') !== cp.rootHash || !verifyInclusion(leafHashOf(row.hash), row.seq, cp.treeSize, path, root)) {
    throw new ProofError(`the log does not match checkpoint ${cp.id}; run \`lgsp-hub audit verify\``)
  }
  return {
    format: 'lgsp-hub-audit-proof/1',
    record: { id: recordId, content: contentOf(row), hash: row.hash },
    leafIndex: row.seq,
    treeSize: cp.treeSize,
    auditPath: path.map((p) => p.toString('hex')),
    checkpoint: { ...checkpointBodyOf(cp), signature: cp.signature },
    publicKey: opts.signer.publicKeyPem(),
  }
}
