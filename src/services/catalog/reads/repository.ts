import { iso } from '../../../lib/time.js'
import type { Procedure } from '../../../mappings/dvcqg/catalog/types.js'
import type { Db } from '../../../store/index.js'
import type { CatalogChange, ProcedureListItem, ProcedureQuery, StoredProcedure } from '../types.js'
import { searchPattern, searchPhrase, searchTokens } from '../search-text.js'
import type { FieldChange } from '../diff.js'

interface ProcedureListRow {
  code: string
  name: string
  agency_code: string | null
  levels: string[]
  field_codes: string[]
  status: string | null
  version: number
  withdrawn_at: Date | null
  updated_at: Date
}

/**
 * Relevance order of a text search (portable SQL: PGlite and PostgreSQL alike, no
 * extension): the procedure whose code is the query; a name that is the query; then
 * names holding the query's words as one phrase, the earlier it starts the better (in
 * "Cấp giấy phép xây dựng" the phrase is the subject; in "Gia hạn giấy phép xây dựng" it
 * is the object of another act), then the shorter name (fewer other words); names with
 * the words apart come after those; the code breaks ties. `code` and `phrase` are the
 * placeholders of the query's national code and of its folded words joined by spaces.
 */
const rankBy = (code: string, phrase: string) =>
  `(code = ${code}::text) DESC, (name_folded = ${phrase}::text) DESC,
   COALESCE(NULLIF(strpos(name_folded, ${phrase}::text), 0), 2147483647), length(name_folded), code`

/**
 * The catalog's read SQL (the API and CatalogReader): procedures by filter and search, one
 * procedure, agencies, fields, the change feed, reusable codes. The sync's own statements
 * (runs, leases, apply) extend it in ../repository.ts.
 */
export class CatalogReadRepository {
  constructor(protected readonly db: Db) {}

  // ---------------------------------------------------------------- reads

  /** Procedures by filter; `q` matches folded names, or exactly `codeQ` (the national code of `q`), most relevant first (rankBy). */
  async listProcedures(f: ProcedureQuery, codeQ?: string): Promise<{ items: ProcedureListItem[]; total: number }> {
    const where: string[] = []
    const params: unknown[] = []
    const add = (sql: (n: string) => string, v: unknown) => {
      params.push(v)
      where.push(sql(`$${params.length}`))
    }
    if (!f.includeWithdrawn) where.push('withdrawn_at IS NULL')
    if (f.agency) add((n) => `${n} = ANY(agency_codes)`, f.agency)
    if (f.field) add((n) => `${n} = ANY(field_codes)`, f.field)
    if (f.level) add((n) => `${n} = ANY(levels)`, f.level)
    // The ranking's phrase is the last parameter of the rows query only (the count names no unused one).
    const ranked: unknown[] = []
    let order = 'code'
    if (f.q && searchTokens(f.q).length) {
      params.push(searchPattern(f.q), codeQ ?? f.q.trim())
      const [like, code] = [`$${params.length - 1}`, `$${params.length}`]
      where.push(`(name_folded LIKE ${like} ESCAPE '\\' OR code = ${code})`)
      ranked.push(searchPhrase(f.q))
      order = rankBy(code, `$${params.length + 1}`)
    }
    const w = where.length ? `WHERE ${where.join(' AND ')}` : ''
    const total = await this.db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM catalog_procedures ${w}`, params)
    const all = [...params, ...ranked]
    const { rows } = await this.db.query<ProcedureListRow>(
      `SELECT code, name, agency_code, levels, field_codes, status, version, withdrawn_at, updated_at FROM catalog_procedures ${w}
       ORDER BY ${order} LIMIT $${all.length + 1} OFFSET $${all.length + 2}`,
      [...all, f.limit, f.offset],
    )
    return {
      total: total.rows[0]!.n,
      items: rows.map((r) => ({
        code: r.code,
        name: r.name,
        publishingAgencyCode: r.agency_code ?? '',
        levels: r.levels,
        fieldCodes: r.field_codes,
        status: r.status ?? '',
        version: r.version,
        withdrawn: r.withdrawn_at !== null,
        updatedAt: iso(r.updated_at)!,
      })),
    }
  }

  async getProcedure(code: string): Promise<StoredProcedure | undefined> {
    const { rows } = await this.db.query<{ code: string; version: number; hash: string; data: Procedure; withdrawn_at: Date | null; updated_at: Date }>(
      `SELECT code, version, hash, data, withdrawn_at, updated_at FROM catalog_procedures WHERE code = $1`,
      [code],
    )
    const r = rows[0]
    if (!r) return undefined
    return {
      code: r.code,
      version: r.version,
      hash: r.hash,
      ...(r.withdrawn_at ? { withdrawnAt: iso(r.withdrawn_at) } : {}),
      updatedAt: iso(r.updated_at)!,
      procedure: r.data,
    }
  }

  async listAgencies(q?: string): Promise<{ code: string; name: string; level: string; withdrawn: boolean }[]> {
    // Searched: most relevant first, as procedures (rankBy); listed: by code.
    const searched = q !== undefined && searchTokens(q).length > 0
    const { rows } = await this.db.query<{ code: string; name: string; level: string | null; withdrawn_at: Date | null }>(
      searched
        ? `SELECT code, name, level, withdrawn_at FROM catalog_agencies WHERE name_folded LIKE $1 ESCAPE '\\' OR code = $2::text ORDER BY ${rankBy('$2', '$3')}`
        : `SELECT code, name, level, withdrawn_at FROM catalog_agencies ORDER BY code`,
      searched ? [searchPattern(q), q.trim(), searchPhrase(q)] : [],
    )
    return rows.map((r) => ({ code: r.code, name: r.name, level: r.level ?? '', withdrawn: r.withdrawn_at !== null }))
  }

  async listFields(): Promise<{ code: string; name: string; sectorCode: string; withdrawn: boolean }[]> {
    const { rows } = await this.db.query<{ code: string; name: string; sector_code: string | null; withdrawn_at: Date | null }>(
      `SELECT code, name, sector_code, withdrawn_at FROM catalog_fields ORDER BY code`,
    )
    return rows.map((r) => ({ code: r.code, name: r.name, sectorCode: r.sector_code ?? '', withdrawn: r.withdrawn_at !== null }))
  }

  /** Changes with an id above `after` (a decimal cursor), oldest first. */
  async changes(after: string, limit: number): Promise<CatalogChange[]> {
    const { rows } = await this.db.query<{
      id: number
      run_id: number
      procedure_code: string
      kind: CatalogChange['kind']
      version: number | null
      changes: FieldChange[]
      created_at: Date
    }>(`SELECT id, run_id, procedure_code, kind, version, changes, created_at FROM catalog_changes WHERE id > $1::int8 ORDER BY id LIMIT $2`, [after, limit])
    return rows.map((r) => ({
      cursor: String(r.id),
      runId: r.run_id,
      procedureCode: r.procedure_code,
      kind: r.kind,
      ...(r.version !== null ? { version: r.version } : {}),
      changes: r.changes,
      at: iso(r.created_at)!,
    }))
  }

  /** Document and result codes named by a procedure's components. */
  async reusableCodes(code: string): Promise<{ inCatalog: boolean; documentCodes: string[]; resultCodes: string[] }> {
    const { rows } = await this.db.query<{ found: boolean; document_codes: string[] | null; result_codes: string[] | null }>(
      `SELECT true AS found,
         (SELECT array_agg(DISTINCT d->>'code') FROM jsonb_array_elements(COALESCE(p.data->'components', '[]'::jsonb)) c,
            jsonb_array_elements(COALESCE(c->'documents', '[]'::jsonb)) d WHERE COALESCE(d->>'code', '') <> '') AS document_codes,
         (SELECT array_agg(DISTINCT d->>'replacementResultCode') FROM jsonb_array_elements(COALESCE(p.data->'components', '[]'::jsonb)) c,
            jsonb_array_elements(COALESCE(c->'documents', '[]'::jsonb)) d WHERE COALESCE(d->>'replacementResultCode', '') <> '') AS result_codes
       FROM catalog_procedures p WHERE p.code = $1`,
      [code],
    )
    const r = rows[0]
    return { inCatalog: Boolean(r), documentCodes: r?.document_codes ?? [], resultCodes: r?.result_codes ?? [] }
  }

  /** Has any run completed, and the active (not withdrawn) procedure of that code. */
  async activeProcedure(code: string): Promise<{ synced: boolean; procedure?: Procedure }> {
    const { rows } = await this.db.query<{ synced: boolean; data: Procedure | null }>(
      `SELECT EXISTS (SELECT 1 FROM catalog_runs WHERE state = 'completed') AS synced,
              (SELECT data FROM catalog_procedures WHERE code = $1 AND withdrawn_at IS NULL) AS data`,
      [code],
    )
    const r = rows[0]
    return { synced: Boolean(r?.synced), ...(r?.data ? { procedure: r.data } : {}) }
  }

  /**
   * The latest completed run (undefined: never synced) and, when it differs from `knownRun`,
   * every document code (MAGIAYTO) and result code (MAKETQUA, MA_KQ_THAYTHE) of active procedures.
   */
  async catalogCodes(knownRun?: string): Promise<{ run?: string; codes?: { documentCodes: string[]; resultCodes: string[] } }> {
    const { rows } = await this.db.query<{ run: string | null }>(`SELECT max(id)::text AS run FROM catalog_runs WHERE state = 'completed'`)
    const run = rows[0]?.run ?? undefined
    if (run === undefined || run === knownRun) return { run }
    const codes = await this.db.query<{ kind: string; code: string }>(
      `SELECT DISTINCT 'document' AS kind, d->>'code' AS code FROM catalog_procedures p,
         jsonb_array_elements(COALESCE(p.data->'components', '[]'::jsonb)) c, jsonb_array_elements(COALESCE(c->'documents', '[]'::jsonb)) d
       WHERE p.withdrawn_at IS NULL AND COALESCE(d->>'code', '') <> ''
       UNION SELECT DISTINCT 'result', d->>'replacementResultCode' FROM catalog_procedures p,
         jsonb_array_elements(COALESCE(p.data->'components', '[]'::jsonb)) c, jsonb_array_elements(COALESCE(c->'documents', '[]'::jsonb)) d
       WHERE p.withdrawn_at IS NULL AND COALESCE(d->>'replacementResultCode', '') <> ''
       UNION SELECT DISTINCT 'result', r->>'code' FROM catalog_procedures p, jsonb_array_elements(COALESCE(p.data->'results', '[]'::jsonb)) r
       WHERE p.withdrawn_at IS NULL AND COALESCE(r->>'code', '') <> ''`,
    )
    const pick = (kind: string) => codes.rows.filter((r) => r.kind === kind).map((r) => r.code)
    return { run, codes: { documentCodes: pick('document'), resultCodes: pick('result') } }
  }
}
