/**
 * Social insurance (BHXH) participation lookup: SOAP reply → normalized
 * `InsuranceParticipation`, plus the request XML of the contract
 * (src/connectors/bhxh/wsdl/bhxh.wsdl, docs/contracts/bhxh.md).
 * Wage and contribution amounts are deliberately not part of the contract.
 */
import { asArray, findElement, isNode, readSoapBody, text } from '../shared/soap-reply.js'
import type { XmlNode } from '../shared/soap-reply.js'
import { fault, found, malformed, notFound } from '../shared/upstream-result.js'
import type { UpstreamResult } from '../shared/upstream-result.js'
import { compact, optDate } from '../shared/error-code-envelope.js'

export const NS_BHXH = 'http://baohiemxahoi.gov.vn/lienthong/tracuu'

export type InsuranceState = 'participating' | 'paused' | 'stopped' | 'unknown'

export const INSURANCE_STATUSES: Readonly<Record<string, { name: string; state: InsuranceState }>> = Object.freeze({
  '1': { name: 'Đang tham gia', state: 'participating' },
  '2': { name: 'Tạm dừng đóng', state: 'paused' },
  '3': { name: 'Dừng tham gia', state: 'stopped' },
})

/** One period of participation with one employer (or as a voluntary participant). */
export interface InsurancePeriod {
  /** `YYYY-MM` */
  readonly from: string
  /** `YYYY-MM`; absent while the period is open. */
  readonly to?: string
  readonly employer?: { readonly code: string; readonly name: string | undefined }
  /** Schemes covered: `BHXH`, `BHYT`, `BHTN`, `BHTNLD-BNN`. */
  readonly schemes: readonly string[]
}

/** A person's social-insurance participation as the hub exposes it. */
export interface InsuranceParticipation {
  /** The 10-digit BHXH number. */
  readonly bhxhNumber: string
  readonly idNumber?: string
  readonly fullName: string
  /** `YYYY-MM-DD` when the full date is known. */
  readonly birthDate?: string
  readonly birthYear?: number
  /** `1` Nam, `2` Nữ, as sent. */
  readonly gender?: string
  readonly status: { readonly code: string; readonly name: string | undefined; readonly state: InsuranceState }
  readonly healthCard?: {
    readonly number: string
    readonly validFrom?: string
    readonly validTo?: string
    readonly clinic?: { readonly code: string; readonly name: string | undefined }
  }
  readonly periods: readonly InsurancePeriod[]
}

function month(v: unknown): string | undefined {
  const s = text(v)
  const m = s === undefined ? null : /^(\d{4})-?(\d{2})$/.exec(s)
  if (m === null || Number(m[2]) < 1 || Number(m[2]) > 12) return undefined
  return `${m[1]}-${m[2]}`
}

function codeName(v: unknown): { code: string; name: string | undefined } | undefined {
  if (!isNode(v)) return undefined
  const code = text(v['Ma'])
  return code === undefined ? undefined : { code, name: text(v['Ten']) }
}

function period(v: unknown): InsurancePeriod | undefined {
  if (!isNode(v)) return undefined
  const from = month(v['TuThang'])
  if (from === undefined) return undefined
  return compact<InsurancePeriod>({
    from,
    to: month(v['DenThang']),
    employer: codeName(v['DonVi']),
    schemes: asArray(v['LoaiBaoHiem'])
      .map(text)
      .filter((s): s is string => s !== undefined),
  })
}

/**
 * Maps a `TraCuuQuaTrinhThamGia` reply. `MaLoi` 00 → found, 01 → not_found, 02/03 →
 * fault (not retryable), 99 → fault (retryable); SOAP faults and HTML pages are faults
 * too. The echoed `MaYeuCau` is kept as `upstreamRef`. Never throws.
 */
export function fromBhxhParticipation(xml: string): UpstreamResult<InsuranceParticipation> {
  const body = readSoapBody(xml)
  if (body.kind !== 'body') return body
  const response = findElement(body.body, 'TraCuuQuaTrinhThamGiaResponse')
  if (!isNode(response)) return malformed('The reply has no TraCuuQuaTrinhThamGiaResponse element.')
  const ref = text(response['MaYeuCau'])
  const result = isNode(response['KetQua']) ? (response['KetQua'] as XmlNode) : {}
  const code = text(result['MaLoi'])
  const message = text(result['MoTaLoi'])
  if (code === undefined) return malformed('The reply has no KetQua/MaLoi.')
  if (code === '01') return notFound(message ?? 'BHXH has no participant for this number.', ref)
  if (code !== '00' && code !== '0') return fault(code, message ?? `BHXH answered with MaLoi ${code}.`, code === '99')
  const info = response['ThongTinThamGia']
  if (!isNode(info)) return notFound(message ?? 'BHXH returned no participation record.', ref)
  const bhxhNumber = text(info['MaSoBHXH'])
  const fullName = text(info['HoTen'])
  if (bhxhNumber === undefined || fullName === undefined) return malformed('ThongTinThamGia lacks MaSoBHXH or HoTen.')
  const birth = text(info['NgaySinh'])
  const statusCode = text(info['TrangThai']) ?? ''
  const known = INSURANCE_STATUSES[statusCode]
  const card = isNode(info['TheBHYT']) ? (info['TheBHYT'] as XmlNode) : undefined
  const cardNumber = card === undefined ? undefined : text(card['SoThe'])
  const history = isNode(info['QuaTrinh']) ? asArray(info['QuaTrinh']['GiaiDoan']) : []
  return found(
    compact<InsuranceParticipation>({
      bhxhNumber,
      idNumber: text(info['SoDinhDanh']),
      fullName: fullName.replace(/\s+/g, ' '),
      birthDate: optDate(birth),
      birthYear: birth !== undefined && /^\d{4}/.test(birth) ? Number(birth.slice(0, 4)) : undefined,
      gender: text(info['GioiTinh']),
      status: { code: statusCode, name: text(info['TenTrangThai']) ?? known?.name, state: known?.state ?? 'unknown' },
      healthCard:
        card === undefined || cardNumber === undefined
          ? undefined
          : compact({ number: cardNumber, validFrom: optDate(card['GiaTriTu']), validTo: optDate(card['GiaTriDen']), clinic: codeName(card['NoiDKKCB']) }),
      periods: history.map(period).filter((p): p is InsurancePeriod => p !== undefined),
    }),
    ref,
  )
}
