/**
 * Runs one fixture case through the mappings. Shared by the loop test; the
 * input shapes are described in cases/README.md.
 */
import { readFileSync } from 'node:fs'
import { MappingError } from '../../../src/mappings/shared/errors.js'
import { parseStatusMap } from '../../../src/mappings/dvcqg/status-map.js'
import type { StatusMap } from '../../../src/mappings/dvcqg/status-map.js'
import { chunkSteps, toDongBoHoSoMC, toHoSo, toTienDo } from '../../../src/mappings/dvcqg/to-dvcqg.js'
import type { DossierEvent, DossierUpsert } from '../../../src/mappings/dvcqg/types.js'
import type { PortalExtras } from '../../../src/mappings/dvcqg/to-dvcqg-digitisation.js'

export const repoRoot = new URL('../../../', import.meta.url)
export const casesDir = new URL('./cases/', import.meta.url)

export const readJson = (url: URL): unknown => JSON.parse(readFileSync(url, 'utf8'))

export const defaultStatusMap: StatusMap = parseStatusMap(readJson(new URL('config/status-map.json', repoRoot)))

interface CaseCtx {
  statusMap?: Record<string, unknown>
  currentStatus?: string
  procedureCodeMap?: Record<string, string>
  /** What the dossier service gathers: connected systems (audit), supplements (events), warehouse links. */
  extras?: PortalExtras
}

export interface CaseInput {
  description: string
  /** Why the input would not pass the API schema, when the case is about that. */
  apiInvalid?: string
  dossier?: DossierUpsert
  isUpdating?: boolean
  dossierCode?: string
  event?: DossierEvent
  events?: DossierEvent[]
  ctx?: CaseCtx
}

/** What a case produces: a DongBoHoSoMC body, a CapNhatTienDoHoSoMC body, a list of them, or an error. */
export type CaseOutput =
  | { kind: 'hoso' | 'tiendo' | 'tiendo-chunks'; payload: unknown }
  | { kind: 'error'; payload: { error: { code: string; field: string } } }

export function runCase(input: CaseInput): CaseOutput {
  const ctx = input.ctx ?? {}
  const statusMap = ctx.statusMap === undefined ? defaultStatusMap : parseStatusMap(ctx.statusMap)
  try {
    if (input.dossier !== undefined) {
      const hoso = toHoSo(input.dossier, { statusMap, currentStatus: ctx.currentStatus, procedureCodeMap: ctx.procedureCodeMap, extras: ctx.extras })
      return { kind: 'hoso', payload: toDongBoHoSoMC(hoso, input.isUpdating ?? false) }
    }
    const code = input.dossierCode
    if (code === undefined) throw new Error(`case "${input.description}": no dossier and no dossierCode`)
    if (input.event !== undefined) {
      return { kind: 'tiendo', payload: chunkSteps([toTienDo(code, input.event, { statusMap, currentStatus: ctx.currentStatus })])[0] }
    }
    if (input.events !== undefined) {
      // As the sync service will: the status in force is the latest one seen so far.
      let current = ctx.currentStatus
      const steps = input.events.map((event) => {
        current = event.status ?? current
        return toTienDo(code, event, { statusMap, currentStatus: current })
      })
      return { kind: 'tiendo-chunks', payload: chunkSteps(steps) }
    }
    throw new Error(`case "${input.description}": nothing to map`)
  } catch (err) {
    if (err instanceof MappingError) return { kind: 'error', payload: { error: { code: err.code, field: err.field } } }
    throw err
  }
}
