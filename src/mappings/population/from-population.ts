import { MappingError } from '../shared/errors.js'
/**
 * Population database (CSDLQG về dân cư) replies → normalized `Citizen`.
 * Copes with the untidy shapes seen in production (NATIONAL-ENDPOINTS §2): whole
 * name in `Ten`, a relative's `HoVaTen` as plain text, empty elements, missing
 * blocks, year-only birth dates, SOAP faults and proxy HTML pages.
 */
import { BLOOD_TYPES, ETHNIC_GROUPS, GENDERS, MARITAL_STATUSES, NATIONALITIES, RELIGIONS, lookupCode } from './codes.js'
import type { CodedValue } from './codes.js'
import type { BirthDate, Citizen, CitizenAddress, CitizenRelative, HouseholdHead } from './types.js'
import { asArray, findElement, isNode, parseXml, readSoapBody, readSoapFault, text } from '../shared/soap-reply.js'
import type { XmlNode } from '../shared/soap-reply.js'
import { found, malformed, notFound } from '../shared/upstream-result.js'
import type { UpstreamFault, UpstreamResult } from '../shared/upstream-result.js'
import { isCalendarDate, isoDay, readPartialDate } from '../shared/national-time.js'

/** Thrown by `mapCongDan` only, when the record is not an element at all or has no identity number. */
export class PopulationMappingError extends MappingError {
  constructor(message: string) {
    super('record', message)
    this.name = 'PopulationMappingError'
  }
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim()

/** Name parts exactly as sent; parts are only reported when the register split the name itself. */
function readName(v: unknown): { fullName: string; familyName?: string; middleName?: string; givenName?: string } | undefined {
  if (!isNode(v)) {
    const plain = text(v)
    return plain === undefined ? undefined : { fullName: collapse(plain) }
  }
  const ho = text(v['Ho'])
  const chuDem = text(v['ChuDem'])
  const ten = text(v['Ten'])
  const fullName = collapse([ho, chuDem, ten].filter((p) => p !== undefined).join(' '))
  if (fullName === '') return undefined
  // Whole name stuffed into Ten (Ho/ChuDem empty): do not guess a split.
  if (ho === undefined && chuDem === undefined) return { fullName }
  return {
    fullName,
    ...(ho !== undefined ? { familyName: collapse(ho) } : {}),
    ...(chuDem !== undefined ? { middleName: collapse(chuDem) } : {}),
    ...(ten !== undefined ? { givenName: collapse(ten) } : {}),
  }
}

function coded(table: Readonly<Record<string, string>>, v: unknown): CodedValue | undefined {
  const code = text(v)
  return code === undefined ? undefined : lookupCode(table, code)
}

/**
 * Reads a date of birth given as yyyyMMdd, yyyy, yyyy-MM-dd or dd/MM/yyyy; an
 * unknown day/month (00) keeps the year only.
 */
export function parseBirthDate(v: unknown): BirthDate | null {
  const node = isNode(v) ? v : {}
  const full = text(node['NgayThangNam']) ?? (isNode(v) ? undefined : text(v))
  const yearOnly = text(node['Nam'])
  const parts = full === undefined ? undefined : readPartialDate(full)
  let y = parts?.year
  const m = parts?.month ?? 0
  const d = parts?.day ?? 0
  if (y === undefined && yearOnly !== undefined && /^\d{4}$/.test(yearOnly)) y = Number(yearOnly)
  if (y === undefined || y === 0) return null
  if (isCalendarDate(y, m, d)) return { year: y, date: isoDay(y, m, d) }
  return { year: y }
}

function readAddress(v: unknown): CitizenAddress | undefined {
  if (!isNode(v)) {
    const detail = text(v)
    return detail === undefined ? undefined : { detail }
  }
  const parts: Record<string, string | undefined> = {
    provinceCode: text(v['MaTinhThanh']),
    districtCode: text(v['MaQuanHuyen']),
    wardCode: text(v['MaPhuongXa']),
    detail: text(v['ChiTiet']),
    country: text(v['QuocGia']),
  }
  const kept = Object.fromEntries(Object.entries(parts).filter(([, p]) => p !== undefined)) as CitizenAddress
  return Object.keys(kept).length === 0 ? undefined : kept
}

function readRelative(v: unknown): CitizenRelative | undefined {
  if (!isNode(v)) {
    const plain = text(v)
    return plain === undefined ? undefined : { fullName: collapse(plain) }
  }
  const name = readName(v['HoVaTen'])
  const idNumber = text(v['SoDinhDanh'])
  const oldIdNumber = text(v['SoCMND'])
  const nationality = coded(NATIONALITIES, v['QuocTich'])
  if (name === undefined && idNumber === undefined && oldIdNumber === undefined) return undefined
  return {
    fullName: name?.fullName ?? '',
    ...(idNumber !== undefined ? { idNumber } : {}),
    ...(oldIdNumber !== undefined ? { oldIdNumber } : {}),
    ...(nationality !== undefined ? { nationality } : {}),
  }
}

function readHouseholdHead(v: unknown): HouseholdHead | undefined {
  if (!isNode(v)) return undefined
  const name = readName(v['HoVaTen'])
  const relation = text(v['QuanHe'])
  const idNumber = text(v['SoDinhDanh'])
  const oldIdNumber = text(v['SoCMND'])
  if (name === undefined && idNumber === undefined && oldIdNumber === undefined) return undefined
  return {
    fullName: name?.fullName ?? '',
    ...(relation !== undefined ? { relation } : {}),
    ...(idNumber !== undefined ? { idNumber } : {}),
    ...(oldIdNumber !== undefined ? { oldIdNumber } : {}),
  }
}

/**
 * Maps one `CongDan` element (as parsed by xml2js, prefixes stripped) to a `Citizen`.
 * Throws `PopulationMappingError` when `raw` is not an element or carries neither
 * SoDinhDanh nor SoCMND.
 */
export function mapCongDan(raw: unknown): Citizen {
  if (!isNode(raw)) throw new PopulationMappingError('A CongDan record must be an element with child elements.')
  const idNumber = text(raw['SoDinhDanh'])
  const oldIdNumber = text(raw['SoCMND'])
  if (idNumber === undefined && oldIdNumber === undefined) {
    throw new PopulationMappingError('A CongDan record has neither SoDinhDanh nor SoCMND.')
  }
  const name = readName(raw['HoVaTen'])
  const optional: Record<string, unknown> = {
    oldIdNumber,
    familyName: name?.familyName,
    middleName: name?.middleName,
    givenName: name?.givenName,
    maritalStatus: coded(MARITAL_STATUSES, raw['TinhTrangHonNhan']),
    bloodType: coded(BLOOD_TYPES, raw['NhomMau']),
    birthRegistrationPlace: readAddress(raw['NoiDangKyKhaiSinh']),
    hometown: readAddress(raw['QueQuan']),
    permanentAddress: readAddress(raw['ThuongTru']),
    currentAddress: readAddress(raw['NoiOHienTai']),
    father: readRelative(raw['Cha']),
    mother: readRelative(raw['Me']),
    spouse: readRelative(raw['VoChong']),
    representative: readRelative(raw['NguoiDaiDien']),
    householdHead: readHouseholdHead(raw['ChuHo']),
    householdBookNumber: text(raw['SoSoHoKhau']),
  }
  return {
    // A record known only by its CMND still identifies someone; SoDinhDanh wins when present.
    idNumber: idNumber ?? oldIdNumber ?? '',
    fullName: name?.fullName ?? '',
    gender: coded(GENDERS, raw['GioiTinh']) ?? null,
    ethnicity: coded(ETHNIC_GROUPS, raw['DanToc']) ?? null,
    religion: coded(RELIGIONS, raw['TonGiao']) ?? null,
    nationality: coded(NATIONALITIES, raw['QuocTich']) ?? null,
    birthDate: parseBirthDate(raw['NgayThangNamSinh']),
    ...(Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) as Partial<Citizen>),
  }
}

/** Reads a SOAP fault out of a population reply, if it is one. */
export function parsePopulationFault(xml: string): UpstreamFault | undefined {
  const parsed = parseXml(xml)
  if (!parsed.ok) return undefined
  const body = findElement(parsed.doc, 'Body')
  return readSoapFault(isNode(body) ? body : parsed.doc)
}

/**
 * Parses a `TraCuuThongTinCongDan` / `XacMinhThongTinNhanThan` reply (SOAP envelope
 * or a bare `CongdanCollection`). `found` carries one `Citizen` per `CongDan` and the
 * collection's `id` attribute as `upstreamRef`; an empty collection is `not_found`.
 * Never throws.
 */
export function parseCongDanReply(xml: string): UpstreamResult<Citizen[]> {
  const body = readSoapBody(xml)
  if (body.kind !== 'body') return body
  const collection = findElement(body.body, 'CongdanCollection')
  if (collection === undefined) return malformed('The reply has no CongdanCollection element.')
  const attrs = isNode(collection) && isNode(collection['$']) ? (collection['$'] as XmlNode) : {}
  const ref = text(attrs['id'])
  const records = isNode(collection) ? asArray(collection['CongDan']) : []
  if (records.length === 0) return notFound('The population database has no citizen matching the query.', ref)
  const citizens: Citizen[] = []
  for (const record of records) {
    try {
      citizens.push(mapCongDan(record))
    } catch (err) {
      if (err instanceof PopulationMappingError) return malformed(err.message)
      throw err
    }
  }
  return found(citizens, ref)
}

/**
 * Parses a `XacThucThongTinCongDan` reply (`KetQuaXacThucResponse/TonTai`). A clean
 * "false" is `found` with `exists: false`: the question was answered.
 */
export function parseXacThucReply(xml: string): UpstreamResult<{ exists: boolean }> {
  const body = readSoapBody(xml)
  if (body.kind !== 'body') return body
  const response = findElement(body.body, 'KetQuaXacThucResponse')
  const value = text(isNode(response) ? response['TonTai'] : findElement(body.body, 'TonTai'))
  if (value === undefined) return malformed('The verification reply has no TonTai element.')
  const normalized = value.toLowerCase()
  if (normalized === 'true' || normalized === '1') return found({ exists: true })
  if (normalized === 'false' || normalized === '0') return found({ exists: false })
  return malformed('The TonTai element of the verification reply is not a boolean.')
}
