export {
  fromDigitizedRecord,
  mapFileAnswer,
  mapGetGiayToByUrlReply,
  mapGetKetQuaGiayToReply,
  mapOwnerDocumentsAnswer,
  mapUploadAnswer,
  type WarehouseAnswer,
} from './from-dvcqg.js'
export { toDigitizedRecord, toGetGiayToByUrlRequest, toGetKetQuaGiayToRequest } from './to-dvcqg.js'
export {
  DEFAULT_WIRE_STYLE,
  WarehouseMappingError,
  type DigitizedRecord,
  type GetGiayToByUrlRequest,
  type GetKetQuaGiayToInput,
  type GetKetQuaGiayToRequest,
  type MappingIssue,
  type MirroredDocumentRef,
  type MirroredFileRef,
  type UpstreamResult,
  type WarehouseAttachment,
  type WarehouseDocumentRecord,
  type WireStyle,
} from './types.js'
export { parseDate } from './wire.js'
