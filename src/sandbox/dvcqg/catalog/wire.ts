/**
 * Wire shapes of the sandbox's national catalog (upper-case names as on the wire,
 * NATIONAL-ENDPOINTS §1.4), and the change lists its mutations promise.
 */

/** One changed value, as the hub's catalog diff reports it. `before` is absent for `added`, `after` for `removed`. */
export interface CatalogFieldChange {
  path: string
  kind: 'added' | 'removed' | 'changed'
  before?: unknown
  after?: unknown
}

export interface WirePhiLePhi {
  MAPHILEPHI: string
  SOTIEN: string
  DONVI: string
  MOTA: string
}
export interface WireThoiGian {
  THOIGIANGIAIQUYET: string | number
  DONVITINH: string
  MOTA: string
  PHILEPHI: WirePhiLePhi[]
}
export interface WireCachThuc {
  KENH: string | number
  THOIGIAN: WireThoiGian[]
}
export interface WireGiayTo {
  MAGIAYTO: string
  MA_KQ_THAYTHE: string
  SOBANCHINH: string | number
  SOBANSAO: string | number
  TENGIAYTO: string
  TENMAUDON: string
  URL: string
}
export interface WireKetQua {
  MAKETQUA: string
  TENKETQUA: string
  TENTEP: string
  URL: string
}
export interface WireCanCu {
  SOVANBAN: string
  TENVANBAN: string
  COQUANBANHANH: string
  NGAYBANHANH: string
  NGAYHIEULUC: string
  DIACHITRUYCAP: string
}
export interface WireDonVi {
  MADONVI: string
  TENDONVI: string
}

/** One `LayThuTuc` record as the sandbox serves it. */
export interface LayThuTucRecord {
  ID: string
  MaTTHC: string
  TENTTHC: string
  MACOQUANCONGBO: string
  LOAITTHC: string
  MOTADOITUONGTHUCHIEN: string
  DIACHITIEPNHAN: string
  QUYETDINH: string
  YEUCAU: string
  TUKHOA: string
  IDQUYETDINHCONGBO: string
  TRANGTHAI: string
  TRINHTUTHUCHIEN: { TRUONGHOP: string; TRINHTU: { TENTRINHTU: string }[] }[]
  CAPTHUCHIEN: { CAPTHUCHIEN: string; TENCAP: string }[]
  LINHVUCTHUCHIEN: { MALINHVUC: string; TENLINHVUC: string }[]
  CACHTHUCTHUCHIEN: WireCachThuc[]
  DOITUONGTHUCHIEN: { MADOITUONG: string; TENDOITUONG: string }[]
  THANHPHANHOSO: { TRUONGHOP: string; GIAYTO: WireGiayTo[] }[]
  KETQUATHUCHIEN: WireKetQua[]
  CANCUPHAPLY: WireCanCu[]
  COQUANTHUCHIEN: WireDonVi[]
  COQUANCOTHAMQUYEN: WireDonVi[]
  COQUANDUOCUYQUYEN: WireDonVi[]
  COQUANPHOIHOP: WireDonVi[]
  TTHCLIENQUAN: string[]
  TTHCLIENTHONG: string[]
}

/** One `LayDanhSachTTHC` row. */
export interface DanhSachTTHCRow {
  MATTHC: string
  TENTTHC: string
}
/** One `LayDanhMucCoQuan` row. */
export interface CoQuanRow {
  MADONVI: string
  TENDONVI: string
  CAPDONVI: string
}
/** One `LayDanhMucLinhVuc` row. */
export interface LinhVucRow {
  MALINHVUC: string
  TENLINHVUC: string
  MANGANH: string
}

/** What {@link SandboxCatalog.amend} changes (each defaults to true). */
export interface AmendWhat {
  documentCode?: boolean
  fee?: boolean
  resultCode?: boolean
}

/** What an amendment changed, as paths of `diffProcedures` on the mapped records. */
export interface CatalogAmendment {
  code: string
  changes: CatalogFieldChange[]
}

/** One procedure-level change a sync must then report (the change feed, one row per code). */
export interface ExpectedCatalogChange {
  code: string
  kind: 'added' | 'changed' | 'removed'
  /** Field changes, for `changed` only. */
  changes?: CatalogFieldChange[]
}
