/**
 * Input and output types of the DVCQG mappings.
 *
 * The inputs mirror `Static<typeof DossierUpsertBody | DossierEventBody>` of
 * `schemas/v1/dossier.ts` field for field (a compile-time test keeps them equal);
 * they are restated here because `src/` is built on its own (rootDir `src`).
 */

export interface DossierApplicant {
  kind: 'citizen' | 'enterprise' | 'agency' | 'organization'
  name: string
  idType: 'cccd' | 'cmnd' | 'passport' | 'tax_code' | 'other'
  idNumber: string
  phone?: string
  email?: string
  portalAccountId?: string
  vneidVerified?: boolean
}

export interface DossierDocument {
  id: string
  name: string
  componentCode?: string
  url?: string
  deleted?: boolean
  digitized?: boolean
  reused?: boolean
  fromNationalWarehouse?: boolean
  replacedByResultCode?: string
}

export interface DossierFee {
  name: string
  code?: string
  method?: string
  amount: number
  kind?: string
}

export interface DossierResult {
  id: string
  name: string
  componentCode?: string
  url?: string
  resultCode?: string
}

export interface DossierOtherAttachment {
  name: string
  count: number
  kind?: string
}

/** A dossier as accepted by `POST /v1/dossiers`. */
export interface DossierUpsert {
  eventId: string
  dossierCode: string
  procedureCode: string
  procedureName: string
  fieldCode?: string
  fieldName?: string
  agencyCode: string
  channel: 'in_person' | 'online' | 'postal'
  applicant: DossierApplicant
  summary: string
  submittedAt?: string
  receivedAt: string
  dueAt: string
  finishedAt?: string
  returnedAt?: string
  rejectedAt?: string
  status: string
  processingUnit?: string
  submissionPlace?: string
  paidOnline?: boolean
  note?: string
  documents?: DossierDocument[]
  fees?: DossierFee[]
  results?: DossierResult[]
  otherAttachments?: DossierOtherAttachment[]
  resultDelivery?: 'at_desk' | 'online' | 'postal'
  returnInfo?: string
}

export interface DossierStep {
  actor: string
  actorTitle?: string
  department?: string
  action: string
  startedAt?: string
  dueAt?: string
}

/** An event as accepted by `POST /v1/dossiers/{dossierCode}/events`. */
export interface DossierEvent {
  eventId: string
  occurredAt: string
  status?: string
  step?: DossierStep
  supplement?: DossierSupplement
}

/** A supplement request and/or its answer (events sharing `id`). */
export interface DossierSupplement {
  id: string
  requestedBy?: string
  content?: string
  requestedAt?: string
  documents?: string[]
  fees?: string[]
  previousDueAt?: string
  newDueAt?: string
  receivedBy?: string
  receivedInfo?: string
  receivedAt?: string
}

/** "True"/"False", the portal's boolean strings. */
export type DvcqgBool = 'True' | 'False'

/** `DinhDanhCHS[]` item: 1 = CCCD, 2 = CMND. */
export interface DinhDanh {
  LoaiDinhDanh: '1' | '2'
  SoDinhDanh: string
}

export interface TaiLieuNop {
  TepDinhKemId: string
  TenTepDinhKem: string
  IsDeleted: DvcqgBool
  MaThanhPhanHoSo: string
  DuongDanTaiTepTin: string
  DuocSoHoa: DvcqgBool
  DuocTaiSuDung: DvcqgBool
  DuocLayTuKhoDMQG: DvcqgBool
  MaKetQuaThayThe: string
}

export interface LePhi {
  TenPhiLePhi: string
  MaPhiLePhi: string
  HinhThucThu: string
  Gia: number
  LoaiPhiLePhi: string
}

export interface GiayToKetQua {
  TenGiayTo: string
  MaThanhPhanHoSo: string
  GiayToId: string
  DuongDanTepTinKetQua: string
  MaGiayToKetQua: string
}

/** `DSKetNoiCSDL[]` item: a national database queried for this dossier. */
export interface KetNoiCSDL {
  MaCSDL: string
}

/** `DanhSachTepDinhKemKhac[]` item. */
export interface TepDinhKemKhac {
  TenGiayTo: string
  /** Number of copies, as a string of digits. */
  SoLuong: string
  LoaiGiayTo: string
}

/** `DanhSachHoSoBoSung[]` item: one supplement request and its answer. */
export interface HoSoBoSung {
  HoSoBoSungId: string
  NguoiYeuCauBoSung: string
  NoiDungBoSung: string
  NgayBoSung: string
  NguoiTiepNhanBoSung: string
  ThongTinTiepNhan: string
  NgayTiepNhanBoSung: string
  /** "1" requested, waiting for the applicant; "2" handed in (received). */
  TrangThaiBoSung: '1' | '2'
  DanhSachGiayToBoSung: string
  DanhSachLePhiBoSung: string
  NgayHenTraTruoc: string
  NgayHenTraMoi: string
}

/**
 * The `<hoso>` record of `DongBoHoSoMC` (NATIONAL-ENDPOINTS.md §1.1). Dates are
 * `yyyyMMddHHmmss` in UTC+7, or "" when unknown.
 */
export interface HoSo {
  MaHoSo: string
  MaTTHC: string
  TenTTHC: string
  MaLinhVuc: string
  TenLinhVuc: string
  /** 1 in person, 2 online, 3 postal. */
  KenhThucHien: '1' | '2' | '3'
  ChuHoSo: string
  /** 1 citizen, 2 enterprise, 3 state agency, 4 other organisation. */
  LoaiDoiTuong: '1' | '2' | '3' | '4'
  /** Portal account id, only for online dossiers; "" otherwise. */
  MaDoiTuong: string
  SoGiayToChuHoSo: string
  DinhDanhCHS: DinhDanh[]
  Email: string
  Fax: string
  SoDienThoai: string
  TrichYeuHoSo: string
  NgayNopHoSo: string
  NgayTiepNhan: string
  NgayHenTra: string
  /** National status code 1..10 as a string. */
  TrangThaiHoSo: string
  NgayTra: string
  NgayTuChoi: string
  NgayKetThucXuLy: string
  DonViXuLy: string
  NoiNopHoSo: string
  HoSoCoThanhPhanSoHoa: DvcqgBool
  TaiKhoanDuocXacThucVoiVNeID: DvcqgBool
  /** "1" paid online, "3" not. */
  DuocThanhToanTrucTuyen: '1' | '3'
  GhiChu: string
  TaiLieuNop: TaiLieuNop[]
  DanhSachLePhi: LePhi[]
  DanhSachGiayToKetQua: GiayToKetQua[]
  /** Result return: 1 at the desk, 2 online, 3 public postal service; "" when not returned yet. */
  HinhThuc: '' | '1' | '2' | '3'
  ThongTinTra: string
  DSKetNoiCSDL: KetNoiCSDL[]
  DanhSachTepDinhKemKhac: TepDinhKemKhac[]
  DanhSachHoSoBoSung: HoSoBoSung[]
}

/** Params of the `DongBoHoSoMC` operation (the transport adds session/service/madonvi). */
export interface DongBoHoSoMC {
  isUpdating: DvcqgBool
  data: HoSo[]
}

/** One processing step of `CapNhatTienDoHoSoMC` (§1.2). */
export interface TienDoStep {
  MaHoSo: string
  /** ≤ 50 characters. */
  NguoiXuLy: string
  ChucDanh: string
  ThoiDiemXuLy: string
  PhongBanXuLy: string
  NoiDungXuLy: string
  TrangThai: string
  NgayBatDau: string
  NgayKetThucTheoQuyDinh: string
}

/** Params of one `CapNhatTienDoHoSoMC` call: at most 10 steps. */
export interface CapNhatTienDoHoSoMC<T = TienDoStep> {
  data: T[]
}

/** Params of `DongBoTrangThaiHoSo` (status-only sync): `type` "2", one status change per record. */
export interface DongBoTrangThaiHoSo {
  type: '2'
  data: { MaHoSo: string; TrangThaiHoSo: string; NgayCapNhat: string }[]
}
