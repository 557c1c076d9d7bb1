import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { basename, isAbsolute, join, resolve, sep } from 'node:path'
import type { WarehouseDocumentBody } from '../../../../schemas/v1/warehouse.js'
import type { DocumentSource } from '../../../documents/signature/policy.js'
import { HubError } from '../../../errors.js'
import { Semaphore } from '../../../http/semaphore.js'
import type { Client } from '../../../inbound-auth/clients.js'
import type { ServiceContext } from '../../context.js'
import { csvObjects, parseInventory, validateRows, type Inventory, type ManifestRow, type RowError } from './manifest.js'
import { ImportRepository, type RowRecord } from './repository.js'
import { iso } from '../../../lib/time.js'

/** The warehouse intake (IntakeService.accept): the one path every local document is stored and queued by. */
export interface ImportIntake {
  accept(body: WarehouseDocumentBody, client: Client, source: DocumentSource): Promise<{ id: string; pushState: string; replayed: boolean }>
}

export interface AgencyProgress {
  agencyCode: string
  /** Signed documents imported (every import) and their pages. */
  documents: number
  pages: number
  /** Imported but blocked by the signature policy (stored, not pushed, not counted as digitised). */
  blocked: number
  declared?: { documents: number; pages: number }
  documentsPercent?: number
  pagesPercent?: number
}

export interface ImportReport {
  importId: string
  state: 'running' | 'done' | 'failed'
  source: string
  rows: number
  stored: number
  already: number
  blocked: number
  failed: number
  startedAt: string
  finishedAt?: string
  error?: string
  errors: RowError[]
  agencies: AgencyProgress[]
}

/** The import acts as this client: every agency of the province (an operator's act, audited at the route). */
const IMPORT_CLIENT: Client = { id: 'backlog-import', services: new Set(['warehouse']), agencies: new Set(['*']) }
const MAX_MANIFEST_BYTES = 64 * 1_048_576
const ERRORS_SHOWN = 100
const BATCH = 100

const pct = (n: number, of: number) => (of > 0 ? Math.round((n / of) * 1000) / 10 : undefined)

/**
 * Backlog digitisation (issue 17): a folder of previously issued results (PDFs) with a manifest
 * (`manifest.csv` or `manifest.json`, docs/digitisation.md). Each row is validated, its file read
 * and checked, and stored through the warehouse intake as source `import` (signature gate under
 * the `import.*` policy, queued for push unless blocked). Idempotent: the intake's documentId key
 * and the file hash mean a re-run stores nothing twice. Progress per agency compares the signed
 * documents and pages imported with the agency's declared inventory.
 */
export class ImportService {
  readonly repo: ImportRepository

  constructor(
    private readonly ctx: ServiceContext,
    private readonly intake: ImportIntake,
  ) {
    this.repo = new ImportRepository(ctx.db)
  }

  /** `POST /admin/digitisation/imports`: a folder inside IMPORT_ROOT, imported in the background. */
  async start(folder: string): Promise<{ importId: string; rows: number }> {
    const root = resolve(this.ctx.config.IMPORT_ROOT || join(this.ctx.config.DATA_DIR, 'imports'))
    const dir = resolve(root, folder)
    if (isAbsolute(folder) || (dir !== root && !dir.startsWith(root + sep))) {
      throw new HubError('HUB_ERR_IMPORT_MANIFEST', 'folder must be a relative path inside the import root (IMPORT_ROOT)')
    }
    const prepared = await this.prepare(dir, folder)
    void this.process(prepared).catch((e: Error) => this.ctx.logger.error({ err: { type: e.name, message: e.message } }, 'backlog import failed'))
    return { importId: prepared.id, rows: prepared.rows.length }
  }

  /** The CLI (`lgsp-hub import <folder>`): imports and answers the report once done. */
  async run(folder: string): Promise<ImportReport> {
    const prepared = await this.prepare(resolve(folder), folder)
    await this.process(prepared)
    return this.report(prepared.id)
  }

  async report(importId: string): Promise<ImportReport> {
    const imp = await this.repo.byId(importId)
    if (!imp) throw new HubError('HUB_ERR_NOT_FOUND', `import ${importId} is unknown`)
    const counts =
      imp.state === 'running' ? await this.repo.counts(importId) : { stored: imp.stored, already: imp.already, blocked: imp.blocked, error: imp.failed }
    const inventory = imp.inventory ?? (await this.configuredInventory())
    const progress = await this.repo.progress()
    const codes = [...new Set([...progress.map((p) => p.agency_code), ...inventory.map((i) => i.agencyCode)])].sort()
    const agencies = codes.map((agencyCode): AgencyProgress => {
      const p = progress.find((x) => x.agency_code === agencyCode)
      const d = inventory.find((x) => x.agencyCode === agencyCode)
      const documents = p?.documents ?? 0
      const pages = p?.pages ?? 0
      const dp = d ? pct(documents, d.documents) : undefined
      const pp = d ? pct(pages, d.pages) : undefined
      return {
        agencyCode,
        documents,
        pages,
        blocked: p?.unsigned ?? 0,
        ...(d ? { declared: { documents: d.documents, pages: d.pages } } : {}),
        ...(dp !== undefined ? { documentsPercent: dp } : {}),
        ...(pp !== undefined ? { pagesPercent: pp } : {}),
      }
    })
    const errors = (await this.repo.errors(importId, ERRORS_SHOWN)).map(
      (e): RowError => ({
        row: e.row,
        ...(e.documentId ? { documentId: e.documentId } : {}),
        rule: e.rule ?? '',
        field: e.field ?? '',
        message: e.message ?? '',
      }),
    )
    return {
      importId,
      state: imp.state,
      source: imp.source,
      rows: imp.rows_total,
      stored: counts.stored,
      already: counts.already,
      blocked: counts.blocked,
      failed: counts.error,
      startedAt: new Date(imp.started_at).toISOString(),
      ...(imp.finished_at ? { finishedAt: iso(imp.finished_at) } : {}),
      ...(imp.error ? { error: imp.error } : {}),
      errors,
      agencies,
    }
  }

  private async configuredInventory(): Promise<Inventory[]> {
    const file = this.ctx.config.IMPORT_INVENTORY_FILE
    return file ? parseInventory(await readFile(file, 'utf8')) : []
  }

  /** Reads and validates the manifest, records the import: nothing is stored yet. */
  private async prepare(dir: string, source: string) {
    const read = async (name: string) => {
      const f = join(dir, name)
      if (!existsSync(f)) return undefined
      if ((await stat(f)).size > MAX_MANIFEST_BYTES) throw new HubError('HUB_ERR_IMPORT_MANIFEST', `${name} is larger than ${MAX_MANIFEST_BYTES} bytes`)
      return readFile(f, 'utf8')
    }
    if (!existsSync(dir)) throw new HubError('HUB_ERR_IMPORT_MANIFEST', `folder ${source} does not exist`)
    let raw: unknown[]
    const json = await read('manifest.json')
    if (json !== undefined) {
      let parsed: unknown
      try {
        parsed = JSON.parse(json)
      } catch (e) {
        throw new HubError('HUB_ERR_IMPORT_MANIFEST', `manifest.json is not JSON: ${(e as Error).message.slice(0, 200)}`)
      }
      if (!Array.isArray(parsed)) throw new HubError('HUB_ERR_IMPORT_MANIFEST', 'manifest.json must be an array of rows')
      raw = parsed
    } else {
      const csv = await read('manifest.csv')
      if (csv === undefined) throw new HubError('HUB_ERR_IMPORT_MANIFEST', `folder ${source} has no manifest.json or manifest.csv`)
      raw = csvObjects(csv)
    }
    if (raw.length > this.ctx.config.IMPORT_MAX_ROWS) {
      throw new HubError('HUB_ERR_IMPORT_MANIFEST', `the manifest has ${raw.length} rows; the limit is ${this.ctx.config.IMPORT_MAX_ROWS} (IMPORT_MAX_ROWS)`)
    }
    const inv = await read('inventory.csv')
    const inventory = inv !== undefined ? parseInventory(inv) : null
    const id = `im${Date.now().toString(36)}${randomBytes(3).toString('hex')}`
    await this.repo.create(id, source.slice(0, 500), raw.length, inventory)
    return { id, dir, rows: validateRows(raw) }
  }

  private async process({ id, dir, rows }: Awaited<ReturnType<ImportService['prepare']>>): Promise<void> {
    const sem = new Semaphore(4)
    let batch: RowRecord[] = []
    const flush = async () => {
      const b = batch
      batch = []
      await this.repo.recordRows(id, b)
    }
    try {
      await Promise.all(
        rows.map((r) =>
          sem.run(async () => {
            const rec: RowRecord = r.ok
              ? await this.importRow(id, dir, r.row, r.value)
              : {
                  row: r.row,
                  documentId: r.error.documentId ?? null,
                  agencyCode: null,
                  outcome: 'error',
                  rule: r.error.rule,
                  field: r.error.field,
                  message: r.error.message,
                }
            batch.push(rec)
            if (batch.length >= BATCH) await flush()
          }),
        ),
      )
      await flush()
      await this.repo.finish(id, 'done', null)
    } catch (e) {
      await this.repo.finish(id, 'failed', (e as Error).message.slice(0, 1000))
      throw e
    }
  }

  /** One manifest row: file read and checked, stored through the intake, recorded. Row failures are outcomes, not exceptions. */
  private async importRow(importId: string, dir: string, row: number, m: ManifestRow): Promise<RowRecord> {
    const base = { row, documentId: m.documentId, agencyCode: m.agencyCode ?? null }
    const fail = (rule: string, field: string, message: string): RowRecord => ({ ...base, outcome: 'error', rule, field, message: message.slice(0, 500) })
    const path = resolve(dir, m.file)
    if (!path.startsWith(dir + sep)) return fail('HUB_IMPORT_FILE', '/file', 'file must be a path inside the import folder')
    let bytes: Buffer
    try {
      const st = await stat(path)
      if (!st.isFile()) return fail('HUB_IMPORT_FILE', '/file', `${m.file} is not a file`)
      if (st.size > this.ctx.config.WAREHOUSE_MAX_FILE_BYTES)
        return fail('HUB_IMPORT_FILE', '/file', `${m.file} has ${st.size} bytes; the limit is ${this.ctx.config.WAREHOUSE_MAX_FILE_BYTES}`)
      bytes = await readFile(path)
    } catch {
      return fail('HUB_IMPORT_FILE', '/file', `${m.file} cannot be read (missing?)`)
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    const earlier = await this.repo.documentOfFile(sha256)
    if (earlier !== undefined && earlier !== m.documentId)
      return fail('HUB_IMPORT_DUPLICATE_FILE', '/file', `the same file was imported as document ${earlier}`)
    const { file, pages, ...fields } = m
    const body: WarehouseDocumentBody = {
      ...fields,
      file: { name: basename(file), contentType: 'application/pdf', contentBase64: bytes.toString('base64'), sha256 },
    }
    try {
      const accepted = await this.intake.accept(body, IMPORT_CLIENT, 'import')
      const signed = accepted.pushState !== 'blocked'
      // Recorded once (a re-run or a crash between the two writes finds it here).
      await this.repo.recordImported({
        documentId: m.documentId,
        warehouseId: accepted.id,
        agencyCode: m.agencyCode ?? this.agency(),
        pages,
        sha256,
        signed,
        importId,
      })
      return { ...base, outcome: accepted.replayed ? 'already' : signed ? 'stored' : 'blocked' }
    } catch (e) {
      if (!(e instanceof HubError)) throw e
      const fe = e.errors?.[0]
      return fail(fe?.rule ?? e.code, (fe?.field ?? '').replace(/^\/body/, ''), e.message)
    }
  }

  private agency(): string {
    return this.ctx.config.WAREHOUSE_AGENCY_CODE || this.ctx.config.DVCQG_UNIT_CODE
  }
}
