import { esc, leaf, soapBodyElement, wrap, type XmlElement } from './soap.js'
import type { SeedAddress, SeedCitizen, SeedRelative } from './data.js'

/**
 * The population database's wire format as the sandbox reads it from the real XSDs
 * (src/connectors/population/wsdl/*.xsd, docs/contracts/population.md) and
 * NATIONAL-ENDPOINTS §2: strict request reading (namespace, element order, required
 * elements) and replies in two profiles. Independent of the hub's mappings.
 */
const DAN = 'http://dancuquocgia.bca'
const QLDC = 'http://gtel.vn/qldc'
const DC = 'http://www.mic.gov.vn/dancu/1.0'

export type PopulationOperation = 'TraCuuThongTinCongDan' | 'XacThucThongTinCongDan' | 'XacMinhThongTinNhanThan'

interface FieldSpec {
  readonly name: string
  readonly optional?: boolean
  /** A block holding exactly one of these elements (its text is the field's value). */
  readonly choice?: readonly string[]
}

const f = (name: string, extra: Omit<FieldSpec, 'name'> = {}): FieldSpec => ({ name, ...extra })

/** Request elements per operation: namespace and `xs:sequence`, from the XSDs (TraCuu: the inline schema of dancu.wsdl). */
const REQUESTS: Record<PopulationOperation, { ns: string; element: string; fields: readonly FieldSpec[] }> = {
  TraCuuThongTinCongDan: {
    ns: DAN,
    element: 'TraCuuThongTinCongDanRequest',
    fields: [
      f('MaYeuCau'),
      f('MaDVC'),
      f('MaTichHop'),
      f('MaCanBo'),
      f('MaDonVi'),
      f('SoDinhDanh'),
      f('HoVaTen', { optional: true }),
      f('NgayThangNamSinh', { optional: true, choice: ['Nam', 'NgayThangNam'] }),
    ],
  },
  XacThucThongTinCongDan: {
    ns: DAN,
    element: 'XacThucThongTinCongDanRequest',
    fields: [f('MaYeuCau'), f('MaDichVu'), f('MaCanBo'), f('SoDinhDanh'), f('SoCMND'), f('HoVaTen')],
  },
  XacMinhThongTinNhanThan: {
    ns: QLDC,
    element: 'XacMinhThongTinNhanThanRequest',
    fields: [f('MaYeuCau'), f('MaDVC'), f('MaTichHop'), f('MaDonVi'), f('MaCanBo'), f('SoDinhDanh'), f('SoCMND'), f('HoVaTen'), f('NgayThangNamSinh')],
  },
}

/** A request as read: its operation and fields, or why it breaks the schema. */
export type PopulationRequest =
  | { readonly ok: true; readonly operation: PopulationOperation; readonly fields: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly operation?: PopulationOperation; readonly problem: string }

function readFields(el: XmlElement, ns: string, specs: readonly FieldSpec[]): Record<string, string> | string {
  const fields: Record<string, string> = {}
  let i = 0
  for (const spec of specs) {
    const child = el.children[i]
    if (child === undefined || child.name !== spec.name) {
      if (spec.optional) continue
      return child === undefined ? `thiếu trường ${spec.name}` : `trường ${child.name} sai vị trí hoặc thiếu trường ${spec.name}`
    }
    if (child.ns !== ns) return `trường ${child.name} không thuộc không gian tên ${ns}`
    if (spec.choice) {
      const inner = child.children
      if (inner.length !== 1 || !spec.choice.includes(inner[0]!.name) || inner[0]!.ns !== ns)
        return `trường ${spec.name} phải chứa đúng một trong ${spec.choice.join(', ')}`
      fields[spec.name] = inner[0]!.text
    } else {
      if (child.children.length > 0) return `trường ${spec.name} phải là văn bản`
      fields[spec.name] = child.text
    }
    i++
  }
  if (i < el.children.length) return `trường ${el.children[i]!.name} không được khai báo`
  return fields
}

/** Reads a population request envelope against the operation's schema. */
export function readPopulationRequest(xml: string): PopulationRequest {
  const el = soapBodyElement(xml)
  if (!el) return { ok: false, problem: 'không phải SOAP 1.1 envelope' }
  for (const [operation, spec] of Object.entries(REQUESTS) as [PopulationOperation, (typeof REQUESTS)[PopulationOperation]][]) {
    if (el.name !== spec.element) continue
    if (el.ns !== spec.ns) return { ok: false, operation, problem: `${spec.element} phải thuộc không gian tên ${spec.ns}` }
    const fields = readFields(el, spec.ns, spec.fields)
    return typeof fields === 'string' ? { ok: false, operation, problem: fields } : { ok: true, operation, fields }
  }
  return { ok: false, problem: `không hỗ trợ ${el.name}` }
}

// ---------------------------------------------------------------- replies

/**
 * `xsd`: exactly the elements of `CongdanCollection.xsd` (valid against it); `full`: the
 * same, then every other field of NATIONAL-ENDPOINTS §2, as production replies carry.
 */
export type CongDanProfile = 'xsd' | 'full'

const P = 'dc'
const wireDay = (c: SeedCitizen): string => c.birthDate.date?.replace(/-/g, '') ?? String(c.birthDate.year)

/** Ho, ChuDem, Ten; a relative's parts are split from the full name (first word, middle, last word). */
function nameParts(full: string | undefined, parts?: { familyName?: string; middleName?: string; givenName?: string }): string {
  let ho: string | undefined
  let chuDem: string | undefined
  let ten: string | undefined
  if (parts && (parts.familyName !== undefined || parts.givenName !== undefined)) [ho, chuDem, ten] = [parts.familyName, parts.middleName, parts.givenName]
  else if (parts)
    ten = full // the register's quirk: the whole name in Ten
  else if (full) {
    const words = full.split(' ')
    ;[ho, chuDem, ten] = words.length > 1 ? [words[0], words.slice(1, -1).join(' '), words[words.length - 1]] : [undefined, undefined, full]
  }
  return wrap(P, 'HoVaTen', leaf(P, 'Ho', ho) + leaf(P, 'ChuDem', chuDem) + leaf(P, 'Ten', ten))
}

const parent = (tag: string, r: SeedRelative | undefined): string =>
  wrap(P, tag, leaf(P, 'SoDinhDanh', r?.idNumber) + leaf(P, 'QuocTich', r?.nationality?.code) + nameParts(r?.fullName ?? ''))

const address = (tag: string, a: SeedAddress | undefined): string =>
  a === undefined
    ? ''
    : wrap(
        P,
        tag,
        leaf(P, 'MaTinhThanh', a.provinceCode) +
          leaf(P, 'MaQuanHuyen', a.districtCode) +
          leaf(P, 'MaPhuongXa', a.wardCode) +
          leaf(P, 'ChiTiet', a.detail) +
          leaf(P, 'QuocGia', a.country),
      )

function congDan(c: SeedCitizen, profile: CongDanProfile): string {
  let inner =
    leaf(P, 'SoDinhDanh', c.idNumber) +
    leaf(P, 'SoCMND', c.oldIdNumber) +
    nameParts(c.fullName, c) +
    wrap(P, 'NgayThangNamSinh', leaf(P, 'NgayThangNam', wireDay(c))) +
    parent('Cha', c.father) +
    parent('Me', c.mother)
  if (profile === 'full') {
    const spouse = c.spouse
    const head = c.householdHead
    inner +=
      leaf(P, 'GioiTinh', c.gender.code) +
      leaf(P, 'DanToc', c.ethnicity.code) +
      leaf(P, 'TonGiao', c.religion.code) +
      leaf(P, 'QuocTich', c.nationality.code) +
      address('NoiDangKyKhaiSinh', c.birthRegistrationPlace) +
      address('QueQuan', c.hometown) +
      address('ThuongTru', c.permanentAddress) +
      address('NoiOHienTai', c.currentAddress) +
      // Relatives outside Cha/Me come with HoVaTen as plain text, as production sends them.
      (spouse
        ? wrap(P, 'VoChong', leaf(P, 'HoVaTen', spouse.fullName) + leaf(P, 'QuocTich', spouse.nationality?.code) + leaf(P, 'SoDinhDanh', spouse.idNumber))
        : '') +
      (head ? wrap(P, 'ChuHo', leaf(P, 'QuanHe', head.relation) + leaf(P, 'SoDinhDanh', head.idNumber) + leaf(P, 'HoVaTen', head.fullName)) : '') +
      (c.householdBookNumber ? leaf(P, 'SoSoHoKhau', c.householdBookNumber) : '')
  }
  return wrap(P, 'CongDan', inner)
}

/** `CongdanCollection` (the TraCuu answer): empty for "not found"; `id` echoes the request's MaYeuCau. */
export function congDanCollection(citizens: readonly SeedCitizen[], profile: CongDanProfile, id: string | undefined, at = new Date()): string {
  const attrs = ` xmlns:${P}="${DC}" SoCongDan="${citizens.length}" ThoiDiemDuLieu="${at.toISOString()}"${id ? ` id="${esc(id)}"` : ''}`
  return `<${P}:CongdanCollection${attrs}>${citizens.map((c) => congDan(c, profile)).join('')}</${P}:CongdanCollection>`
}

/** `XacMinhThongTinNhanThanResponse` around a `CongdanCollection`. */
export function xacMinhResponse(citizens: readonly SeedCitizen[], profile: CongDanProfile, id: string | undefined): string {
  return `<${P}:XacMinhThongTinNhanThanResponse xmlns:${P}="${DC}">${congDanCollection(citizens, profile, id)}</${P}:XacMinhThongTinNhanThanResponse>`
}

/** `KetQuaXacThucResponse{TonTai}`, in the shape of the real sample. */
export function xacThucResponse(exists: boolean): string {
  return `<ns2:KetQuaXacThucResponse xmlns:ns2="${DAN}"><ns2:TonTai>${exists}</ns2:TonTai></ns2:KetQuaXacThucResponse>`
}
