/**
 * Report periods: a month (`2026-11`) or a quarter (`2026-Q4`), as dates in the province's
 * time zone (`from` inclusive, `to` exclusive: the IndicatorQuery contract).
 */

import { firstOf, monthRange } from '../period.js'

export type PeriodKind = 'month' | 'quarter'

export interface Period {
  /** `2026-11` or `2026-Q4`. */
  id: string
  kind: PeriodKind
  /** First day, `YYYY-MM-DD`. */
  from: string
  /** Day after the last, `YYYY-MM-DD`. */
  to: string
}

/** The pattern of a period id (for route schemas); linear. */
export const PERIOD_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4])$'
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/
const QUARTER = /^(\d{4})-Q([1-4])$/

function monthPeriod(year: number, month: number): Period {
  return { id: `${year}-${String(month).padStart(2, '0')}`, kind: 'month', ...monthRange(year, month) }
}

function quarterPeriod(year: number, quarter: number): Period {
  const first = (quarter - 1) * 3 + 1
  return { id: `${year}-Q${quarter}`, kind: 'quarter', from: firstOf(year, first), to: firstOf(year, first + 3) }
}

/** The period named by `id`, or undefined when it names none. */
export function parsePeriod(id: string): Period | undefined {
  const m = MONTH.exec(id)
  if (m) return monthPeriod(Number(m[1]), Number(m[2]))
  const q = QUARTER.exec(id)
  if (q) return quarterPeriod(Number(q[1]), Number(q[2]))
  return undefined
}

/** Year and month (1..12) of an instant in a time zone. */
export function localYearMonth(at: Date, timeZone: string): { year: number; month: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(at)
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value)
  return { year: get('year'), month: get('month') }
}

/** The month or quarter before the one `at` falls in, in `timeZone` (what a run on the 1st reports on). */
export function previousPeriod(kind: PeriodKind, at: Date, timeZone: string): Period {
  const { year, month } = localYearMonth(at, timeZone)
  if (kind === 'month') return month === 1 ? monthPeriod(year - 1, 12) : monthPeriod(year, month - 1)
  const quarter = Math.ceil(month / 3)
  return quarter === 1 ? quarterPeriod(year - 1, 4) : quarterPeriod(year, quarter - 1)
}
