/**
 * The population database requests, as the connector sends them (SOAP 1.1 envelopes).
 * Element order follows the real XSDs in `src/connectors/population/wsdl/`, which
 * declare `xs:sequence`: order matters for validation.
 */
export const NS_SOAP_ENV = 'http://schemas.xmlsoap.org/soap/envelope/'
/** Requests of TraCuu / XacThuc (and the prefix of every operation's SOAPAction). */
export const NS_DANCU_REQUEST = 'http://dancuquocgia.bca'
/** The XacMinhThongTinNhanThan request, per its real XSD (not `http://dancuquocgia.bca`). */
export const NS_XACMINH_REQUEST = 'http://gtel.vn/qldc'

/** Escapes text for XML element content and attribute values. */
function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}

/** `<p:name>text</p:name>`, or `<p:name/>` for empty/undefined text. */
function el(prefix: string, name: string, content: string | undefined): string {
  return content === undefined || content === '' ? `<${prefix}:${name}/>` : `<${prefix}:${name}>${content}</${prefix}:${name}>`
}
const leaf = (prefix: string, name: string, value: string | undefined): string => el(prefix, name, value === undefined ? undefined : escapeXml(value))

/** Wraps body XML in a SOAP 1.1 envelope. */
function wrapSoapEnvelope(bodyXml: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="${NS_SOAP_ENV}"><soapenv:Header/><soapenv:Body>${bodyXml}</soapenv:Body></soapenv:Envelope>`
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

/** Children of `TraCuuThongTinCongDanRequest`, in XSD order. */
function toTraCuuArgs(caller: PopulationCaller, q: CitizenLookupQuery): Record<string, unknown> {
  return {
    MaYeuCau: q.requestId,
    MaDVC: caller.serviceCode,
    MaTichHop: caller.integrationCode,
    MaCanBo: caller.officerCode,
    MaDonVi: caller.unitCode,
    SoDinhDanh: q.idNumber,
    ...(q.fullName !== undefined ? { HoVaTen: q.fullName } : {}),
    ...(q.birthDate !== undefined
      ? { NgayThangNamSinh: 'year' in q.birthDate ? { Nam: wireDate(q.birthDate) } : { NgayThangNam: wireDate(q.birthDate) } }
      : {}),
  }
}

/** Children of `XacThucThongTinCongDanRequest`, in XSD order. */
function toXacThucArgs(caller: PopulationCaller, q: CitizenVerifyQuery): Record<string, unknown> {
  return {
    MaYeuCau: q.requestId,
    MaDichVu: caller.verifyServiceCode,
    MaCanBo: caller.officerCode,
    SoDinhDanh: q.idNumber,
    SoCMND: q.oldIdNumber ?? '',
    HoVaTen: q.fullName,
  }
}

/** Children of `XacMinhThongTinNhanThanRequest`, in XSD order. */
function toXacMinhArgs(caller: PopulationCaller, q: CitizenIdentityQuery): Record<string, unknown> {
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
        const inner = Object.entries(value as Record<string, unknown>)
          .map(([k, v]) => leaf(prefix, k, String(v)))
          .join('')
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
