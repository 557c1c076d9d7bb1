/**
 * XML towards (requests) and from (sandbox replies) the population database.
 * Element order follows the real XSDs in `src/connectors/population/wsdl/`, which
 * declare `xs:sequence`: order matters for validation.
 */
import type { Citizen, CitizenAddress, CitizenRelative } from './types.js'

export const NS_SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/'
/** Requests of TraCuu / XacThuc, and the XacThuc answer. */
export const NS_DANCU_REQUEST = 'http://dancuquocgia.bca'
/** CongdanCollection and the XacMinh answer. */
export const NS_DANCU_RESPONSE = 'http://www.mic.gov.vn/dancu/1.0'
/** The XacMinhThongTinNhanThan request, per its real XSD (not `http://dancuquocgia.bca`). */
export const NS_XACMINH_REQUEST = 'http://gtel.vn/qldc'

/** Escapes text for XML element content and attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}

/** `<p:name>text</p:name>`, or `<p:name/>` for empty/undefined text. */
function el(prefix: string, name: string, content: string | undefined): string {
  return content === undefined || content === '' ? `<${prefix}:${name}/>` : `<${prefix}:${name}>${content}</${prefix}:${name}>`
}
const leaf = (prefix: string, name: string, value: string | undefined): string => el(prefix, name, value === undefined ? undefined : escapeXml(value))

/** Wraps body XML in a SOAP 1.1 envelope. */
export function wrapSoapEnvelope(bodyXml: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${NS_SOAP_ENV}"><soapenv:Header/><soapenv:Body>${bodyXml}</soapenv:Body></soapenv:Envelope>`
}

/** A SOAP 1.1 fault envelope (for the sandbox's fault injection). */
export function buildSoapFaultXml(code: 'Client' | 'Server', message: string): string {
  return wrapSoapEnvelope(`<soapenv:Fault><faultcode>soapenv:${code}</faultcode><faultstring>${escapeXml(message)}</faultstring></soapenv:Fault>`)
}

// ---------------------------------------------------------------- requests

/** Identifies the calling system; comes from configuration, the same on every call. */
export interface PopulationCaller {
  /** MaDVC: the calling public-service code. */
  readonly serviceCode: string
  /** MaTichHop: the integration code (e.g. "037" for lookups). */
  readonly integrationCode: string
  /** MaDichVu of the verify service (e.g. "033"). */
  readonly verifyServiceCode: string
  /** MaCanBo: the officer or system account making the request. */
  readonly officerCode: string
  /** MaDonVi: the calling agency code. */
  readonly unitCode: string
}

/** Birth date as the caller knows it. */
export type QueryBirthDate = { readonly year: number } | { readonly date: string }

/** A lookup (`TraCuuThongTinCongDan`). */
export interface CitizenLookupQuery {
  /** MaYeuCau: a unique request id chosen by the caller (kept as the audit reference). */
  readonly requestId: string
  readonly idNumber: string
  readonly fullName?: string
  readonly birthDate?: QueryBirthDate
}

/** A verification (`XacThucThongTinCongDan`). */
export interface CitizenVerifyQuery {
  readonly requestId: string
  readonly idNumber: string
  readonly oldIdNumber?: string
  readonly fullName: string
}

/** An identity check (`XacMinhThongTinNhanThan`). */
export interface CitizenIdentityQuery {
  readonly requestId: string
  readonly idNumber: string
  readonly oldIdNumber?: string
  readonly fullName: string
  readonly birthDate: QueryBirthDate
}

/** `YYYY-MM-DD` → `yyyyMMdd`; a year stays `yyyy`. */
function wireDate(d: QueryBirthDate): string {
  return 'year' in d ? String(d.year).padStart(4, '0') : d.date.replace(/-/g, '')
}

/** Arguments of `TraCuuThongTinCongDan` for a node-soap client built from `dancu.wsdl`. */
export function toTraCuuArgs(caller: PopulationCaller, q: CitizenLookupQuery): Record<string, unknown> {
  return {
    MaYeuCau: q.requestId,
    MaDVC: caller.serviceCode,
    MaTichHop: caller.integrationCode,
    MaCanBo: caller.officerCode,
    MaDonVi: caller.unitCode,
    SoDinhDanh: q.idNumber,
    ...(q.fullName !== undefined ? { HoVaTen: q.fullName } : {}),
    ...(q.birthDate !== undefined ? { NgayThangNamSinh: 'year' in q.birthDate ? { Nam: wireDate(q.birthDate) } : { NgayThangNam: wireDate(q.birthDate) } } : {}),
  }
}

/** Arguments of `XacThucThongTinCongDan` for a node-soap client. */
export function toXacThucArgs(caller: PopulationCaller, q: CitizenVerifyQuery): Record<string, unknown> {
  return {
    MaYeuCau: q.requestId,
    MaDichVu: caller.verifyServiceCode,
    MaCanBo: caller.officerCode,
    SoDinhDanh: q.idNumber,
    SoCMND: q.oldIdNumber ?? '',
    HoVaTen: q.fullName,
  }
}

/** Arguments of `XacMinhThongTinNhanThan` for a node-soap client. */
export function toXacMinhArgs(caller: PopulationCaller, q: CitizenIdentityQuery): Record<string, unknown> {
  return {
    MaYeuCau: q.requestId,
    MaDVC: caller.serviceCode,
    MaTichHop: caller.integrationCode,
    MaDonVi: caller.unitCode,
    MaCanBo: caller.officerCode,
    SoDinhDanh: q.idNumber,
    SoCMND: q.oldIdNumber ?? '',
    HoVaTen: q.fullName,
    NgayThangNamSinh: wireDate(q.birthDate),
  }
}

/** Serializes flat args (one nested level allowed) as children of one request element, in key order. */
function requestElement(prefix: string, ns: string, name: string, args: Record<string, unknown>): string {
  const children = Object.entries(args)
    .map(([key, value]) => {
      if (typeof value === 'object' && value !== null) {
        const inner = Object.entries(value as Record<string, unknown>).map(([k, v]) => leaf(prefix, k, String(v))).join('')
        return el(prefix, key, inner)
      }
      return leaf(prefix, key, String(value))
    })
    .join('')
  return `<${prefix}:${name} xmlns:${prefix}="${ns}">${children}</${prefix}:${name}>`
}

/** The `TraCuuThongTinCongDanRequest` element (SOAP body content). */
export function buildTraCuuRequestBody(caller: PopulationCaller, q: CitizenLookupQuery): string {
  return requestElement('dan', NS_DANCU_REQUEST, 'TraCuuThongTinCongDanRequest', toTraCuuArgs(caller, q))
}
/** The `XacThucThongTinCongDanRequest` element. */
export function buildXacThucRequestBody(caller: PopulationCaller, q: CitizenVerifyQuery): string {
  return requestElement('dan', NS_DANCU_REQUEST, 'XacThucThongTinCongDanRequest', toXacThucArgs(caller, q))
}
/** The `XacMinhThongTinNhanThanRequest` element. */
export function buildXacMinhRequestBody(caller: PopulationCaller, q: CitizenIdentityQuery): string {
  return requestElement('qldc', NS_XACMINH_REQUEST, 'XacMinhThongTinNhanThanRequest', toXacMinhArgs(caller, q))
}

/** Full SOAP request envelopes for the three operations. */
export const buildTraCuuRequestXml = (caller: PopulationCaller, q: CitizenLookupQuery): string => wrapSoapEnvelope(buildTraCuuRequestBody(caller, q))
export const buildXacThucRequestXml = (caller: PopulationCaller, q: CitizenVerifyQuery): string => wrapSoapEnvelope(buildXacThucRequestBody(caller, q))
export const buildXacMinhRequestXml = (caller: PopulationCaller, q: CitizenIdentityQuery): string => wrapSoapEnvelope(buildXacMinhRequestBody(caller, q))

// ---------------------------------------------------------------- replies (sandbox)

/**
 * Reply profile. `xsd`: exactly the elements of the real `CongdanCollection.xsd`
 * (identity numbers, name, birth date, father, mother), valid against it. `full`:
 * adds every field of NATIONAL-ENDPOINTS §2 (gender, ethnicity, addresses…) after
 * the XSD's own, as production replies do; not valid against the published XSD.
 */
export type CongDanReplyProfile = 'xsd' | 'full'

export interface CongDanReplyOptions {
  readonly profile?: CongDanReplyProfile
  /** `id` attribute: the upstream reference of this answer (e.g. the echoed MaYeuCau). */
  readonly id?: string
  /** `ThoiDiemDuLieu` attribute, an xs:dateTime; passed in because mappings do not read the clock. */
  readonly dataTime?: string
  readonly note?: string
}

const P = 'dc'

function nameXml(c: { fullName: string; familyName?: string; middleName?: string; givenName?: string }): string {
  const split = c.familyName !== undefined || c.middleName !== undefined || c.givenName !== undefined
  // Without parts, the whole name goes into Ten: exactly the real-world quirk the parser copes with.
  const [ho, chuDem, ten] = split ? [c.familyName, c.middleName, c.givenName] : [undefined, undefined, c.fullName]
  return el(P, 'HoVaTen', leaf(P, 'Ho', ho) + leaf(P, 'ChuDem', chuDem) + leaf(P, 'Ten', ten))
}

function parentXml(name: 'Cha' | 'Me', r: CitizenRelative | undefined): string {
  return el(P, name, leaf(P, 'SoDinhDanh', r?.idNumber) + leaf(P, 'QuocTich', r?.nationality?.code) + nameXml({ fullName: r?.fullName ?? '' }))
}

function relativeXml(name: string, r: CitizenRelative | undefined): string {
  if (r === undefined) return ''
  return el(P, name, leaf(P, 'HoVaTen', r.fullName) + leaf(P, 'QuocTich', r.nationality?.code) + leaf(P, 'SoDinhDanh', r.idNumber) + leaf(P, 'SoCMND', r.oldIdNumber))
}

function addressXml(name: string, a: CitizenAddress | undefined): string {
  if (a === undefined) return ''
  return el(P, name, leaf(P, 'MaTinhThanh', a.provinceCode) + leaf(P, 'MaQuanHuyen', a.districtCode) + leaf(P, 'MaPhuongXa', a.wardCode) + leaf(P, 'ChiTiet', a.detail) + leaf(P, 'QuocGia', a.country))
}

function birthXml(c: Citizen): string {
  const b = c.birthDate
  const wire = b === null ? undefined : b.date !== undefined ? b.date.replace(/-/g, '') : String(b.year)
  return el(P, 'NgayThangNamSinh', leaf(P, 'NgayThangNam', wire))
}

function congDanXml(c: Citizen, profile: CongDanReplyProfile): string {
  let inner = leaf(P, 'SoDinhDanh', c.idNumber) + leaf(P, 'SoCMND', c.oldIdNumber) + nameXml(c) + birthXml(c) + parentXml('Cha', c.father) + parentXml('Me', c.mother)
  if (profile === 'full') {
    const h = c.householdHead
    inner +=
      leaf(P, 'GioiTinh', c.gender?.code) +
      leaf(P, 'DanToc', c.ethnicity?.code) +
      leaf(P, 'TonGiao', c.religion?.code) +
      leaf(P, 'TinhTrangHonNhan', c.maritalStatus?.code) +
      leaf(P, 'NhomMau', c.bloodType?.code) +
      leaf(P, 'QuocTich', c.nationality?.code) +
      addressXml('NoiDangKyKhaiSinh', c.birthRegistrationPlace) +
      addressXml('QueQuan', c.hometown) +
      addressXml('ThuongTru', c.permanentAddress) +
      addressXml('NoiOHienTai', c.currentAddress) +
      relativeXml('VoChong', c.spouse) +
      relativeXml('NguoiDaiDien', c.representative) +
      (h === undefined ? '' : el(P, 'ChuHo', leaf(P, 'QuanHe', h.relation) + leaf(P, 'SoDinhDanh', h.idNumber) + leaf(P, 'SoCMND', h.oldIdNumber) + leaf(P, 'HoVaTen', h.fullName))) +
      leaf(P, 'SoSoHoKhau', c.householdBookNumber)
  }
  return el(P, 'CongDan', inner)
}

/**
 * Builds a `CongdanCollection` element (no envelope) answering with `citizens`.
 * With the default `xsd` profile the output validates against the real
 * `CongdanCollection.xsd`. An empty list gives an empty collection (not found);
 * note the XSD requires at least one `CongDan`, so that reply is schema-invalid by design of the upstream.
 */
export function buildCongDanReplyXml(citizens: readonly Citizen[], options: CongDanReplyOptions = {}): string {
  const profile = options.profile ?? 'xsd'
  const attrs = [
    ` xmlns:${P}="${NS_DANCU_RESPONSE}"`,
    ` SoCongDan="${citizens.length}"`,
    options.note !== undefined ? ` GhiChu="${escapeXml(options.note)}"` : '',
    options.dataTime !== undefined ? ` ThoiDiemDuLieu="${escapeXml(options.dataTime)}"` : '',
    options.id !== undefined ? ` id="${escapeXml(options.id)}"` : '',
  ].join('')
  return `<${P}:CongdanCollection${attrs}>${citizens.map((c) => congDanXml(c, profile)).join('')}</${P}:CongdanCollection>`
}

/** The `XacMinhThongTinNhanThanResponse` element wrapping a `CongdanCollection`. */
export function buildXacMinhReplyXml(citizens: readonly Citizen[], options: CongDanReplyOptions = {}): string {
  return `<${P}:XacMinhThongTinNhanThanResponse xmlns:${P}="${NS_DANCU_RESPONSE}">${buildCongDanReplyXml(citizens, options)}</${P}:XacMinhThongTinNhanThanResponse>`
}

/** The `KetQuaXacThucResponse` element (verify answer). */
export function buildXacThucReplyXml(exists: boolean): string {
  return `<ns2:KetQuaXacThucResponse xmlns:ns2="${NS_DANCU_REQUEST}"><ns2:TonTai>${exists ? 'true' : 'false'}</ns2:TonTai></ns2:KetQuaXacThucResponse>`
}
