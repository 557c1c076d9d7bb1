import ExcelJS from 'exceljs'
import type { IndicatorCode, IndicatorReport, Metric } from '../types.js'
import type { Period } from './period.js'

/** What one report shows: the agency's (or the province's) totals and one block per child agency. */
export interface ReportContent {
  period: Period
  /** null: the whole province. */
  agency: string | null
  summary: IndicatorReport
  children: { key: string; report: IndicatorReport }[]
  generatedAt: Date
}

/** Vietnamese names of the indicators (Decision 766/QĐ-TTg wording). */
export const INDICATOR_NAMES: Record<IndicatorCode, string> = {
  DOSSIER_SYNC: 'Hồ sơ được đồng bộ lên Cổng Dịch vụ công quốc gia',
  ON_TIME: 'Hồ sơ giải quyết đúng hạn',
  ONLINE_INTAKE: 'Hồ sơ tiếp nhận trực tuyến',
  ONLINE_PAYMENT: 'Hồ sơ có phí, lệ phí được thanh toán trực tuyến',
  DIGITISED_COMPONENTS: 'Hồ sơ có thành phần hồ sơ được số hóa',
  RESULT_DIGITISED: 'Hồ sơ có kết quả giải quyết được số hóa',
  REUSED_DATA: 'Hồ sơ tái sử dụng dữ liệu, giấy tờ đã số hóa',
  CITIZEN_DATA_CONNECTED: 'Hồ sơ kết nối, khai thác dữ liệu dân cư',
  OVERDUE_OPEN: 'Hồ sơ chưa giải quyết đã quá hạn',
  AVG_PROCESSING_DAYS: 'Thời gian giải quyết trung bình (ngày)',
}

/** Column headers of the indicator table (CSV adds "Đơn vị" in front). */
export const HEADERS = ['Mã chỉ số', 'Tên chỉ số', 'Tử số', 'Mẫu số', 'Tỷ lệ', 'Điểm', 'Điểm tối đa'] as const
export const AGENCY_HEADER = 'Đơn vị'
/** The "Đơn vị" of the province-wide block. */
export const PROVINCE_LABEL = 'Toàn tỉnh'

type Cell = string | number | null

const metricRow = (m: Metric): Cell[] => [m.code, INDICATOR_NAMES[m.code] ?? m.code, m.numerator, m.denominator, m.ratio, m.score, m.maxScore]

// ---------------------------------------------------------------- CSV (RFC 4180)

/**
 * A text cell that a spreadsheet would run as a formula (= + - @, and tab / CR that some
 * programs strip first) gets a leading apostrophe (OWASP "CSV injection"). Numbers are written
 * as numbers and never start with such a character here (no metric is negative).
 */
export function neutralizeFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}

/** One RFC 4180 field: quoted when it holds a comma, a quote, CR or LF; quotes doubled. */
function csvField(value: Cell): string {
  if (value === null) return ''
  const text = typeof value === 'number' ? String(value) : neutralizeFormula(value)
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/**
 * The report as CSV: UTF-8 with a byte-order mark (so Excel reads the Vietnamese headers
 * right), CRLF line ends, one header row, then one row per indicator of the agency itself
 * ("Đơn vị" = its code, or "Toàn tỉnh") followed by the rows of each child agency.
 */
export function renderCsv(c: ReportContent): Buffer {
  const lines: Cell[][] = [[AGENCY_HEADER, ...HEADERS]]
  const own = c.agency ?? PROVINCE_LABEL
  for (const m of c.summary.metrics) lines.push([own, ...metricRow(m)])
  for (const child of c.children) for (const m of child.report.metrics) lines.push([child.key, ...metricRow(m)])
  const text = lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n'
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
}

// ---------------------------------------------------------------- XLSX

/** The sheet holding the agency's own totals. */
export const SUMMARY_SHEET = 'Tổng hợp'

/** A valid, unique worksheet name (≤ 31 characters, none of []:*?/\). */
function sheetName(key: string, taken: Set<string>): string {
  const base = key.replace(/[[\]:*?/\\]/g, '_').slice(0, 31) || 'Đơn vị'
  let name = base
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base.slice(0, 31 - String(i).length - 1)}~${i}`
  taken.add(name.toLowerCase())
  return name
}

function addTable(ws: ExcelJS.Worksheet, title: string, unit: string, c: ReportContent, report: IndicatorReport): void {
  ws.addRow([title]).font = { bold: true, size: 13 }
  ws.addRow([`${AGENCY_HEADER}: ${unit}`])
  ws.addRow([`Kỳ báo cáo: ${c.period.id} (từ ngày ${c.period.from}, đến trước ngày ${c.period.to}, giờ Việt Nam)`])
  ws.addRow([`Thời điểm lập: ${c.generatedAt.toISOString()}`])
  ws.addRow([])
  ws.addRow([...HEADERS]).font = { bold: true }
  for (const m of report.metrics) {
    const row = ws.addRow(metricRow(m))
    // Ratios read as percentages; the average processing time is a number of days.
    if (m.code !== 'AVG_PROCESSING_DAYS') row.getCell(5).numFmt = '0.00%'
  }
  // The portal spot-check beside DOSSIER_SYNC, when the indicator service attached it (below the table, after a blank row).
  const confirmed = report.metrics.find((m) => m.portalConfirmed)?.portalConfirmed
  if (confirmed) {
    ws.addRow([])
    ws.addRow([`Kiểm tra ngẫu nhiên trên Cổng DVCQG (TraCuuHoSo): ${confirmed.confirmed}/${confirmed.sampled} hồ sơ được xác nhận, lúc ${confirmed.checkedAt}`])
  }
  ws.columns.forEach((col, i) => (col.width = [14, 52, 10, 10, 10, 10, 12][i] ?? 12))
}

/**
 * The report as an XLSX workbook: a summary sheet (the agency's or the province's totals), then
 * one sheet per child agency, each with the same table. Text is written as text cells, never
 * formulas. Header rows sit above the table: its first row is the one whose first cell is "Mã chỉ số";
 * it ends at the first empty row.
 */
export async function renderXlsx(c: ReportContent): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  wb.creator = 'lgsp-hub'
  wb.created = c.generatedAt
  wb.modified = c.generatedAt
  const title = `Báo cáo chỉ số chất lượng phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg) kỳ ${c.period.id}`
  const taken = new Set<string>([SUMMARY_SHEET.toLowerCase()])
  addTable(wb.addWorksheet(SUMMARY_SHEET), title, c.agency ?? PROVINCE_LABEL, c, c.summary)
  for (const child of c.children) addTable(wb.addWorksheet(sheetName(child.key, taken)), title, child.key, c, child.report)
  return Buffer.from(await wb.xlsx.writeBuffer())
}
