/**
 * Business registry (`ChiTietDoanhNghiep`) reply → normalized `Business`.
 * Contract: docs/contracts/business-registry.md.
 */
import { isNode } from '../shared/soap-reply.js'
import { found, malformed } from '../shared/upstream-result.js'
import type { UpstreamResult } from '../shared/upstream-result.js'
import { compact, optDate, optText, readEnvelope } from '../shared/error-code-envelope.js'

/** Normalized state of an enterprise, whatever the registry's own code. */
export type BusinessState = 'active' | 'suspended' | 'dissolving' | 'dissolved' | 'revoked' | 'unreachable' | 'unknown'

/** Registry status codes (`STATUS_CODE`) of the contract, with their normalized state. */
export const BUSINESS_STATUSES: Readonly<Record<string, { name: string; state: BusinessState }>> = Object.freeze({
  '1': { name: 'Đang hoạt động', state: 'active' },
  '2': { name: 'Tạm ngừng kinh doanh', state: 'suspended' },
  '3': { name: 'Đang làm thủ tục giải thể', state: 'dissolving' },
  '4': { name: 'Đã giải thể', state: 'dissolved' },
  '5': { name: 'Bị thu hồi Giấy chứng nhận đăng ký doanh nghiệp', state: 'revoked' },
  '6': { name: 'Không hoạt động tại địa chỉ đã đăng ký', state: 'unreachable' },
})

export interface BusinessAddress {
  readonly fullText?: string
  readonly detail?: string
  readonly wardCode?: string
  readonly wardName?: string
  readonly districtCode?: string
  readonly districtName?: string
  readonly provinceCode?: string
  readonly provinceName?: string
  readonly country?: string
  readonly phone?: string
  readonly fax?: string
  readonly email?: string
  readonly website?: string
}

export interface BusinessRepresentative {
  readonly fullName: string
  readonly position?: string
  /** `CCCD`, `CMND` or `HC` (passport). */
  readonly idType?: string
  readonly idNumber?: string
  readonly birthDate?: string
  readonly nationality?: string
}

/** An enterprise as the hub exposes it. */
export interface Business {
  /** The enterprise code, equal to its tax code (MST). */
  readonly taxCode: string
  readonly name: string
  readonly foreignName?: string
  readonly shortName?: string
  readonly status: { readonly code: string; readonly name: string | undefined; readonly state: BusinessState }
  readonly type?: { readonly code: string; readonly name: string | undefined }
  /** First registration date, `YYYY-MM-DD`. */
  readonly foundedOn?: string
  readonly lastAmendedOn?: string
  readonly amendmentCount?: number
  /** Charter capital in VND. */
  readonly charterCapital?: number
  /** Main line of business (VSIC code). */
  readonly mainActivity?: { readonly code: string; readonly name: string | undefined }
  readonly headOffice?: BusinessAddress
  readonly representatives: readonly BusinessRepresentative[]
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  // "1.000.000.000" and "1,000,000,000" both seen in registries: keep digits (and one decimal point).
  if (typeof v === 'string' && /^[\d.,\s]+$/.test(v.trim())) {
    const n = Number(v.replace(/[.,\s](?=\d{3}(\D|$))/g, '').replace(',', '.'))
    return Number.isFinite(n) ? n : undefined
  }
  return undefined
}

function coded(code: unknown, name: unknown): { code: string; name: string | undefined } | undefined {
  const c = optText(code)
  return c === undefined ? undefined : { code: c, name: optText(name) }
}

function mapAddress(v: unknown): BusinessAddress | undefined {
  if (!isNode(v)) return undefined
  const a = compact<BusinessAddress>({
    fullText: optText(v['AddressFullText']),
    detail: optText(v['StreetNumber']),
    wardCode: optText(v['WardCode']),
    wardName: optText(v['WardName']),
    districtCode: optText(v['DistrictCode']),
    districtName: optText(v['DistrictName']),
    provinceCode: optText(v['CityCode']),
    provinceName: optText(v['CityName']),
    country: optText(v['CountryCode']),
    phone: optText(v['Phone']),
    fax: optText(v['Fax']),
    email: optText(v['Email']),
    website: optText(v['Website']),
  })
  return Object.keys(a).length === 0 ? undefined : a
}

function mapRepresentative(v: unknown): BusinessRepresentative | undefined {
  if (!isNode(v)) return undefined
  const fullName = optText(v['FULL_NAME'])
  if (fullName === undefined) return undefined
  return compact<BusinessRepresentative>({
    fullName,
    position: optText(v['POSITION_NAME']),
    idType: optText(v['ID_TYPE']),
    idNumber: optText(v['ID_NUMBER']),
    birthDate: optDate(v['BIRTH_DATE']),
    nationality: optText(v['NATIONALITY']),
  })
}

/**
 * Maps a `ChiTietDoanhNghiep` reply (parsed JSON, or the raw body text) to a
 * `Business`. `ENTERPRISE_ID` is kept as `upstreamRef`. Never throws.
 */
export function fromBusinessRegistry(reply: unknown): UpstreamResult<Business> {
  const env = readEnvelope(reply, 'Data')
  if (env.kind !== 'ok') return env
  const data = env.data
  if (!isNode(data)) return malformed('The registry reply Data is not an object.')
  const main = data['MainInformation']
  if (!isNode(main)) return malformed('The registry reply has no Data.MainInformation.')
  const taxCode = optText(main['ENTERPRISE_CODE'])
  const name = optText(main['NAME'])
  if (taxCode === undefined || name === undefined) return malformed('Data.MainInformation lacks ENTERPRISE_CODE or NAME.')
  const statusCode = optText(main['STATUS_CODE']) ?? ''
  const known = BUSINESS_STATUSES[statusCode]
  const reps = Array.isArray(data['Representatives']) ? data['Representatives'] : isNode(data['Representatives']) ? [data['Representatives']] : []
  const headOffice = mapAddress(data['HOAdress'])
  const business = compact<Business>({
    taxCode,
    name,
    foreignName: optText(main['NAME_F']),
    shortName: optText(main['SHORT_NAME']),
    status: { code: statusCode, name: optText(main['STATUS_NAME']) ?? known?.name, state: known?.state ?? 'unknown' },
    type: coded(main['ENTERPRISE_TYPE_ID'], main['ENTERPRISE_TYPE_NAME']),
    foundedOn: optDate(main['FOUNDING_DATE']),
    lastAmendedOn: optDate(main['LAST_AMEND_DATE']),
    amendmentCount: num(main['NUMBER_OF_AMENDS']),
    charterCapital: num(main['CAPITAL']),
    mainActivity: coded(main['MAIN_BUSINESS_CODE'], main['MAIN_BUSINESS_NAME']),
    headOffice,
    representatives: reps.map(mapRepresentative).filter((r): r is BusinessRepresentative => r !== undefined),
  })
  return found(business, optText(main['ENTERPRISE_ID']) ?? env.upstreamRef)
}
