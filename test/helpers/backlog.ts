import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildPdf, signPdf } from '../../src/sandbox/pki/index.js'
import type { TestPki } from '../../src/sandbox/pki/index.js'

export const BACKLOG_AGENCIES = ['000.00.06.H56', '000.00.07.H56', '000.00.08.H56'] as const
const SIGNED_AT = new Date('2026-06-01T00:00:00Z')

export interface BacklogOptions {
  /** Documents to write (PDF + manifest row each). */
  count: number
  /** Owner ids to cycle through (valid ids, e.g. the sandbox warehouse's seeded owners). */
  owners: readonly string[]
  /** Row indexes (0-based) whose PDF is left unsigned. */
  unsigned?: ReadonlySet<number>
  /** Prefix of the document ids (distinct per run of a test). */
  prefix: string
}

export interface BacklogExpectation {
  /** Per agency: signed documents and their pages, and unsigned documents, as written. */
  agencies: Record<string, { documents: number; pages: number; unsigned: number }>
  /** The declared inventory written to inventory.csv. */
  inventory: Record<string, { documents: number; pages: number }>
}

/**
 * Writes a backlog folder: small PDFs signed with the sandbox PKI's valid signer, `manifest.csv`
 * (file, documentId, ownerId, documentCode, resultCode, title, issuedOn, agencyCode, pages) and
 * `inventory.csv`. The expectation is computed from this definition, not by the importer.
 */
export function writeBacklog(dir: string, pki: TestPki, o: BacklogOptions): BacklogExpectation {
  mkdirSync(join(dir, 'pdf'), { recursive: true })
  const header = 'file,documentId,ownerId,documentCode,resultCode,title,issuedOn,agencyCode,pages'
  const lines = [header]
  const agencies: BacklogExpectation['agencies'] = {}
  for (let i = 0; i < o.count; i++) {
    const agency = BACKLOG_AGENCIES[i % BACKLOG_AGENCIES.length]!
    const pages = 1 + (i % 4)
    const id = `${o.prefix}-${String(i).padStart(5, '0')}`
    const pdf = buildPdf(`Giay khai sinh ${id}\nSo: ${i}/2019/KS\nTrang: ${pages}`)
    const unsigned = o.unsigned?.has(i) ?? false
    writeFileSync(join(dir, 'pdf', `${id}.pdf`), unsigned ? pdf : signPdf(pdf, pki.signers.valid, { signingTime: SIGNED_AT }))
    // A quoted title with a comma: the CSV reader must honour RFC 4180 quoting.
    lines.push(
      `pdf/${id}.pdf,${id},${o.owners[i % o.owners.length]},GT.KS.001,KQ.G15.000031,"Giấy khai sinh, bản số hoá ${i}",2019-03-0${1 + (i % 9)},${agency},${pages}`,
    )
    const a = (agencies[agency] ??= { documents: 0, pages: 0, unsigned: 0 })
    if (unsigned) a.unsigned++
    else {
      a.documents++
      a.pages += pages
    }
  }
  writeFileSync(join(dir, 'manifest.csv'), `${lines.join('\n')}\n`)
  const inventory: BacklogExpectation['inventory'] = {}
  for (const [i, agency] of BACKLOG_AGENCIES.entries()) inventory[agency] = { documents: (i + 1) * o.count, pages: (i + 1) * o.count * 3 }
  writeFileSync(
    join(dir, 'inventory.csv'),
    `agencyCode,pages,documents\n${BACKLOG_AGENCIES.map((a) => `${a},${inventory[a]!.pages},${inventory[a]!.documents}`).join('\n')}\n`,
  )
  return { agencies, inventory }
}
