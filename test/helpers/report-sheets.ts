import type ExcelJS from 'exceljs'
import { expect } from 'vitest'
import type { IndicatorReport } from '../../src/services/indicators/types.js'

/** Reading the indicator reports' sheets back (issue 14, acceptance 4), written from the report's layout. */
/** The indicator table of a sheet: rows after the header row "Mã chỉ số" up to an empty one, as [code, name, num, den, ratio, score, max]. */
export function table(ws: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = []
  let inTable = false
  ws.eachRow({ includeEmpty: true }, (row) => {
    const values = [1, 2, 3, 4, 5, 6, 7].map((i) => row.getCell(i).value ?? null)
    if (inTable && values[0] === null) inTable = false
    else if (inTable) rows.push(values)
    else if (values[0] === 'Mã chỉ số') {
      expect(values).toEqual(['Mã chỉ số', 'Tên chỉ số', 'Tử số', 'Mẫu số', 'Tỷ lệ', 'Điểm', 'Điểm tối đa'])
      inTable = true
    }
  })
  return rows
}

/** A report's metrics as the sheet rows must hold them, without the name column. */
export const expectedRows = (r: IndicatorReport) => r.metrics.map((m) => [m.code, m.numerator, m.denominator, m.ratio, m.score, m.maxScore])
export const withoutName = (rows: unknown[][]) => rows.map(([code, , ...rest]) => [code, ...rest])
