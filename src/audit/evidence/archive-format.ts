import type { CheckpointBody } from './canonical.js'
import type { ChainedRow } from './repository.js'

/**
 * An archived segment is JSON lines (UTF-8): a header line with the positions it holds and the
 * signed checkpoint that closes it, then one line per record in chain order with every stored
 * field (enough to re-hash it and re-link the chain without the database).
 */
export interface ArchiveHeader {
  type: 'lgsp-hub-audit-archive'
  v: 1
  fromSeq: number
  toSeq: number
  checkpoint: CheckpointBody & { id: string; signature: string }
}

export function formatArchive(header: ArchiveHeader, rows: readonly ChainedRow[]): Buffer {
  const lines = [JSON.stringify(header), ...rows.map((r) => JSON.stringify({ ...r, at: r.at.toISOString() }))]
  return Buffer.from(`${lines.join('\n')}\n`, 'utf8')
}

export function parseArchive(data: Buffer): { header: ArchiveHeader; records: ChainedRow[] } {
  const lines = data.toString('utf8').split('\n').filter(Boolean)
  const header = JSON.parse(lines[0] ?? '{}') as ArchiveHeader
  if (header.type !== 'lgsp-hub-audit-archive') throw new Error('not an audit archive')
  const records = lines.slice(1).map((l) => {
    const r = JSON.parse(l) as Omit<ChainedRow, 'at'> & { at: string }
    return { ...r, at: new Date(r.at) }
  })
  return { header, records }
}
