import { fieldError } from '../../errors.js'

/** Asia/Ho_Chi_Minh has been UTC+07:00 without daylight saving since 1975. */
export const VN_OFFSET = '+07:00'
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/
/** Longest period one query covers (a few years; bounds the work of one request). */
export const MAX_PERIOD_DAYS = 5 * 366

/** `YYYY-MM-DD` (a real calendar day) → its midnight in Asia/Ho_Chi_Minh; a 400 naming `field` otherwise. */
export function vnMidnight(day: string, field: string): Date {
  const m = DAY.exec(day)
  const d = m ? new Date(`${day}T00:00:00${VN_OFFSET}`) : undefined
  // The calendar check: 2026-02-30 parses to March in JS, so compare the fields back.
  if (!m || !d || Number.isNaN(d.getTime()) || vnDay(d) !== day) {
    throw fieldError(field, `${JSON.stringify(day)} is not a calendar day YYYY-MM-DD`, 'HUB_INDICATOR_PERIOD')
  }
  return d
}

/** The Asia/Ho_Chi_Minh calendar day of an instant, `YYYY-MM-DD`. */
export function vnDay(t: Date): string {
  return new Date(t.getTime() + 7 * 3_600_000).toISOString().slice(0, 10)
}

/** `[from, to)` checked: both days, from before to, at most MAX_PERIOD_DAYS. */
export function period(from: string, to: string): { from: Date; to: Date } {
  const f = vnMidnight(from, '/querystring/from')
  const t = vnMidnight(to, '/querystring/to')
  if (t <= f) throw fieldError('/querystring/to', 'to must be after from (the period is [from, to))', 'HUB_INDICATOR_PERIOD')
  if (t.getTime() - f.getTime() > MAX_PERIOD_DAYS * 86_400_000)
    throw fieldError('/querystring/to', `a period covers at most ${MAX_PERIOD_DAYS} days`, 'HUB_INDICATOR_PERIOD')
  return { from: f, to: t }
}

const pad = (n: number) => String(n).padStart(2, '0')
/** The first day of `month` (1..13: 13 is January of the next year), `YYYY-MM-DD`. */
export const firstOf = (year: number, month: number) => (month > 12 ? `${year + 1}-01-01` : `${year}-${pad(month)}-01`)

/** The calendar month `year`-`month` as `[first day, first day of the next month)`. */
export function monthRange(year: number, month: number): { from: string; to: string } {
  return { from: firstOf(year, month), to: firstOf(year, month + 1) }
}

/** The current month in Asia/Ho_Chi_Minh as `[first day, first day of next month)`. */
export function currentMonth(now = new Date()): { from: string; to: string } {
  const day = vnDay(now)
  return monthRange(Number(day.slice(0, 4)), Number(day.slice(5, 7)))
}

/** `2d`, `36h` → milliseconds. */
export function withinMs(within: string): number {
  const n = Number(within.slice(0, -1))
  return within.endsWith('d') ? n * 86_400_000 : n * 3_600_000
}
