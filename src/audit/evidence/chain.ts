import type { Db, Queryable } from '../../store/index.js'
import { recordHash, type CheckpointBody, type RecordContent } from './canonical.js'
import { CompactTree, leafHash } from '../merkle.js'
import {
  insertChainedRows,
  insertChainedRowsMovingHead,
  insertCheckpoint,
  lockHeadForAppend,
  readHead,
  updateHead,
  type ChainedRow,
  type HeadRow,
} from './repository.js'
import type { AuditSigner } from './signer.js'

/** One record to chain (subject already hashed). */
export interface ChainInput {
  at: Date
  requestId?: string
  clientId: string
  service: string
  action: string
  purpose?: string
  subjectHash?: string
  outcome: string
  status?: number
  latencyMs?: number
  detail?: Record<string, unknown>
}

/** The hashed content of a stored row (its `prevHash` included). */
export function contentOf(r: Omit<ChainedRow, 'seq' | 'hash' | 'id'>): RecordContent {
  return {
    v: 1,
    at: r.at.toISOString(),
    requestId: r.requestId,
    clientId: r.clientId,
    service: r.service,
    action: r.action,
    purpose: r.purpose,
    subjectHash: r.subjectHash,
    outcome: r.outcome,
    status: r.status,
    latencyMs: r.latencyMs,
    detail: r.detail,
    prev: r.prevHash,
  }
}

/** The 32 bytes of a record hash: what the Merkle tree's leaves hash (leaf = SHA-256(0x00 || these)). */
export const leafData = (hash: string): Buffer => Buffer.from(hash, 'hex')
export const leafHashOf = (hash: string): Buffer => leafHash(leafData(hash))

/** A value JSON gives back unchanged (strings, booleans, null, finite numbers other than -0). */
const stable = (v: unknown) =>
  v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0))

/** `detail` as it comes back from the JSON column: a flat object of stable values is copied, anything else goes through JSON. */
function asStored(detail: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(detail)) {
    const v = detail[k]
    if (v === undefined) continue
    if (!stable(v) || k === '__proto__') return JSON.parse(JSON.stringify(detail)) as Record<string, unknown>
    out[k] = v
  }
  return out
}

/** Normalises a record as the database will give it back (detail through JSON, latency rounded). */
function toRow(e: ChainInput, seq: number, prevHash: string): ChainedRow {
  const base = {
    at: new Date(e.at.getTime()),
    requestId: e.requestId ?? null,
    clientId: e.clientId,
    service: e.service,
    action: e.action,
    purpose: e.purpose ?? null,
    subjectHash: e.subjectHash ?? null,
    outcome: e.outcome,
    status: e.status ?? null,
    latencyMs: e.latencyMs === undefined ? null : Math.round(e.latencyMs),
    detail: e.detail ? asStored(e.detail) : null,
    prevHash,
  }
  return { ...base, seq, hash: recordHash(contentOf(base)) }
}

/** Signs the head as a checkpoint and stores it; the head's `checkpointSize` moves on. */
async function checkpoint(q: Queryable, head: HeadRow, tree: CompactTree, signer: AuditSigner, now = new Date()): Promise<void> {
  const body: CheckpointBody = {
    v: 1,
    type: 'lgsp-hub-audit-checkpoint',
    treeSize: head.size,
    rootHash: tree.root().toString('hex'),
    headHash: head.headHash,
    at: now.toISOString(),
    keyId: signer.keyId,
  }
  await insertCheckpoint(q, {
    treeSize: body.treeSize,
    rootHash: body.rootHash,
    headHash: body.headHash,
    at: now,
    keyId: body.keyId,
    signature: signer.sign(body),
  })
  head.checkpointSize = head.size
}

export interface ChainOptions {
  signer?: AuditSigner
  /** A checkpoint is signed in the appending transaction once this many records are unsigned (0: only on the timer). */
  checkpointRecords?: number
}

/**
 * Appends records to the one chain in one transaction: locks the head row (other processes wait),
 * links and hashes each record, inserts them, moves the head (and its compact Merkle tree) and,
 * every `checkpointRecords`, signs a checkpoint. COMMIT waits for the WAL flush.
 */
export async function appendToChain(db: Db, entries: readonly ChainInput[], opts: ChainOptions = {}): Promise<ChainedRow[]> {
  return db.tx(async (q) => {
    // Durable commit and the head's row lock in one round trip; rows and head in one more (then COMMIT).
    const head = await lockHeadForAppend(q)
    const tree = CompactTree.fromHex(head.size, head.compact)
    let prev = head.headHash
    const rows = entries.map((e) => {
      const r = toRow(e, head.size++, prev)
      prev = r.hash
      tree.append(leafHashOf(r.hash))
      return r
    })
    head.headHash = prev
    head.compact = tree.toHex()
    if (opts.signer && opts.checkpointRecords && head.size - head.checkpointSize >= opts.checkpointRecords) {
      await insertChainedRows(q, rows)
      await checkpoint(q, head, tree, opts.signer)
      await updateHead(q, head)
    } else await insertChainedRowsMovingHead(q, rows, head)
    return rows
  })
}

/** Signs a checkpoint of the current head if records were appended since the last one; returns whether it did. */
export async function checkpointNow(db: Db, signer: AuditSigner): Promise<boolean> {
  return db.tx(async (q) => {
    const head = await readHead(q, true)
    if (head.size === head.checkpointSize) return false
    await checkpoint(q, head, CompactTree.fromHex(head.size, head.compact), signer)
    await updateHead(q, head)
    return true
  })
}
