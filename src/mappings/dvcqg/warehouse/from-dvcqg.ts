import type { MappingIssue, MirroredDocumentRef, MirroredFileRef, WarehouseAttachment, WarehouseDocumentRecord } from './types.js'
import { WarehouseMappingError } from './types.js'
import type { UpstreamResult } from '../../shared/upstream-result.js'
import { bool, field, isObject, parseDate, text, type WireObject } from './wire.js'

const SUCCESS_CODES = new Set(['0', '00'])
const NOT_FOUND = /không tìm thấy|không có dữ liệu|không tồn tại|not found|no data/i
// Heuristic: the portal has no documented transient codes, so transient faults are recognised by wording.
const TRANSIENT = /quá tải|hệ thống đang bận|thử lại|timeout|time out|temporarily|busy|lỗi hệ thống|system error/i
const TRANSIENT_CODES = new Set(['-1', '429', '500', '502', '503', '504'])

/** Some gateways return the JSON reply as a string; decode it once. */
function decodeReply(reply: unknown): unknown {
  if (typeof reply !== 'string') return reply
  const trimmed = reply.trim()
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return reply
  try {
    return JSON.parse(trimmed) as unknown
  } catch {
    return reply
  }
}

interface Envelope {
  readonly code: string | null
  readonly message: string
  readonly result: unknown
}

function envelope(reply: WireObject): Envelope {
  const rawCode = field(reply, 'errorCode', 'error_code', 'ErrorCode', 'maLoi')
  const code = rawCode === undefined || rawCode === null ? null : String(rawCode).trim()
  return {
    code,
    message: text(field(reply, 'message', 'Message', 'msg', 'errorDesc')) ?? '',
    result: decodeReply(field(reply, 'result', 'Result', 'data')),
  }
}

function fault(code: string, message: string): UpstreamResult<never> {
  return { kind: 'fault', code, message, retryable: TRANSIENT_CODES.has(code) || TRANSIENT.test(message) }
}

function mapFile(value: unknown): MirroredFileRef | null {
  if (!isObject(value)) return null
  const path = text(field(value, 'DuongDan', 'DuongDanTep', 'DuongDanTepTin', 'Url'))
  // a file without a path cannot be downloaded: it is not a mirror candidate
  if (path === null) return null
  const hash = text(field(value, 'MaHash', 'Hash', 'SHA256'))?.toLowerCase()
  const rawSize = field(value, 'KichThuoc', 'Size')
  const size = typeof rawSize === 'number' ? rawSize : typeof rawSize === 'string' && /^\d+$/.test(rawSize.trim()) ? Number(rawSize) : undefined
  return {
    name: text(field(value, 'TenTep', 'TenTepDinhKem', 'FileName')),
    path,
    ...(hash && /^[0-9a-f]{64}$/.test(hash) ? { sha256: hash } : {}),
    ...(size !== undefined && Number.isSafeInteger(size) && size >= 0 ? { size } : {}),
  }
}

function mapDocument(value: WireObject): MirroredDocumentRef {
  const rawFiles = field(value, 'DanhSachTepDinhKem', 'TepDinhKem', 'DinhKem')
  const fileList = Array.isArray(rawFiles) ? rawFiles : rawFiles === undefined || rawFiles === null ? [] : [rawFiles]
  const documentCode = text(field(value, 'MaGiayTo'))
  const issuedOn = parseDate(field(value, 'NgayBanHanh'))
  const validUntil = parseDate(field(value, 'ThoiHanHieuLuc'))
  const permanent = bool(field(value, 'ThoiHanVinhVien'))
  const signer = text(field(value, 'NguoiKy'))
  return {
    resultCode: text(field(value, 'MaKetQua', 'MaGiayToKetQua')),
    title: text(field(value, 'TenGiayTo', 'TenKetQua')),
    number: text(field(value, 'SoKyHieu')),
    custodianAgency: text(field(value, 'CoQuanChuQuan')),
    files: fileList.map(mapFile).filter((f): f is MirroredFileRef => f !== null),
    // Extensions: kept when present and well-formed, otherwise left out (never a mapping error).
    ...(documentCode !== null && documentCode.length <= 50 ? { documentCode } : {}),
    ...(issuedOn ? { issuedOn } : {}),
    ...(validUntil && permanent !== true ? { validUntil } : {}),
    ...(typeof permanent === 'boolean' ? { permanent } : {}),
    ...(signer !== null ? { signer } : {}),
  }
}

/**
 * Maps a `GetKetQuaGiayTo` reply (NATIONAL-ENDPOINTS §1.5) to the owner's result documents.
 * Tolerates `errorCode`/`error_code` as number or string, `result` as an object, a bare list or a
 * JSON string, field-name case variants and a single file object instead of a list.
 * An owner with no results is `found` with an empty list, unless the portal says "not found".
 */
export function mapGetKetQuaGiayToReply(reply: unknown): UpstreamResult<MirroredDocumentRef[]> {
  const decoded = decodeReply(reply)
  if (!isObject(decoded)) return { kind: 'malformed', message: 'reply is not a JSON object' }
  const env = envelope(decoded)
  let list: unknown = env.result
  if (isObject(list)) list = field(list, 'DanhSachGiayToKetQua', 'danhSach')
  if (list === undefined && env.result === undefined) list = field(decoded, 'DanhSachGiayToKetQua')
  const items = list === undefined || list === null ? [] : list

  if (env.code !== null && !SUCCESS_CODES.has(env.code)) {
    if (NOT_FOUND.test(env.message)) return { kind: 'not_found', message: env.message }
    return fault(env.code, env.message || 'upstream error')
  }
  if (env.code === null && list === undefined) {
    // neither a status nor a list: nothing says the call succeeded
    if (NOT_FOUND.test(env.message)) return { kind: 'not_found', message: env.message }
    return { kind: 'malformed', message: 'reply has neither errorCode nor a result list' }
  }
  if (!Array.isArray(items)) return { kind: 'malformed', message: 'DanhSachGiayToKetQua is not a list' }
  if (items.length === 0 && NOT_FOUND.test(env.message)) return { kind: 'not_found', message: env.message }
  const bad = items.findIndex((item) => !isObject(item))
  if (bad >= 0) return { kind: 'malformed', message: `DanhSachGiayToKetQua[${bad}] is not an object` }
  return { kind: 'found', value: (items as WireObject[]).map(mapDocument) }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/**
 * Maps a `GetGiayToByUrl` reply (a base64 string, bare or in the usual envelope, possibly as a
 * data URI) to the file bytes. The hash check belongs to the caller (blob store).
 */
export function mapGetGiayToByUrlReply(reply: unknown): UpstreamResult<Buffer> {
  let payload: unknown = reply
  if (isObject(reply)) {
    const env = envelope(reply)
    if (env.code !== null && !SUCCESS_CODES.has(env.code)) {
      if (NOT_FOUND.test(env.message)) return { kind: 'not_found', message: env.message }
      return fault(env.code, env.message || 'upstream error')
    }
    payload = env.result
  }
  if (typeof payload !== 'string') return { kind: 'malformed', message: 'file content is not a base64 string' }
  let b64 = payload.trim()
  if (b64.startsWith('"') && b64.endsWith('"')) b64 = b64.slice(1, -1)
  b64 = b64.replace(/^data:[^;,]*;base64,/, '').replace(/\s+/g, '')
  if (b64 === '') return { kind: 'not_found', message: 'empty file content' }
  if (b64.length % 4 !== 0 || !BASE64.test(b64)) return { kind: 'malformed', message: 'file content is not valid base64' }
  return { kind: 'found', value: Buffer.from(b64, 'base64') }
}

function mapAttachments(value: unknown, issues: MappingIssue[]): WarehouseAttachment[] {
  if (value === undefined || value === null || value === '') return []
  if (typeof value === 'string') return [{ name: null, path: value.trim() }]
  const list = Array.isArray(value) ? value : [value]
  const out: WarehouseAttachment[] = []
  list.forEach((item, i) => {
    if (typeof item === 'string' && item.trim() !== '') out.push({ name: null, path: item.trim() })
    else if (isObject(item)) {
      const content = text(field(item, 'NoiDung', 'Base64'))
      out.push({
        name: text(field(item, 'TenTep', 'TenTepDinhKem')),
        path: text(field(item, 'DuongDan', 'DuongDanTep', 'Url')),
        ...(content !== null ? { contentBase64: content } : {}),
      })
    } else issues.push({ field: `DinhKem[${i}]`, message: 'not a file reference' })
  })
  return out
}

/**
 * Maps a digitised document record from the portal (§1.5) to domain form.
 * Dates become `YYYY-MM-DD`; a permanent document has no `validUntil`.
 * @throws WarehouseMappingError when `MaDinhDanh` or `MaGiayTo` is missing or a field is invalid.
 */
export function fromDigitizedRecord(rec: unknown): WarehouseDocumentRecord {
  const decoded = decodeReply(rec)
  if (!isObject(decoded)) throw new WarehouseMappingError([{ field: '(record)', message: 'not an object' }])
  const issues: MappingIssue[] = []
  const required = (name: string): string => {
    const v = text(field(decoded, name))
    if (v === null) issues.push({ field: name, message: 'required' })
    return v ?? ''
  }
  const date = (name: string): string | null => {
    const v = parseDate(field(decoded, name))
    if (v === undefined) {
      issues.push({ field: name, message: 'not a date' })
      return null
    }
    return v
  }
  const ownerId = required('MaDinhDanh')
  const documentCode = required('MaGiayTo')
  if (documentCode.length > 50) issues.push({ field: 'MaGiayTo', message: 'longer than 50 characters' })
  const permanent = bool(field(decoded, 'ThoiHanVinhVien'))
  if (permanent === undefined) issues.push({ field: 'ThoiHanVinhVien', message: 'not a boolean' })
  const issuedOn = date('NgayBanHanh')
  const validUntil = date('ThoiHanHieuLuc')
  const attachments = mapAttachments(field(decoded, 'DinhKem'), issues)
  if (issues.length > 0) throw new WarehouseMappingError(issues)
  return {
    localId: text(field(decoded, 'Ma')),
    nationalId: text(field(decoded, 'MaGiayToKhoQuocGia')),
    ownerId,
    ownerName: text(field(decoded, 'ChuGiayTo')),
    number: text(field(decoded, 'SoKyHieu')),
    documentCode,
    issuedOn,
    validUntil: permanent === true ? null : validUntil,
    permanent: permanent === true,
    scope: text(field(decoded, 'PhamViHieuLuc')),
    summary: text(field(decoded, 'TrichYeuNoiDung')),
    issuingAgency: text(field(decoded, 'CoQuanBanHanh')),
    signer: text(field(decoded, 'NguoiKy')),
    digitisationKind: text(field(decoded, 'LoaiSoHoa')),
    attachments,
    procedureCode: text(field(decoded, 'MaTTHC')),
    fieldCode: text(field(decoded, 'MaLinhVuc')),
  }
}

/**
 * A warehouse answer as the DVCQG envelope parser (`../from-dvcqg.ts`) hands it to the
 * connector: accepted (`result` always a list, a single object or value wrapped in one)
 * or refused by the portal with its own code and text.
 */
export type WarehouseAnswer =
  | { readonly kind: 'ok'; readonly result: readonly unknown[]; readonly message?: string }
  | { readonly kind: 'rejected'; readonly errorCode: string; readonly message: string }

/** The reply shape the mappers above read, from a parsed answer (an unwrapped single `result`). */
function replyOf(answer: WarehouseAnswer): WireObject {
  if (answer.kind === 'rejected') return { errorCode: answer.errorCode, message: answer.message, result: null }
  const [only] = answer.result
  // One object holding the list (or one bare value) was wrapped by the parser; a bare list of documents was not.
  const wrapped = answer.result.length === 1 && (!isObject(only) || field(only, 'DanhSachGiayToKetQua', 'danhSach') !== undefined)
  return { errorCode: 0, message: answer.message ?? '', result: wrapped ? only : answer.result }
}

/** `GetKetQuaGiayTo` from a parsed answer: the portal's "not found" and its transient faults are told apart here. */
export function mapOwnerDocumentsAnswer(answer: WarehouseAnswer): UpstreamResult<MirroredDocumentRef[]> {
  return mapGetKetQuaGiayToReply(replyOf(answer))
}

/** `GetGiayToByUrl` from a parsed answer: the file bytes (an empty answer is "not found"). */
export function mapFileAnswer(answer: WarehouseAnswer): UpstreamResult<Buffer> {
  return mapGetGiayToByUrlReply(answer.kind === 'ok' ? (answer.result[0] ?? '') : replyOf(answer))
}

/**
 * `DongBoKetQuaSoHoa` accepted: the id the national warehouse gave the record `localId`
 * (`MaGiayToKhoQuocGia` of the item whose `Ma` matches, else of the first item), or null.
 */
export function mapUploadAnswer(result: readonly unknown[], localId: string | null): { nationalId: string | null } {
  const items = result.filter(isObject)
  const mine = items.find((item) => localId !== null && text(field(item, 'Ma')) === localId) ?? items[0]
  return { nationalId: mine ? text(field(mine, 'MaGiayToKhoQuocGia')) : null }
}
