/**
 * DVCQG catalog wire records (NATIONAL-ENDPOINTS §1.4) → the normalized catalog model.
 * Pure: no I/O, no clock. Tolerant of casing, `null`s, numbers-as-strings, whitespace
 * and the several national date formats; strict only about what makes a record
 * unusable (not an object, or no code).
 */
import type {
  CatalogAgency,
  CatalogField,
  CodeName,
  Procedure,
  ProcedureChannel,
  ProcedureChannelName,
  ProcedureComponent,
  ProcedureDocument,
  ProcedureDuration,
  ProcedureFee,
  ProcedureLegalBasis,
  ProcedureResult,
  ProcedureSummary,
} from './types.js'
import { CatalogMappingError, field, isRecord, list, optionalText, present, records, text, toCount, toDate, toNumber, type WireRecord } from './wire.js'

export { canonicalHash } from './canonical-hash.js'
export { CatalogMappingError } from './wire.js'

const CHANNELS: Record<string, ProcedureChannelName> = { '1': 'in-person', '2': 'online', '3': 'postal' }

/** `KENH` → channel name (1 in-person, 2 online, 3 postal; other values kept as sent). */
export function channelName(kenh: unknown): ProcedureChannelName {
  const t = text(kenh)
  return CHANNELS[t] ?? t
}

/** `DONVI` of a fee → ISO 4217 when it is the Vietnamese đồng, else as sent. */
function currency(value: unknown): string {
  const t = text(value)
  if (t === '' || /^(đồng|dong|vnđ|vnd|đ|d)$/iu.test(t)) return 'VND'
  return t
}

function codeName(rec: WireRecord, codeKeys: string[], nameKeys: string[]): CodeName {
  return { code: text(field(rec, ...codeKeys)), name: text(field(rec, ...nameKeys)) }
}

function codeNames(value: unknown, codeKeys: string[], nameKeys: string[]): CodeName[] {
  return records(value)
    .map((r) => codeName(r, codeKeys, nameKeys))
    .filter((c) => c.code !== '' || c.name !== '')
}

function agencies(value: unknown): CodeName[] {
  return codeNames(value, ['MADONVI', 'MaDonVi'], ['TENDONVI', 'TenDonVi'])
}

/** Related/linked procedures arrive as code strings or as `{MATTHC, …}` objects. */
function procedureCodes(value: unknown): string[] {
  const out: string[] = []
  for (const item of list(value)) {
    // an object without a procedure code (only the portal's internal ID) names nothing usable
    const code = isRecord(item) ? text(field(item, 'MATTHC', 'MaTTHC', 'MaThuTuc')) : text(item)
    if (code !== '' && !out.includes(code)) out.push(code)
  }
  return out
}

function fee(rec: WireRecord): ProcedureFee {
  return {
    code: text(field(rec, 'MAPHILEPHI')),
    amount: toNumber(field(rec, 'SOTIEN')),
    currency: currency(field(rec, 'DONVI')),
    description: text(field(rec, 'MOTA')),
  }
}

function duration(rec: WireRecord): ProcedureDuration {
  return {
    amount: toNumber(field(rec, 'THOIGIANGIAIQUYET')),
    unit: text(field(rec, 'DONVITINH')),
    description: text(field(rec, 'MOTA')),
    fees: records(field(rec, 'PHILEPHI')).map(fee),
  }
}

function channel(rec: WireRecord): ProcedureChannel {
  const durations = records(field(rec, 'THOIGIAN')).map(duration)
  // Some producers hang PHILEPHI on the channel itself: attach it to a duration.
  const loose = records(field(rec, 'PHILEPHI')).map(fee)
  if (loose.length > 0) {
    const first = durations[0]
    if (first) first.fees.push(...loose)
    else durations.push({ amount: null, unit: '', description: '', fees: loose })
  }
  return { channel: channelName(field(rec, 'KENH')), durations }
}

function document(rec: WireRecord): ProcedureDocument {
  return {
    code: text(field(rec, 'MAGIAYTO')),
    originals: toCount(field(rec, 'SOBANCHINH')),
    copies: toCount(field(rec, 'SOBANSAO')),
    name: text(field(rec, 'TENGIAYTO')),
    ...present('replacementResultCode', optionalText(field(rec, 'MA_KQ_THAYTHE'))),
    ...present('templateName', optionalText(field(rec, 'TENMAUDON'))),
    ...present('url', optionalText(field(rec, 'URL'))),
  }
}

function component(rec: WireRecord): ProcedureComponent {
  return {
    case: text(field(rec, 'TRUONGHOP')),
    documents: records(field(rec, 'GIAYTO')).map(document),
  }
}

function result(rec: WireRecord): ProcedureResult {
  return {
    code: text(field(rec, 'MAKETQUA')),
    name: text(field(rec, 'TENKETQUA')),
    ...present('fileName', optionalText(field(rec, 'TENTEP'))),
    ...present('url', optionalText(field(rec, 'URL'))),
  }
}

function legalBasis(rec: WireRecord): ProcedureLegalBasis {
  return {
    number: text(field(rec, 'SOVANBAN')),
    name: text(field(rec, 'TENVANBAN')),
    issuer: text(field(rec, 'COQUANBANHANH')),
    ...present('issuedOn', toDate(field(rec, 'NGAYBANHANH'))),
    ...present('effectiveOn', toDate(field(rec, 'NGAYHIEULUC'))),
    ...present('url', optionalText(field(rec, 'DIACHITRUYCAP', 'URL'))),
  }
}

function asRecord(value: unknown, what: string): WireRecord {
  if (!isRecord(value)) throw new CatalogMappingError(`${what}: expected an object, got ${describe(value)}`)
  return value
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value
}

/**
 * Map one `LayThuTuc` record (the element of `result[]`) to a {@link Procedure}.
 * @throws CatalogMappingError when the record is not an object or has no `MaTTHC`.
 */
export function mapThuTuc(record: unknown): Procedure {
  const rec = asRecord(record, 'LayThuTuc record')
  const code = text(field(rec, 'MaTTHC', 'MATTHC'))
  if (code === '') throw new CatalogMappingError('LayThuTuc record has no MaTTHC')

  const procedure: Procedure = {
    code,
    id: text(field(rec, 'ID')),
    name: text(field(rec, 'TENTTHC', 'TenTTHC')),
    publishingAgencyCode: text(field(rec, 'MACOQUANCONGBO')),
    kind: text(field(rec, 'LOAITTHC')),
    level: codeNames(field(rec, 'CAPTHUCHIEN'), ['CAPTHUCHIEN', 'MACAP'], ['TENCAP']),
    fields: codeNames(field(rec, 'LINHVUCTHUCHIEN'), ['MALINHVUC'], ['TENLINHVUC']),
    cases: records(field(rec, 'TRINHTUTHUCHIEN')).map((c) => ({
      name: text(field(c, 'TRUONGHOP')),
      steps: records(field(c, 'TRINHTU'))
        .map((s) => text(field(s, 'TENTRINHTU')))
        .filter((s) => s !== ''),
    })),
    channels: records(field(rec, 'CACHTHUCTHUCHIEN'))
      .map(channel)
      .filter((c) => c.channel !== '' || c.durations.length > 0),
    subjects: codeNames(field(rec, 'DOITUONGTHUCHIEN'), ['MADOITUONG'], ['TENDOITUONG']),
    components: records(field(rec, 'THANHPHANHOSO')).map(component),
    results: records(field(rec, 'KETQUATHUCHIEN')).map(result),
    legalBases: records(field(rec, 'CANCUPHAPLY')).map(legalBasis),
    agencies: {
      implementing: agencies(field(rec, 'COQUANTHUCHIEN')),
      competent: agencies(field(rec, 'COQUANCOTHAMQUYEN')),
      authorized: agencies(field(rec, 'COQUANDUOCUYQUYEN')),
      coordinating: agencies(field(rec, 'COQUANPHOIHOP')),
    },
    related: procedureCodes(field(rec, 'TTHCLIENQUAN')),
    linked: procedureCodes(field(rec, 'TTHCLIENTHONG')),
    status: text(field(rec, 'TRANGTHAI')),
  }
  const optional: [keyof Procedure, string][] = [
    ['keywords', 'TUKHOA'],
    ['decisionId', 'IDQUYETDINHCONGBO'],
    ['decision', 'QUYETDINH'],
    ['requirements', 'YEUCAU'],
    ['subjectDescription', 'MOTADOITUONGTHUCHIEN'],
    ['receivingAddress', 'DIACHITIEPNHAN'],
  ]
  for (const [key, wire] of optional) {
    const value = optionalText(field(rec, wire))
    if (value !== undefined) (procedure as unknown as Record<string, unknown>)[key] = value
  }
  return procedure
}

/** Rows of a list reply: accepts the `result` array itself or the whole `{result: [...]}` reply. */
function rows(value: unknown, what: string): WireRecord[] {
  const arr = isRecord(value) && field(value, 'result') !== undefined ? field(value, 'result') : value
  if (!Array.isArray(arr)) throw new CatalogMappingError(`${what}: expected an array, got ${describe(arr)}`)
  return arr.filter(isRecord)
}

/**
 * Map a `LayDanhSachTTHC` result (`[{MATTHC, TENTTHC}]`, or the whole reply) to summaries.
 * Rows without a code cannot be fetched and are dropped; duplicate codes keep the first row.
 */
export function mapDanhSachTTHC(value: unknown): ProcedureSummary[] {
  const seen = new Set<string>()
  const out: ProcedureSummary[] = []
  for (const r of rows(value, 'LayDanhSachTTHC result')) {
    const code = text(field(r, 'MATTHC', 'MaTTHC'))
    if (code === '' || seen.has(code)) continue
    seen.add(code)
    out.push({ code, name: text(field(r, 'TENTTHC', 'TenTTHC')) })
  }
  return out
}

/** Map one `LayDanhMucCoQuan` row. @throws CatalogMappingError without `MADONVI`. */
export function mapCoQuan(record: unknown): CatalogAgency {
  const rec = asRecord(record, 'LayDanhMucCoQuan row')
  const code = text(field(rec, 'MADONVI'))
  if (code === '') throw new CatalogMappingError('LayDanhMucCoQuan row has no MADONVI')
  return { code, name: text(field(rec, 'TENDONVI')), level: text(field(rec, 'CAPDONVI')) }
}

/** Map one `LayDanhMucLinhVuc` row. @throws CatalogMappingError without `MALINHVUC`. */
export function mapLinhVuc(record: unknown): CatalogField {
  const rec = asRecord(record, 'LayDanhMucLinhVuc row')
  const code = text(field(rec, 'MALINHVUC'))
  if (code === '') throw new CatalogMappingError('LayDanhMucLinhVuc row has no MALINHVUC')
  return { code, name: text(field(rec, 'TENLINHVUC')), sectorCode: text(field(rec, 'MANGANH')) }
}

/** Map a whole `LayDanhMucCoQuan` result (array or reply); rows without a code are dropped. */
export function mapDanhMucCoQuan(value: unknown): CatalogAgency[] {
  return rows(value, 'LayDanhMucCoQuan result')
    .filter((r) => text(field(r, 'MADONVI')) !== '')
    .map(mapCoQuan)
}

/** Map a whole `LayDanhMucLinhVuc` result (array or reply); rows without a code are dropped. */
export function mapDanhMucLinhVuc(value: unknown): CatalogField[] {
  return rows(value, 'LayDanhMucLinhVuc result')
    .filter((r) => text(field(r, 'MALINHVUC')) !== '')
    .map(mapLinhVuc)
}
