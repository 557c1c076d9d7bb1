import { UpstreamError } from '../../http/errors.js'
import {
  mapFileAnswer,
  mapOwnerDocumentsAnswer,
  mapUploadAnswer,
  toDigitizedRecord,
  toGetGiayToByUrlRequest,
  toGetKetQuaGiayToRequest,
  type GetKetQuaGiayToInput,
  type MirroredDocumentRef,
  type WarehouseAnswer,
  type WarehouseDocumentRecord,
} from '../../mappings/dvcqg/warehouse/index.js'
import type { DvcqgWire } from './wire.js'

/** Where a file of a national result lives (`CoQuanChuQuan` + `DuongDan` of a listed result). */
export interface WarehouseFileLocation {
  custodianAgency: string | null
  path: string
}

/**
 * DVCQG e-document warehouse operations (NATIONAL-ENDPOINTS §1.5). Each one maps its
 * request and reply inside and raises the shared UpstreamError: transient faults as
 * retryable kinds, the portal's refusals as `rejected`. None is retried by the
 * transport: the warehouse queue jobs are these paths' one retry layer.
 */
export interface DvcqgWarehouseOps {
  /** `GetKetQuaGiayTo`: an owner's results (empty when the portal holds none). */
  listOwnerDocuments(query: GetKetQuaGiayToInput, signal?: AbortSignal): Promise<MirroredDocumentRef[]>
  /** `GetGiayToByUrl`: one file's bytes, bounded by the connector's reply limit (DVCQG_MAX_REPLY_BYTES). */
  downloadFile(file: WarehouseFileLocation, signal?: AbortSignal): Promise<Buffer>
  /**
   * `DongBoKetQuaSoHoa`: uploads one digitised record with its file; the national id when
   * the portal gives one. A record the mapping refuses throws WarehouseMappingError (permanent).
   */
  uploadDocument(record: WarehouseDocumentRecord, signal?: AbortSignal): Promise<{ nationalId: string | null }>
}

export function dvcqgWarehouseOps(wire: DvcqgWire): DvcqgWarehouseOps {
  /** The accepted or refused answer; anything else (auth, malformed) was already raised by the wire. */
  async function answer(operation: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<WarehouseAnswer> {
    const outcome = await wire.send(operation, operation, params, { signal, idempotent: false })
    if (outcome.kind === 'ok' || outcome.kind === 'rejected') return outcome
    wire.ok(operation, outcome)
    throw new UpstreamError('dvcqg', 'malformed', `DVCQG ${operation}: unexpected answer ${outcome.kind}`)
  }

  return {
    async listOwnerDocuments(query, signal) {
      const mapped = mapOwnerDocumentsAnswer(await answer('GetKetQuaGiayTo', { ...toGetKetQuaGiayToRequest(query) }, signal))
      if (mapped.kind === 'found') return mapped.value
      if (mapped.kind === 'not_found') return []
      const retryable = mapped.kind === 'malformed' || mapped.retryable
      throw new UpstreamError(
        'dvcqg',
        retryable ? 'malformed' : 'rejected',
        `GetKetQuaGiayTo: ${mapped.message}`,
        mapped.kind === 'fault' ? { upstreamCode: mapped.code } : {},
      )
    },
    async downloadFile(file, signal) {
      const mapped = mapFileAnswer(await answer('GetGiayToByUrl', { ...toGetGiayToByUrlRequest(file) }, signal))
      if (mapped.kind === 'found') return mapped.value
      const retryable = mapped.kind === 'malformed' || (mapped.kind === 'fault' && mapped.retryable)
      throw new UpstreamError(
        'dvcqg',
        retryable ? 'malformed' : 'rejected',
        `GetGiayToByUrl: ${mapped.message}`,
        mapped.kind === 'fault' ? { upstreamCode: mapped.code } : {},
      )
    },
    async uploadDocument(record, signal) {
      const ok = await wire.call('DongBoKetQuaSoHoa', { data: [toDigitizedRecord(record)] }, { signal })
      return mapUploadAnswer(ok.result, record.localId)
    },
  }
}
