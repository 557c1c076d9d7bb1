/**
 * The hub's normalized procedure catalog model (camelCase English), produced from the
 * DVCQG `LayThuTuc` / `LayDanhSachTTHC` / `LayDanhMucCoQuan` / `LayDanhMucLinhVuc`
 * wire records (NATIONAL-ENDPOINTS §1.4) by the mappings in this folder.
 *
 * Conventions shared by every type here:
 * - strings are NFC-normalized, trimmed, inner whitespace collapsed to one space;
 * - optional properties are absent (never `''`, never `null`) when the wire had nothing;
 * - lists are never absent: a missing wire list is `[]`;
 * - list order is the upstream order (only `cases[].steps` is meaningful; the diff and
 *   {@link canonicalHash} ignore the order of every other list).
 */

/** A `{code, name}` pair (levels, fields, subjects, agencies). */
export interface CodeName {
  code: string
  name: string
}

/** One case (`TRUONGHOP`) of the procedure and its ordered steps (`TRINHTU[].TENTRINHTU`). */
export interface ProcedureCase {
  name: string
  steps: string[]
}

/** A fee or charge (`PHILEPHI`). `amount` is `null` when the wire value was not a number. */
export interface ProcedureFee {
  /** `MAPHILEPHI`; `''` when the portal gave none. */
  code: string
  amount: number | null
  /** ISO 4217 when recognized (`"Đồng"`, `"VNĐ"` → `"VND"`), else the wire text. */
  currency: string
  description: string
}

/** A processing time (`THOIGIAN`) of one channel, with the fees that apply to it. */
export interface ProcedureDuration {
  /** `THOIGIANGIAIQUYET`; `null` when not a number (e.g. "Không quy định"). */
  amount: number | null
  /** `DONVITINH`, e.g. "Ngày làm việc". */
  unit: string
  description: string
  fees: ProcedureFee[]
}

/** Channel name: `KENH` 1 → in-person, 2 → online, 3 → postal; anything else kept as sent. */
export type ProcedureChannelName = 'in-person' | 'online' | 'postal' | (string & {})

/** How the procedure can be carried out (`CACHTHUCTHUCHIEN`). */
export interface ProcedureChannel {
  channel: ProcedureChannelName
  durations: ProcedureDuration[]
}

/** One document of a dossier component (`GIAYTO`). */
export interface ProcedureDocument {
  /** `MAGIAYTO`: opaque national document code (≤ 50 characters); `''` if missing. */
  code: string
  /** `MA_KQ_THAYTHE`: a result code (`KQ.Gnn.nnnnnn`) that may replace this document. */
  replacementResultCode?: string
  /** `SOBANCHINH` (0 when missing or not a number). */
  originals: number
  /** `SOBANSAO` (0 when missing or not a number). */
  copies: number
  name: string
  /** `TENMAUDON`: name of the form template. */
  templateName?: string
  url?: string
}

/** Dossier components of one case (`THANHPHANHOSO`). */
export interface ProcedureComponent {
  /** `TRUONGHOP` (the case name). */
  case: string
  documents: ProcedureDocument[]
}

/** A result of the procedure (`KETQUATHUCHIEN`). */
export interface ProcedureResult {
  /** `MAKETQUA`, national form `KQ.<ministry>.<6 digits>`. */
  code: string
  name: string
  fileName?: string
  url?: string
}

/** A legal basis (`CANCUPHAPLY`). Dates are `YYYY-MM-DD`. */
export interface ProcedureLegalBasis {
  /** `SOVANBAN`, e.g. "50/2014/QH13". */
  number: string
  name: string
  issuer: string
  issuedOn?: string
  effectiveOn?: string
  url?: string
}

/** Agencies by role. */
export interface ProcedureAgencies {
  /** `COQUANTHUCHIEN` */
  implementing: CodeName[]
  /** `COQUANCOTHAMQUYEN` */
  competent: CodeName[]
  /** `COQUANDUOCUYQUYEN` */
  authorized: CodeName[]
  /** `COQUANPHOIHOP` */
  coordinating: CodeName[]
}

/** One national procedure in full, as the hub stores and serves it. */
export interface Procedure {
  /** `MaTTHC` / `MATTHC`, e.g. "1.003560". */
  code: string
  /** `ID`: the portal's internal id (`''` when missing). */
  id: string
  /** `TENTTHC` */
  name: string
  /** `MACOQUANCONGBO` */
  publishingAgencyCode: string
  /** `LOAITTHC` as sent (`''` when missing). */
  kind: string
  /** `CAPTHUCHIEN[{CAPTHUCHIEN, TENCAP}]` */
  level: CodeName[]
  /** `LINHVUCTHUCHIEN` */
  fields: CodeName[]
  /** `TRINHTUTHUCHIEN` */
  cases: ProcedureCase[]
  /** `CACHTHUCTHUCHIEN` */
  channels: ProcedureChannel[]
  /** `DOITUONGTHUCHIEN[{MADOITUONG, TENDOITUONG}]` */
  subjects: CodeName[]
  /** `THANHPHANHOSO` */
  components: ProcedureComponent[]
  /** `KETQUATHUCHIEN` */
  results: ProcedureResult[]
  /** `CANCUPHAPLY` */
  legalBases: ProcedureLegalBasis[]
  agencies: ProcedureAgencies
  /** `TTHCLIENQUAN`: codes of related procedures. */
  related: string[]
  /** `TTHCLIENTHONG`: codes of linked (inter-connected) procedures. */
  linked: string[]
  /** `TRANGTHAI` as sent (`''` when missing). */
  status: string
  /** `TUKHOA` */
  keywords?: string
  /** `IDQUYETDINHCONGBO` */
  decisionId?: string
  /** `QUYETDINH`: the publishing decision, as text. */
  decision?: string
  /** `YEUCAU`: conditions to meet. */
  requirements?: string
  /** `MOTADOITUONGTHUCHIEN` */
  subjectDescription?: string
  /** `DIACHITIEPNHAN` */
  receivingAddress?: string
}

/** One row of `LayDanhSachTTHC` (`{MATTHC, TENTTHC}`). */
export interface ProcedureSummary {
  code: string
  name: string
}

/** One row of `LayDanhMucCoQuan` (`{MADONVI, TENDONVI, CAPDONVI}`). */
export interface CatalogAgency {
  /** Agency code `NNN.NN.NN.Xnn`, as sent. */
  code: string
  name: string
  /** `CAPDONVI` as sent (`''` when missing). */
  level: string
}

/** One row of `LayDanhMucLinhVuc` (`{MALINHVUC, TENLINHVUC, MANGANH}`). */
export interface CatalogField {
  code: string
  name: string
  /** `MANGANH`: the sector / ministry code (`''` when missing). */
  sectorCode: string
}
