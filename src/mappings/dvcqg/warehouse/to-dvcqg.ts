import type {
  DigitizedRecord,
  GetGiayToByUrlRequest,
  GetKetQuaGiayToInput,
  GetKetQuaGiayToRequest,
  MappingIssue,
  WarehouseDocumentRecord,
  WireStyle,
} from './types.js'
import { DEFAULT_WIRE_STYLE, WarehouseMappingError } from './types.js'
import { formatDate, isIsoDate } from './wire.js'

/** Builds the `GetKetQuaGiayTo` body (§1.5). Empty optional parts are sent as "" / [] as the portal expects. */
export function toGetKetQuaGiayToRequest(input: GetKetQuaGiayToInput): GetKetQuaGiayToRequest {
  const issues: MappingIssue[] = []
  if (input.ownerId.trim() === '') issues.push({ field: 'ownerId', message: 'required' })
  if (input.requesterId.trim() === '') issues.push({ field: 'requesterId', message: 'required' })
  if (![1, 2, 3].includes(input.channel)) issues.push({ field: 'channel', message: 'must be 1, 2 or 3' })
  if (issues.length > 0) throw new WarehouseMappingError(issues)
  return {
    SoDinhDanhChuSoHuu: input.ownerId.trim(),
    HoTenNguoiYeuCau: input.requesterName.trim(),
    KenhThucHien: String(input.channel),
    SoDinhDanhNguoiYeuCau: input.requesterId.trim(),
    MaThuTuc: input.procedureCode?.trim() ?? '',
    DanhSachDanhMucKetQua: (input.results ?? []).map((r) => ({
      MaKetQua: r.resultCode.trim(),
      SoKyHieu: r.number?.trim() ?? '',
    })),
  }
}

/** Builds the `GetGiayToByUrl` body for one file of a mirrored result. */
export function toGetGiayToByUrlRequest(file: { custodianAgency: string | null; path: string }): GetGiayToByUrlRequest {
  return { CoQuanChuQuan: file.custodianAgency ?? '', DuongDan: file.path }
}

/**
 * Maps a locally digitised document to the record uploaded to the national warehouse (§1.5).
 * Every field is present (empty string when unknown); dates and booleans follow `style`.
 * @throws WarehouseMappingError on missing owner/document code, bad dates, or a permanent document with an end date.
 */
export function toDigitizedRecord(doc: WarehouseDocumentRecord, style: WireStyle = DEFAULT_WIRE_STYLE): DigitizedRecord {
  const issues: MappingIssue[] = []
  if (doc.ownerId.trim() === '') issues.push({ field: 'ownerId', message: 'required' })
  if (doc.documentCode.trim() === '') issues.push({ field: 'documentCode', message: 'required' })
  if (doc.documentCode.length > 50) issues.push({ field: 'documentCode', message: 'longer than 50 characters' })
  for (const [name, value] of [
    ['issuedOn', doc.issuedOn],
    ['validUntil', doc.validUntil],
  ] as const) {
    if (value !== null && !isIsoDate(value)) issues.push({ field: name, message: 'not a YYYY-MM-DD date' })
  }
  if (doc.permanent && doc.validUntil !== null) {
    issues.push({ field: 'validUntil', message: 'a permanent document has no end of validity' })
  }
  if (issues.length > 0) throw new WarehouseMappingError(issues)

  const s = (v: string | null): string => v ?? ''
  const d = (v: string | null): string => (v === null ? '' : formatDate(v, style.dateFormat))
  const yes = style.booleans === '01' ? '1' : 'True'
  const no = style.booleans === '01' ? '0' : 'False'
  return {
    Ma: s(doc.localId),
    MaGiayToKhoQuocGia: s(doc.nationalId),
    MaDinhDanh: doc.ownerId.trim(),
    SoKyHieu: s(doc.number),
    MaGiayTo: doc.documentCode.trim(),
    NgayBanHanh: d(doc.issuedOn),
    ThoiHanHieuLuc: d(doc.validUntil),
    ThoiHanVinhVien: doc.permanent ? yes : no,
    PhamViHieuLuc: s(doc.scope),
    TrichYeuNoiDung: s(doc.summary),
    CoQuanBanHanh: s(doc.issuingAgency),
    NguoiKy: s(doc.signer),
    LoaiSoHoa: s(doc.digitisationKind),
    DinhKem: doc.attachments.map((a) => ({
      TenTep: s(a.name),
      DuongDan: s(a.path),
      ...(a.contentBase64 !== undefined ? { NoiDung: a.contentBase64 } : {}),
    })),
    MaTTHC: s(doc.procedureCode),
    MaLinhVuc: s(doc.fieldCode),
    ChuGiayTo: s(doc.ownerName),
  }
}
