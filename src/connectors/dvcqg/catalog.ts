import { UpstreamError } from '../../http/errors.js'
import { mapDanhMucCoQuan, mapDanhMucLinhVuc, mapDanhSachTTHC, mapThuTuc } from '../../mappings/dvcqg/catalog/from-lay-thu-tuc.js'
import type { CatalogAgency, CatalogField, Procedure, ProcedureSummary } from '../../mappings/dvcqg/catalog/types.js'
import { MappingError } from '../../mappings/shared/errors.js'
import type { DvcqgWire } from './wire.js'

/**
 * DVCQG national catalog reads (the share path in adapter style, GET routes in REST
 * style), each answering the normalized catalog model. Failures are the shared
 * UpstreamError; a record the mapping cannot use is `rejected` (permanent: asking
 * again gets the same record).
 */
export interface DvcqgCatalogOps {
  /** `LayDanhSachTTHC`: the procedures (code and name) of the configured unit, or of `agency`. */
  listProcedureCodes(agency?: string, signal?: AbortSignal): Promise<ProcedureSummary[]>
  /**
   * `LayThuTuc`: one procedure in full. One attempt, no transport read retry: the
   * caller's queue attempts are the one retry layer of a catalog sync.
   */
  procedure(code: string, signal?: AbortSignal): Promise<Procedure>
  /** `LayDanhMucCoQuan`: agencies. */
  agencies(signal?: AbortSignal): Promise<CatalogAgency[]>
  /** `LayDanhMucLinhVuc`: fields (lĩnh vực). */
  fields(signal?: AbortSignal): Promise<CatalogField[]>
}

/** Runs a pure mapping; its failure becomes the permanent upstream error it is. */
function mapped<T>(operation: string, map: () => T): T {
  try {
    return map()
  } catch (e) {
    if (e instanceof MappingError) throw new UpstreamError('dvcqg', 'rejected', `DVCQG ${operation}: unusable answer (${e.message})`, { cause: e })
    throw e
  }
}

export function dvcqgCatalogOps(wire: DvcqgWire): DvcqgCatalogOps {
  const read = (operation: string, params: Record<string, string>, signal?: AbortSignal) =>
    wire.call(operation, params, { signal, path: 'share', idempotent: true })
  return {
    async listProcedureCodes(agency, signal) {
      // the unit code travels as `madonvi` (adapter body) or `maDonVi` (REST query); an agency replaces it
      const params = agency ? { [wire.style === 'adapter' ? 'madonvi' : 'maDonVi']: agency } : {}
      const { result } = await read('LayDanhSachTTHC', params, signal)
      return mapped('LayDanhSachTTHC', () => mapDanhSachTTHC(result))
    },
    async procedure(code, signal) {
      const { result } = await wire.call('LayThuTuc', { maTTHC: code }, { signal, path: 'share', idempotent: false })
      if (result.length === 0) throw new UpstreamError('dvcqg', 'rejected', `LayThuTuc ${code}: no record`)
      return mapped(`LayThuTuc ${code}`, () => mapThuTuc(result[0]))
    },
    async agencies(signal) {
      const { result } = await read('LayDanhMucCoQuan', {}, signal)
      return mapped('LayDanhMucCoQuan', () => mapDanhMucCoQuan(result))
    },
    async fields(signal) {
      const { result } = await read('LayDanhMucLinhVuc', {}, signal)
      return mapped('LayDanhMucLinhVuc', () => mapDanhMucLinhVuc(result))
    },
  }
}
