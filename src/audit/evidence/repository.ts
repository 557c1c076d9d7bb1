import type { Queryable } from '../../store/index.js'
import type { RecordContent } from './canonical.js'

/** The chain head (table audit_head, one row). */
export interface HeadRow {
  size: number
  headHash: string
  compact: string[]
  checkpointSize: number
  legacyMaxId: number
}

/** One chained audit_log row, as stored. */
export interface ChainedRow extends Omit<RecordContent, 'v' | 'at' | 'prev'> {
  id?: string
  seq: number
  at: Date
  prevHash: string
  hash: string
}

export interface CheckpointRow {
  id: string
  treeSize: number
  rootHash: string
  headHash: string
  at: Date
  keyId: string
  signature: string
}

export interface ArchiveRow {
  id: string
  fromSeq: number
  toSeq: number
  blobSha256: string
}

const toHead = (r: Record<string, unknown>): HeadRow => ({
  size: Number(r['size']),
  headHash: String(r['head_hash']),
  compact: (typeof r['compact'] === 'string' ? JSON.parse(r['compact']) : r['compact']) as string[],
  checkpointSize: Number(r['checkpoint_size']),
  legacyMaxId: Number(r['legacy_max_id']),
})

const HEAD = 'SELECT size, head_hash, compact, checkpoint_size, legacy_max_id FROM audit_head'

/**
 * First statement of an appending transaction, one round trip: COMMIT will wait for the WAL flush
 * (synchronous_commit on for this transaction, whatever the server default) and the head is read
 * under its row lock until the transaction ends (serialises appends across processes).
 */
export async function lockHeadForAppend(q: Queryable): Promise<HeadRow> {
  const { rows } = await q.query<Record<string, unknown>>(
    `SELECT set_config('synchronous_commit', 'on', true) AS sync, size, head_hash, compact, checkpoint_size, legacy_max_id FROM audit_head FOR UPDATE`,
  )
  return toHead(rows[0]!)
}

/** Reads the head; `lock` takes its row lock until the transaction ends (serialises appends across processes). */
export async function readHead(q: Queryable, lock = false): Promise<HeadRow> {
  const { rows } = await q.query<Record<string, unknown>>(lock ? `${HEAD} FOR UPDATE` : HEAD)
  return toHead(rows[0]!)
}

export async function updateHead(q: Queryable, h: HeadRow): Promise<void> {
  await q.query('UPDATE audit_head SET size = $1, head_hash = $2, compact = $3, checkpoint_size = $4', [
    h.size,
    h.headHash,
    JSON.stringify(h.compact),
    h.checkpointSize,
  ])
}

/** First statement of a verifying transaction: one consistent snapshot of log, head, checkpoints and archives. */
export async function consistentSnapshot(q: Queryable): Promise<void> {
  await q.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY')
}

const COLS = 'seq, at, request_id, client_id, service, action, purpose, subject_hash, outcome, status, latency_ms, detail, prev_hash, hash'
const NCOLS = 14

export async function insertChainedRows(q: Queryable, rows: readonly ChainedRow[]): Promise<void> {
  if (rows.length === 0) return
  const { sql, params } = chainedInsert(rows)
  await q.query(sql, params)
}

/** Inserts the rows and moves the head in one statement (one round trip; a data-modifying CTE runs whole or not at all). */
export async function insertChainedRowsMovingHead(q: Queryable, rows: readonly ChainedRow[], h: HeadRow): Promise<void> {
  const { sql, params } = chainedInsert(rows)
  const n = params.length
  params.push(h.size, h.headHash, JSON.stringify(h.compact), h.checkpointSize)
  await q.query(
    `WITH appended AS (${sql}) UPDATE audit_head SET size = $${n + 1}, head_hash = $${n + 2}, compact = $${n + 3}, checkpoint_size = $${n + 4}`,
    params,
  )
}

function chainedInsert(rows: readonly ChainedRow[]): { sql: string; params: unknown[] } {
  const params: unknown[] = []
  const tuples = rows.map((r, i) => {
    params.push(
      r.seq,
      r.at,
      r.requestId,
      r.clientId,
      r.service,
      r.action,
      r.purpose,
      r.subjectHash,
      r.outcome,
      r.status,
      r.latencyMs,
      r.detail === null ? null : JSON.stringify(r.detail),
      r.prevHash,
      r.hash,
    )
    return `(${Array.from({ length: NCOLS }, (_, c) => `$${i * NCOLS + c + 1}`).join(', ')})`
  })
  return { sql: `INSERT INTO audit_log (${COLS}) VALUES ${tuples.join(', ')}`, params }
}

const toChained = (r: Record<string, unknown>): ChainedRow => ({
  id: String(r['id']),
  seq: Number(r['seq']),
  at: r['at'] instanceof Date ? r['at'] : new Date(String(r['at'])),
  requestId: (r['request_id'] as string | null) ?? null,
  clientId: String(r['client_id']),
  service: String(r['service']),
  action: String(r['action']),
  purpose: (r['purpose'] as string | null) ?? null,
  subjectHash: (r['subject_hash'] as string | null) ?? null,
  outcome: String(r['outcome']),
  status: r['status'] === null ? null : Number(r['status']),
  latencyMs: r['latency_ms'] === null ? null : Number(r['latency_ms']),
  detail: (typeof r['detail'] === 'string' ? JSON.parse(r['detail']) : (r['detail'] ?? null)) as Record<string, unknown> | null,
  prevHash: String(r['prev_hash']),
  hash: String(r['hash']),
})

/** Chained rows from position `fromSeq` (inclusive) below `toSeq`, in chain order. */
export async function chainedRows(q: Queryable, fromSeq: number, toSeq: number, limit: number): Promise<ChainedRow[]> {
  const { rows } = await q.query<Record<string, unknown>>(`SELECT id, ${COLS} FROM audit_log WHERE seq >= $1 AND seq < $2 ORDER BY seq LIMIT $3`, [
    fromSeq,
    toSeq,
    limit,
  ])
  return rows.map(toChained)
}

export async function chainedRowById(q: Queryable, id: string): Promise<ChainedRow | undefined> {
  if (!/^[0-9]{1,18}$/.test(id)) return undefined
  const { rows } = await q.query<Record<string, unknown>>(`SELECT id, ${COLS} FROM audit_log WHERE id = $1 AND seq IS NOT NULL`, [id])
  return rows[0] ? toChained(rows[0]) : undefined
}

/** Record hashes of positions [fromSeq, toSeq), in chain order. */
export async function chainHashes(q: Queryable, fromSeq: number, toSeq: number): Promise<{ seq: number; hash: string }[]> {
  const { rows } = await q.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_log WHERE seq >= $1 AND seq < $2 ORDER BY seq', [fromSeq, toSeq])
  return rows.map((r) => ({ seq: Number(r.seq), hash: r.hash }))
}

/** Rows outside the chain written after the chain began (never written by the hub). */
export async function unchainedRows(q: Queryable, legacyMaxId: number): Promise<{ count: number; firstId?: string }> {
  const { rows } = await q.query<{ n: number; first: number | null }>('SELECT count(*) AS n, min(id) AS first FROM audit_log WHERE seq IS NULL AND id > $1', [
    legacyMaxId,
  ])
  const r = rows[0]!
  return { count: Number(r.n), ...(r.first !== null ? { firstId: String(r.first) } : {}) }
}

export async function countLegacyRows(q: Queryable, legacyMaxId: number): Promise<number> {
  const { rows } = await q.query<{ n: number }>('SELECT count(*) AS n FROM audit_log WHERE seq IS NULL AND id <= $1', [legacyMaxId])
  return Number(rows[0]!.n)
}

export async function insertCheckpoint(q: Queryable, c: Omit<CheckpointRow, 'id'>): Promise<string> {
  const { rows } = await q.query<{ id: number }>(
    'INSERT INTO audit_checkpoint (tree_size, root_hash, head_hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
    [c.treeSize, c.rootHash, c.headHash, c.at, c.keyId, c.signature],
  )
  return String(rows[0]!.id)
}

const toCheckpoint = (r: Record<string, unknown>): CheckpointRow => ({
  id: String(r['id']),
  treeSize: Number(r['tree_size']),
  rootHash: String(r['root_hash']),
  headHash: String(r['head_hash']),
  at: r['at'] instanceof Date ? r['at'] : new Date(String(r['at'])),
  keyId: String(r['key_id']),
  signature: String(r['signature']),
})

/** All checkpoints, smallest tree first (one per minute for years stays a small table). */
export async function listCheckpoints(q: Queryable): Promise<CheckpointRow[]> {
  const { rows } = await q.query<Record<string, unknown>>(
    'SELECT id, tree_size, root_hash, head_hash, at, key_id, signature FROM audit_checkpoint ORDER BY tree_size, id',
  )
  return rows.map(toCheckpoint)
}

/** The first checkpoint covering chain position `seq`. */
export async function checkpointCovering(q: Queryable, seq: number): Promise<CheckpointRow | undefined> {
  const { rows } = await q.query<Record<string, unknown>>(
    'SELECT id, tree_size, root_hash, head_hash, at, key_id, signature FROM audit_checkpoint WHERE tree_size > $1 ORDER BY tree_size LIMIT 1',
    [seq],
  )
  return rows[0] ? toCheckpoint(rows[0]) : undefined
}

export async function listArchives(q: Queryable): Promise<ArchiveRow[]> {
  const { rows } = await q.query<Record<string, unknown>>('SELECT id, from_seq, to_seq, blob_sha256 FROM audit_archive ORDER BY from_seq')
  return rows.map((r) => ({ id: String(r['id']), fromSeq: Number(r['from_seq']), toSeq: Number(r['to_seq']), blobSha256: String(r['blob_sha256']) }))
}

/** Newest record time among positions [fromSeq, toSeq) still online (null when none). */
export async function newestAt(q: Queryable, fromSeq: number, toSeq: number): Promise<Date | null> {
  const { rows } = await q.query<{ m: Date | string | null }>('SELECT max(at) AS m FROM audit_log WHERE seq >= $1 AND seq < $2', [fromSeq, toSeq])
  const m = rows[0]?.m
  return m === null || m === undefined ? null : new Date(m)
}

/**
 * The archiver's privileged path, in ONE transaction: records the archived segment, then deletes
 * its rows with the transaction-local lgsp.audit_archiver flag the append-only trigger lets through.
 */
export async function archiveSegment(q: Queryable, a: Omit<ArchiveRow, 'id'>): Promise<number> {
  await q.query('INSERT INTO audit_archive (from_seq, to_seq, blob_sha256) VALUES ($1, $2, $3)', [a.fromSeq, a.toSeq, a.blobSha256])
  await q.query("SELECT set_config('lgsp.audit_archiver', 'on', true)")
  const r = await q.query('DELETE FROM audit_log WHERE seq >= $1 AND seq < $2', [a.fromSeq, a.toSeq])
  await q.query("SELECT set_config('lgsp.audit_archiver', 'off', true)")
  return r.rowCount
}
