import { Ajv } from 'ajv'
import ajvFormats from 'ajv-formats'
import { Type, type Static } from '@sinclair/typebox'
import { WarehouseDocumentBody } from '../../../../schemas/v1/warehouse.js'
import { registerHubFormats } from '../../../validation/text.js'

/**
 * The backlog import's manifest (docs/digitisation.md, "Backlog digitisation"): one row per
 * PDF, as `manifest.csv` (a header line, comma-separated, RFC 4180 quotes) or `manifest.json`
 * (an array of objects). Pure: parsing and per-row validation, no I/O.
 */

/** Manifest columns beyond the warehouse intake body: the file (relative to the folder) and its page count. */
const { file: _file, ...bodyFields } = WarehouseDocumentBody.properties
const ManifestRowSchema = Type.Object(
  {
    ...bodyFields,
    file: Type.String({ minLength: 1, maxLength: 500, description: 'Path of the PDF, relative to the import folder' }),
    pages: Type.Integer({ minimum: 1, maximum: 100_000, description: 'Pages of the paper original (the plans count digitisation in pages)' }),
  },
  { additionalProperties: false },
)
export type ManifestRow = Static<typeof ManifestRowSchema>

const ajv = registerHubFormats((ajvFormats as unknown as (a: Ajv) => Ajv)(new Ajv({ allErrors: false, strict: false, coerceTypes: true })))
const validate = ajv.compile<ManifestRow>(ManifestRowSchema)

export interface RowError {
  /** 1-based row of the manifest (data rows; the CSV header is not counted). */
  row: number
  documentId?: string
  rule: string
  field: string
  message: string
}

export type ParsedRow = { row: number; ok: true; value: ManifestRow } | { row: number; ok: false; error: RowError }

/** Splits CSV text into records: a linear character loop, quotes doubled inside quoted fields. */
export function parseCsv(text: string): string[][] {
  const out: string[][] = []
  let rec: string[] = []
  let field = ''
  let quoted = false
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  for (; i < text.length; i++) {
    const c = text[i]!
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"'
          i++
        } else quoted = false
      } else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      rec.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      rec.push(field)
      field = ''
      if (rec.length > 1 || rec[0] !== '') out.push(rec)
      rec = []
    } else field += c
  }
  rec.push(field)
  if (rec.length > 1 || rec[0] !== '') out.push(rec)
  return out
}

/** CSV text → objects keyed by the header; empty cells are left out (optional columns). */
export function csvObjects(text: string): Record<string, string>[] {
  const [header, ...records] = parseCsv(text)
  if (!header) return []
  const names = header.map((h) => h.trim())
  return records.map((r) => Object.fromEntries(names.flatMap((n, i) => (r[i] !== undefined && r[i]!.trim() !== '' ? [[n, r[i]!.trim()]] : []))))
}

const SAFE_PATH = (p: string) => !p.startsWith('/') && !p.includes('\\') && !p.split('/').includes('..') && !p.includes('\0')

/** Validates each row; the errors name the row, the document id when there is one, the field and the rule. */
export function validateRows(raw: readonly unknown[]): ParsedRow[] {
  return raw.map((r, i) => {
    const row = i + 1
    const obj = typeof r === 'object' && r !== null && !Array.isArray(r) ? { ...(r as Record<string, unknown>) } : {}
    if (typeof obj['permanent'] === 'string') obj['permanent'] = obj['permanent'] === 'true' || obj['permanent'] === '1'
    const documentId = typeof obj['documentId'] === 'string' ? obj['documentId'] : undefined
    const fail = (field: string, message: string, rule = 'HUB_IMPORT_ROW'): ParsedRow => ({
      row,
      ok: false,
      error: { row, ...(documentId ? { documentId } : {}), rule, field, message },
    })
    if (!validate(obj)) {
      const e = validate.errors![0]!
      const missing = e.keyword === 'required' ? `/${(e.params as { missingProperty: string }).missingProperty}` : ''
      const extra = e.keyword === 'additionalProperties' ? `/${(e.params as { additionalProperty: string }).additionalProperty}` : ''
      const field = `${e.instancePath}${missing}${extra}` || '/'
      return fail(field, `${field.slice(1) || 'row'}: ${e.message ?? 'invalid'}`, field === '/pages' ? 'HUB_IMPORT_PAGES' : 'HUB_IMPORT_ROW')
    }
    if (!SAFE_PATH(obj['file'] as string)) return fail('/file', 'file must be a path inside the import folder', 'HUB_IMPORT_FILE')
    return { row, ok: true, value: obj as ManifestRow }
  })
}

/** A declared inventory: what an agency holds on paper, in pages and documents. */
export interface Inventory {
  agencyCode: string
  pages: number
  documents: number
}

/** `inventory.csv` (agencyCode,pages,documents) → inventories; rows that are not three valid fields are skipped. */
export function parseInventory(text: string): Inventory[] {
  return csvObjects(text).flatMap((r) => {
    const pages = Number(r['pages'])
    const documents = Number(r['documents'])
    return r['agencyCode'] && Number.isInteger(pages) && Number.isInteger(documents) && pages >= 0 && documents >= 0
      ? [{ agencyCode: r['agencyCode'], pages, documents }]
      : []
  })
}
