/**
 * Civil-status (hộ tịch) extract replies → normalized `CivilStatusRecord`.
 * Modules: `KS` birth, `KT` death, `KH` marriage. Contract: docs/contracts/civil-status.md.
 */
import { isNode } from '../shared/soap-reply.js'
import type { XmlNode } from '../shared/soap-reply.js'
import { found, malformed } from '../shared/upstream-result.js'
import type { UpstreamResult } from '../shared/upstream-result.js'
import { compact, optDate, optText, readEnvelope } from '../shared/error-code-envelope.js'

/** Civil-status modules of the contract. */
export type CivilStatusModule = 'KS' | 'KT' | 'KH'
/** The kinds in the hub's API (`/v1/civil-status/{kind}/{id}`). */
export type CivilStatusKind = 'birth' | 'death' | 'marriage'

export const CIVIL_STATUS_MODULES: Readonly<Record<CivilStatusKind, CivilStatusModule>> = Object.freeze({ birth: 'KS', death: 'KT', marriage: 'KH' })

/** A person named in a record. */
export interface CivilStatusPerson {
  readonly fullName: string
  readonly idNumber?: string
  /** `YYYY-MM-DD` when the full date is known. */
  readonly birthDate?: string
  /** When only the year is registered (parents in older records). */
  readonly birthYear?: number
}

interface RecordBase {
  /** Registration number in the book (số đăng ký). */
  readonly registrationNumber: string
  /** Book number (quyển số). */
  readonly book?: string
  /** `YYYY-MM-DD` */
  readonly registeredOn?: string
  readonly registrar?: { readonly code: string; readonly name: string | undefined }
}

export interface BirthRecord extends RecordBase {
  readonly kind: 'birth'
  readonly child: CivilStatusPerson & { readonly gender?: string; readonly birthPlace?: string; readonly ethnicity?: string; readonly nationality?: string }
  readonly mother?: CivilStatusPerson
  readonly father?: CivilStatusPerson
}

export interface DeathRecord extends RecordBase {
  readonly kind: 'death'
  readonly deceased: CivilStatusPerson
  readonly diedOn?: string
  readonly placeOfDeath?: string
}

export interface MarriageRecord extends RecordBase {
  readonly kind: 'marriage'
  readonly husband: CivilStatusPerson
  readonly wife: CivilStatusPerson
}

/** One civil-status extract as the hub exposes it. */
export type CivilStatusRecord = BirthRecord | DeathRecord | MarriageRecord

function person(d: XmlNode, prefix: string): CivilStatusPerson | undefined {
  const fullName = optText(d[`${prefix}HoTen`])
  if (fullName === undefined) return undefined
  const year = optText(d[`${prefix}NamSinh`])
  return compact<CivilStatusPerson>({
    fullName,
    idNumber: optText(d[`${prefix}SoDinhDanh`]),
    birthDate: optDate(d[`${prefix}NgaySinh`]),
    birthYear: year !== undefined && /^\d{4}$/.test(year) ? Number(year) : undefined,
  })
}

/**
 * Maps a civil-status reply (parsed JSON or raw body text) for `module` to a record.
 * A record of another module than the one asked for is malformed; the record `id`
 * (or `ma_giao_dich`) is kept as `upstreamRef`. Never throws.
 */
export function fromCivilStatus(module: CivilStatusModule, reply: unknown): UpstreamResult<CivilStatusRecord> {
  const env = readEnvelope(reply, 'data')
  if (env.kind !== 'ok') return env
  const d = Array.isArray(env.data) ? env.data[0] : env.data
  if (!isNode(d)) return malformed('The civil-status reply data is not an object.')
  const sent = optText(d['module'])
  if (sent !== undefined && sent !== module) return malformed(`Asked for a ${module} record, the civil-status system answered with ${sent}.`)
  const registrationNumber = optText(d['soDangKy'])
  if (registrationNumber === undefined) return malformed('The civil-status record has no soDangKy.')
  const registrarCode = optText(d['maCoQuanDangKy'])
  const base = {
    registrationNumber,
    book: optText(d['quyenSo']),
    registeredOn: optDate(d['ngayDangKy']),
    registrar: registrarCode === undefined ? undefined : { code: registrarCode, name: optText(d['tenCoQuanDangKy']) },
  }
  const ref = optText(d['id']) ?? env.upstreamRef
  switch (module) {
    case 'KS': {
      const child = person(d, 'nks')
      if (child === undefined) return malformed('The birth record has no nksHoTen.')
      return found(
        compact<BirthRecord>({
          kind: 'birth',
          ...base,
          child: compact({
            ...child,
            gender: optText(d['nksGioiTinh']),
            birthPlace: optText(d['nksNoiSinh']),
            ethnicity: optText(d['nksDanToc']),
            nationality: optText(d['nksQuocTich']),
          }),
          mother: person(d, 'me'),
          father: person(d, 'cha'),
        }),
        ref,
      )
    }
    case 'KT': {
      const deceased = person(d, 'nkt')
      if (deceased === undefined) return malformed('The death record has no nktHoTen.')
      return found(compact<DeathRecord>({ kind: 'death', ...base, deceased, diedOn: optDate(d['ngayChet']), placeOfDeath: optText(d['noiChet']) }), ref)
    }
    case 'KH': {
      const husband = person(d, 'chong')
      const wife = person(d, 'vo')
      if (husband === undefined || wife === undefined) return malformed('The marriage record lacks chongHoTen or voHoTen.')
      return found(compact<MarriageRecord>({ kind: 'marriage', ...base, husband, wife }), ref)
    }
  }
}
