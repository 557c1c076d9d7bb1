/**
 * Normalized dossier API → DVCQG payloads (`DongBoHoSoMC`, `CapNhatTienDoHoSoMC`).
 * Pure: no clock, no I/O, no config reads. See NATIONAL-ENDPOINTS.md §1.1–§1.3.
 */
import { MappingError } from '../shared/errors.js'
import type { StatusMap } from './status-map.js'
import { toNationalStatus } from './status-map.js'
import { truncateText } from './text.js'
import type { CapNhatTienDoHoSoMC, DinhDanh, DongBoHoSoMC, DossierEvent, DossierUpsert, DvcqgBool, HoSo, TienDoStep } from './types.js'
import { toNationalTimestamp } from '../shared/national-time.js'
import { componentFlags, toHinhThuc, toHoSoBoSung, toKetNoiCSDL, toTepDinhKemKhac, type PortalExtras } from './to-dvcqg-digitisation.js'

/** Portal limits (§1.1). */
export const TRICH_YEU_MAX = 1000
export const NGUOI_XU_LY_MAX = 50
/** Most steps the portal takes in one `CapNhatTienDoHoSoMC` call. */
export const MAX_STEPS_PER_CALL = 10

/** Context of {@link toHoSo}. */
export interface HoSoContext {
  /** Validated provincial → national status table. */
  statusMap: StatusMap
  /**
   * Latest provincial status known to the hub (e.g. from events stored after this
   * dossier body); when set it wins over `dossier.status`.
   */
  currentStatus?: string
  /** Local procedure code → national code; codes not listed are sent as given. */
  procedureCodeMap?: Readonly<Record<string, string>>
  /** Audit-derived databases, supplement requests and warehouse links (to-dvcqg-digitisation.ts). */
  extras?: PortalExtras
}

/** Context of {@link toTienDo}. */
export interface TienDoContext {
  statusMap: StatusMap
  /** Provincial status to report when the event itself carries none. */
  currentStatus?: string
}

/**
 * ISO-8601 with offset → `yyyyMMddHHmmss` in Asia/Ho_Chi_Minh (UTC+7, no DST),
 * whatever the input offset. Fractions of a second are dropped.
 * @param field reported in the error, e.g. `receivedAt`.
 * @throws MappingError when the string is not a valid timestamp with offset
 *   (a local time without offset is refused: its instant is unknown).
 */
export function formatDvcqgDate(iso: string, field = 'date'): string {
  const r = toNationalTimestamp(iso)
  if (r.ok) return r.value
  const why = { format: 'not an ISO-8601 timestamp with offset', calendar: 'not a valid calendar date/time', range: 'year out of range' }[r.reason]
  throw new MappingError(field, `${field}: ${why}`)
}

const optionalDate = (iso: string | undefined, field: string): string => (iso === undefined ? '' : formatDvcqgDate(iso, field))

const bool = (value: boolean | undefined): DvcqgBool => (value === true ? 'True' : 'False')

const KENH = { in_person: '1', online: '2', postal: '3' } as const
const LOAI_DOI_TUONG = { citizen: '1', enterprise: '2', agency: '3', organization: '4' } as const

function nationalStatus(map: StatusMap, code: string | undefined, field: string): string {
  if (code === undefined) throw new MappingError(field, `${field}: no status to report`)
  const national = toNationalStatus(map, code)
  if (national === undefined) {
    throw new MappingError(field, `${field}: provincial status "${code}" has no DVCQG mapping`)
  }
  return String(national)
}

function dinhDanh(idType: DossierUpsert['applicant']['idType'], idNumber: string): DinhDanh[] {
  if (idType === 'cccd') return [{ LoaiDinhDanh: '1', SoDinhDanh: idNumber }]
  if (idType === 'cmnd') return [{ LoaiDinhDanh: '2', SoDinhDanh: idNumber }]
  return []
}

/**
 * A dossier → the `<hoso>` record of `DongBoHoSoMC`.
 * @throws MappingError `status` for an unmapped provincial status, or the name of a
 *   timestamp field that cannot be parsed.
 */
export function toHoSo(dossier: DossierUpsert, ctx: HoSoContext): HoSo {
  const { applicant } = dossier
  const procedureMap = ctx.procedureCodeMap
  const maTTHC =
    procedureMap !== undefined && Object.hasOwn(procedureMap, dossier.procedureCode)
      ? (procedureMap[dossier.procedureCode] ?? dossier.procedureCode)
      : dossier.procedureCode
  const documents = dossier.documents ?? []
  const extras = ctx.extras ?? {}
  const flags = documents.map((doc) => componentFlags(doc, extras.links?.[doc.id]))
  return {
    MaHoSo: dossier.dossierCode,
    MaTTHC: maTTHC,
    TenTTHC: dossier.procedureName,
    MaLinhVuc: dossier.fieldCode ?? '',
    TenLinhVuc: dossier.fieldName ?? '',
    KenhThucHien: KENH[dossier.channel],
    ChuHoSo: applicant.name,
    LoaiDoiTuong: LOAI_DOI_TUONG[applicant.kind],
    MaDoiTuong: dossier.channel === 'online' ? (applicant.portalAccountId ?? '') : '',
    SoGiayToChuHoSo: applicant.idNumber,
    DinhDanhCHS: dinhDanh(applicant.idType, applicant.idNumber),
    Email: applicant.email ?? '',
    Fax: '',
    SoDienThoai: applicant.phone ?? '',
    TrichYeuHoSo: truncateText(dossier.summary, TRICH_YEU_MAX),
    NgayNopHoSo: optionalDate(dossier.submittedAt, 'submittedAt'),
    NgayTiepNhan: formatDvcqgDate(dossier.receivedAt, 'receivedAt'),
    NgayHenTra: formatDvcqgDate(dossier.dueAt, 'dueAt'),
    TrangThaiHoSo: nationalStatus(ctx.statusMap, ctx.currentStatus ?? dossier.status, 'status'),
    NgayTra: optionalDate(dossier.returnedAt, 'returnedAt'),
    NgayTuChoi: optionalDate(dossier.rejectedAt, 'rejectedAt'),
    NgayKetThucXuLy: optionalDate(dossier.finishedAt, 'finishedAt'),
    DonViXuLy: dossier.processingUnit ?? '',
    NoiNopHoSo: dossier.submissionPlace ?? '',
    // A deleted attachment no longer makes the dossier "digitised".
    HoSoCoThanhPhanSoHoa: bool(documents.some((doc, i) => flags[i]!.digitised && doc.deleted !== true)),
    TaiKhoanDuocXacThucVoiVNeID: bool(applicant.vneidVerified),
    DuocThanhToanTrucTuyen: dossier.paidOnline === true ? '1' : '3',
    GhiChu: dossier.note ?? '',
    TaiLieuNop: documents.map((doc, i) => ({
      TepDinhKemId: doc.id,
      TenTepDinhKem: doc.name,
      IsDeleted: bool(doc.deleted),
      MaThanhPhanHoSo: doc.componentCode ?? '',
      DuongDanTaiTepTin: doc.url ?? '',
      DuocSoHoa: bool(flags[i]!.digitised),
      DuocTaiSuDung: bool(flags[i]!.reused),
      DuocLayTuKhoDMQG: bool(flags[i]!.fromNational),
      MaKetQuaThayThe: doc.replacedByResultCode ?? '',
    })),
    DanhSachLePhi: (dossier.fees ?? []).map((fee) => ({
      TenPhiLePhi: fee.name,
      MaPhiLePhi: fee.code ?? '',
      HinhThucThu: fee.method ?? '',
      Gia: fee.amount,
      LoaiPhiLePhi: fee.kind ?? '',
    })),
    DanhSachGiayToKetQua: (dossier.results ?? []).map((result) => ({
      TenGiayTo: result.name,
      MaThanhPhanHoSo: result.componentCode ?? '',
      GiayToId: result.id,
      DuongDanTepTinKetQua: result.url ?? '',
      MaGiayToKetQua: result.resultCode ?? '',
    })),
    HinhThuc: toHinhThuc(dossier.resultDelivery),
    ThongTinTra: dossier.returnInfo ?? '',
    DSKetNoiCSDL: toKetNoiCSDL(extras.connectedDatabases),
    DanhSachTepDinhKemKhac: toTepDinhKemKhac(dossier.otherAttachments),
    DanhSachHoSoBoSung: toHoSoBoSung(extras.supplements),
  }
}

/** Wraps one record as `DongBoHoSoMC` params; `isUpdating` after the portal knows it. */
export function toDongBoHoSoMC(hoso: HoSo, isUpdating: boolean): DongBoHoSoMC {
  return { isUpdating: bool(isUpdating), data: [hoso] }
}

/**
 * A processing-step event → one `CapNhatTienDoHoSoMC` step. `TrangThai` is the national
 * code of `event.status`, else of `ctx.currentStatus`.
 * @throws MappingError `step` when the event has no step (a status-only change goes
 *   through `DongBoHoSoMC`), `status` when no status is known or it is unmapped, or the
 *   name of an unparseable timestamp (`occurredAt`, `step.startedAt`, `step.dueAt`).
 */
export function toTienDo(dossierCode: string, event: DossierEvent, ctx: TienDoContext): TienDoStep {
  const { step } = event
  if (step === undefined) throw new MappingError('step', 'step: the event carries no processing step')
  return {
    MaHoSo: dossierCode,
    NguoiXuLy: truncateText(step.actor, NGUOI_XU_LY_MAX),
    ChucDanh: step.actorTitle ?? '',
    ThoiDiemXuLy: formatDvcqgDate(event.occurredAt, 'occurredAt'),
    PhongBanXuLy: step.department ?? '',
    NoiDungXuLy: step.action,
    TrangThai: nationalStatus(ctx.statusMap, event.status ?? ctx.currentStatus, 'status'),
    NgayBatDau: optionalDate(step.startedAt, 'step.startedAt'),
    NgayKetThucTheoQuyDinh: optionalDate(step.dueAt, 'step.dueAt'),
  }
}

/**
 * Splits steps, in order, into `CapNhatTienDoHoSoMC` params of at most `size` steps.
 * @throws RangeError unless `size` is an integer 1..10.
 */
export function chunkSteps<T = TienDoStep>(steps: readonly T[], size: number = MAX_STEPS_PER_CALL): CapNhatTienDoHoSoMC<T>[] {
  if (!Number.isInteger(size) || size < 1 || size > MAX_STEPS_PER_CALL) {
    throw new RangeError(`chunk size must be an integer 1..${MAX_STEPS_PER_CALL}`)
  }
  const chunks: CapNhatTienDoHoSoMC<T>[] = []
  for (let i = 0; i < steps.length; i += size) chunks.push({ data: steps.slice(i, i + size) })
  return chunks
}
