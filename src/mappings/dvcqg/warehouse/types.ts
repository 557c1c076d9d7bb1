import { MappingError } from '../../shared/errors.js'
/**
 * Types of the warehouse (Kho dữ liệu) mappings, NATIONAL-ENDPOINTS §1.5.
 * Domain side: camelCase, ISO dates (`YYYY-MM-DD`), null for absent. Wire side: the portal's field names.
 */

export type { UpstreamResult } from '../../shared/upstream-result.js'

/** One downloadable file of a national result (`DanhSachTepDinhKem[]`). */
export interface MirroredFileRef {
  /** `TenTep`. */
  readonly name: string | null
  /** `DuongDan`: opaque path to pass back to `GetGiayToByUrl`. */
  readonly path: string
  /** `MaHash` (extension, not in the documented reply): SHA-256 hex of the file, lower case. */
  readonly sha256?: string
  /** `KichThuoc` (extension): size in bytes. */
  readonly size?: number
}

/** One result document held by the national warehouse for an owner (`DanhSachGiayToKetQua[]`). */
export interface MirroredDocumentRef {
  /** `MaKetQua`, e.g. `KQ.G15.000031`. */
  readonly resultCode: string | null
  /** `TenGiayTo`. */
  readonly title: string | null
  /** `SoKyHieu`. */
  readonly number: string | null
  /** `CoQuanChuQuan`: the custodian agency, needed to download the files. */
  readonly custodianAgency: string | null
  readonly files: readonly MirroredFileRef[]
  /** Optional extensions some warehouses add to a result (absent when not sent). */
  /** `MaGiayTo`. */
  readonly documentCode?: string
  /** `NgayBanHanh`, `YYYY-MM-DD`. */
  readonly issuedOn?: string
  /** `ThoiHanHieuLuc`, `YYYY-MM-DD`. */
  readonly validUntil?: string
  /** `ThoiHanVinhVien`. */
  readonly permanent?: boolean
  /** `NguoiKy`. */
  readonly signer?: string
}

/** Input of {@link GetKetQuaGiayToRequest}: who asks, for whom, optionally which results. */
export interface GetKetQuaGiayToInput {
  /** Owner's identity number (CCCD / CMND / tax code). */
  readonly ownerId: string
  /** Name of the person or official asking (the one-stop desk officer or the citizen). */
  readonly requesterName: string
  /** Identity number of the requester. */
  readonly requesterId: string
  /** `KenhThucHien`: 1 in person, 2 online, 3 postal. */
  readonly channel: 1 | 2 | 3
  /** National procedure code (`MaThuTuc`), when asking for a procedure's components. */
  readonly procedureCode?: string | null
  /** Restrict to these result codes (and optionally numbers). */
  readonly results?: ReadonlyArray<{ readonly resultCode: string; readonly number?: string | null }>
}

/** Body of `GetKetQuaGiayTo` on the wire. */
export interface GetKetQuaGiayToRequest {
  readonly SoDinhDanhChuSoHuu: string
  readonly HoTenNguoiYeuCau: string
  readonly KenhThucHien: string
  readonly SoDinhDanhNguoiYeuCau: string
  readonly MaThuTuc: string
  readonly DanhSachDanhMucKetQua: ReadonlyArray<{ readonly MaKetQua: string; readonly SoKyHieu: string }>
}

/** Body of `GetGiayToByUrl` on the wire. */
export interface GetGiayToByUrlRequest {
  readonly CoQuanChuQuan: string
  readonly DuongDan: string
}

/** One file attached to a digitised record (`DinhKem`). */
export interface WarehouseAttachment {
  /** `TenTep`. */
  readonly name: string | null
  /** `DuongDan`: where the portal keeps the file, when known. */
  readonly path: string | null
  /** `NoiDung`: base64 content, only when uploading inline. */
  readonly contentBase64?: string
}

/** A digitised document record in domain form. */
export interface WarehouseDocumentRecord {
  /** `Ma`: the province's own id of the record. */
  readonly localId: string | null
  /** `MaGiayToKhoQuocGia`: id given by the national warehouse once pushed. */
  readonly nationalId: string | null
  /** `MaDinhDanh`: owner's identity number. */
  readonly ownerId: string
  /** `ChuGiayTo`: owner's name. */
  readonly ownerName: string | null
  /** `SoKyHieu`. */
  readonly number: string | null
  /** `MaGiayTo`: document code (≤ 50 characters). */
  readonly documentCode: string
  /** `NgayBanHanh`, `YYYY-MM-DD`. */
  readonly issuedOn: string | null
  /** `ThoiHanHieuLuc`, `YYYY-MM-DD`; null when permanent or unknown. */
  readonly validUntil: string | null
  /** `ThoiHanVinhVien`. */
  readonly permanent: boolean
  /** `PhamViHieuLuc`. */
  readonly scope: string | null
  /** `TrichYeuNoiDung`. */
  readonly summary: string | null
  /** `CoQuanBanHanh`. */
  readonly issuingAgency: string | null
  /** `NguoiKy`. */
  readonly signer: string | null
  /** `LoaiSoHoa`: kind of digitisation, as the portal codes it. */
  readonly digitisationKind: string | null
  /** `DinhKem`. */
  readonly attachments: readonly WarehouseAttachment[]
  /** `MaTTHC`. */
  readonly procedureCode: string | null
  /** `MaLinhVuc`. */
  readonly fieldCode: string | null
}

/** A digitised document record on the wire (upload to / read from DVCQG). */
export interface DigitizedRecord {
  readonly Ma: string
  readonly MaGiayToKhoQuocGia: string
  readonly MaDinhDanh: string
  readonly SoKyHieu: string
  readonly MaGiayTo: string
  readonly NgayBanHanh: string
  readonly ThoiHanHieuLuc: string
  readonly ThoiHanVinhVien: string
  readonly PhamViHieuLuc: string
  readonly TrichYeuNoiDung: string
  readonly CoQuanBanHanh: string
  readonly NguoiKy: string
  readonly LoaiSoHoa: string
  readonly DinhKem: ReadonlyArray<{ readonly TenTep: string; readonly DuongDan: string; readonly NoiDung?: string }>
  readonly MaTTHC: string
  readonly MaLinhVuc: string
  readonly ChuGiayTo: string
}

/** How the portal instance writes dates and booleans (provinces differ); the mapping context. */
export interface WireStyle {
  /** Default `yyyyMMddHHmmss`. */
  readonly dateFormat: 'yyyyMMddHHmmss' | 'dd/MM/yyyy'
  /** Default `TrueFalse` ("True"/"False"); `01` writes "1"/"0". */
  readonly booleans: 'TrueFalse' | '01'
}

export const DEFAULT_WIRE_STYLE: WireStyle = { dateFormat: 'yyyyMMddHHmmss', booleans: 'TrueFalse' }

/** One problem found by a mapping. */
export interface MappingIssue {
  /** Wire or domain field name. */
  readonly field: string
  readonly message: string
}

/** Input cannot be mapped (missing or invalid fields). Not retryable. */
export class WarehouseMappingError extends MappingError {
  constructor(readonly issues: readonly MappingIssue[]) {
    super(issues[0]?.field ?? 'record', `warehouse mapping failed: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`)
    this.name = 'WarehouseMappingError'
  }
}
