/**
 * The indicators contract (issue 14): codes, query and answer shapes. The indicator
 * service (facts, queries, API) and the reports / portal spot-check build on these.
 */

/** Ratio metrics of Decision 766 computed from the dossier ledger; keep these codes. */
export const RATIO_CODES = [
  'DOSSIER_SYNC',
  'ON_TIME',
  'ONLINE_INTAKE',
  'ONLINE_PAYMENT',
  'DIGITISED_COMPONENTS',
  'RESULT_DIGITISED',
  'REUSED_DATA',
  'CITIZEN_DATA_CONNECTED',
  'OVERDUE_OPEN',
] as const
export type RatioCode = (typeof RATIO_CODES)[number]
export type IndicatorCode = RatioCode | 'AVG_PROCESSING_DAYS'

export interface IndicatorQuery {
  /** First day of the period, `YYYY-MM-DD`, Asia/Ho_Chi_Minh (inclusive). */
  from: string
  /** Day after the period, `YYYY-MM-DD`, Asia/Ho_Chi_Minh (exclusive). */
  to: string
  /** An agency and its children by agency-code hierarchy; the whole province when absent. */
  agency?: string
  procedure?: string
}

/** The portal spot-check's latest answer, shown beside `DOSSIER_SYNC`. */
export interface PortalConfirmation {
  sampled: number
  confirmed: number
  /** confirmed / sampled; null when nothing was sampled. */
  ratio: number | null
  checkedAt: string
}

export interface Metric {
  code: IndicatorCode
  /** For `AVG_PROCESSING_DAYS`: the sum of processing days (numerator) over finished dossiers (denominator). */
  numerator: number
  denominator: number
  /** numerator / denominator; null (never 0) when the denominator is 0. `AVG_PROCESSING_DAYS`: days, two decimals. */
  ratio: number | null
  /** `min(1, ratio / fullAt) × maxScore` (config/indicators.json); null when the ratio is null or the metric is not scored. */
  score: number | null
  maxScore: number | null
  portalConfirmed?: PortalConfirmation
}

export interface IndicatorReport {
  /** The agency asked for, or null for the whole province. */
  agency: string | null
  from: string
  to: string
  procedure?: string
  metrics: Metric[]
}

/** What reports and other readers need from the indicator service. */
export interface IndicatorReader {
  summary(q: IndicatorQuery): Promise<IndicatorReport>
  /** One report per child agency (by = agency) or per procedure (by = procedure). */
  breakdown(q: IndicatorQuery, by: 'agency' | 'procedure'): Promise<{ key: string; report: IndicatorReport }[]>
}
