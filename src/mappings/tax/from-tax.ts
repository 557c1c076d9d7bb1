/**
 * Tax authority taxpayer-status reply → normalized `Taxpayer`.
 * Contract: docs/contracts/tax.md.
 */
import { isNode } from '../shared/soap-reply.js'
import { found, malformed } from '../shared/upstream-result.js'
import type { UpstreamResult } from '../shared/upstream-result.js'
import { compact, optDate, optText, readEnvelope } from '../shared/error-code-envelope.js'

/** Normalized taxpayer state. */
export type TaxpayerState = 'active' | 'suspended' | 'closing' | 'closed' | 'unreachable' | 'unknown'

/**
 * Taxpayer status codes (`TRANG_THAI`), as the tax authority's public lookup
 * words them, with the hub's normalized state.
 */
export const TAXPAYER_STATUSES: Readonly<Record<string, { name: string; state: TaxpayerState }>> = Object.freeze({
  '00': { name: 'NNT đang hoạt động (đã được cấp GCN ĐKT)', state: 'active' },
  '01': { name: 'NNT ngừng hoạt động và đã hoàn thành thủ tục chấm dứt hiệu lực MST', state: 'closed' },
  '02': { name: 'NNT đã chuyển cơ quan thuế quản lý', state: 'active' },
  '03': { name: 'NNT ngừng hoạt động nhưng chưa hoàn thành thủ tục chấm dứt hiệu lực MST', state: 'closing' },
  '04': { name: 'NNT đang hoạt động (được cấp thông tin MST)', state: 'active' },
  '05': { name: 'NNT tạm ngừng hoạt động, kinh doanh', state: 'suspended' },
  '06': { name: 'NNT không hoạt động tại địa chỉ đã đăng ký', state: 'unreachable' },
  '07': { name: 'NNT chờ làm thủ tục phá sản', state: 'closing' },
})

/** A taxpayer as the hub exposes it. */
export interface Taxpayer {
  readonly taxCode: string
  /** Registered name of the taxpayer. */
  readonly name: string
  readonly status: { readonly code: string; readonly name: string | undefined; readonly state: TaxpayerState }
  /** The managing tax office. */
  readonly taxOffice?: { readonly code: string; readonly name: string | undefined }
  /** `YYYY-MM-DD` */
  readonly registeredOn?: string
  readonly statusChangedOn?: string
  readonly address?: string
  /** Taxpayer kind as sent (e.g. "DN" enterprise, "CN" individual, "HKD" household business). */
  readonly taxpayerType?: string
}

/**
 * Maps a taxpayer-status reply (parsed JSON or raw body text) to a `Taxpayer`;
 * `ma_giao_dich` is kept as `upstreamRef`. Never throws.
 */
export function fromTaxpayerStatus(reply: unknown): UpstreamResult<Taxpayer> {
  const env = readEnvelope(reply, 'data')
  if (env.kind !== 'ok') return env
  const d = Array.isArray(env.data) ? env.data[0] : env.data
  if (!isNode(d)) return malformed('The tax reply data is not an object.')
  const taxCode = optText(d['MST'])
  const name = optText(d['TEN_NNT'])
  if (taxCode === undefined || name === undefined) return malformed('The tax reply lacks MST or TEN_NNT.')
  const raw = optText(d['TRANG_THAI'])
  const code = raw !== undefined && /^\d$/.test(raw) ? `0${raw}` : (raw ?? '')
  const known = TAXPAYER_STATUSES[code]
  const officeCode = optText(d['MA_CQT_QL'])
  return found(
    compact<Taxpayer>({
      taxCode,
      name,
      status: { code, name: optText(d['TEN_TRANG_THAI']) ?? known?.name, state: known?.state ?? 'unknown' },
      taxOffice: officeCode === undefined ? undefined : { code: officeCode, name: optText(d['TEN_CQT_QL']) },
      registeredOn: optDate(d['NGAY_CAP_MST']),
      statusChangedOn: optDate(d['NGAY_THAY_DOI_TT']),
      address: optText(d['DIA_CHI_TRU_SO']),
      taxpayerType: optText(d['LOAI_NNT']),
    }),
    env.upstreamRef,
  )
}
