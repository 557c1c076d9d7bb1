/** Agency codes and rows of the seeded sandbox catalog (ministries, the province, its departments, districts and communes). */
import type { CoQuanRow } from './wire.js'
import { COMMUNES, DISTRICTS, MINISTRIES, PROVINCE, PROVINCE_DEPARTMENTS } from './vocabulary.js'

export const pad = (n: number, width: number): string => String(n).padStart(width, '0')
export const ministryAgency = (g: string): string => `000.00.00.${g}`
export const departmentAgency = (i: number): string => `000.${pad(i + 1, 2)}.00.${PROVINCE.code}`
export const districtAgency = (d: number): string => `000.00.${pad(d + 1, 2)}.${PROVINCE.code}`
export const communeAgency = (d: number, c: number): string => `${pad(c + 1, 3)}.${pad(d + 1, 2)}.00.${PROVINCE.code}`

export function buildAgencies(): CoQuanRow[] {
  const rows: CoQuanRow[] = MINISTRIES.map((m) => ({ MADONVI: ministryAgency(m.code), TENDONVI: m.name, CAPDONVI: '1' }))
  rows.push({ MADONVI: `000.00.00.${PROVINCE.code}`, TENDONVI: PROVINCE.name, CAPDONVI: '2' })
  PROVINCE_DEPARTMENTS.forEach((name, i) => rows.push({ MADONVI: departmentAgency(i), TENDONVI: name, CAPDONVI: '2' }))
  DISTRICTS.forEach((district, d) => {
    rows.push({ MADONVI: districtAgency(d), TENDONVI: `Ủy ban nhân dân ${district}`, CAPDONVI: '3' })
    COMMUNES.forEach((commune, c) => rows.push({ MADONVI: communeAgency(d, c), TENDONVI: `Ủy ban nhân dân ${commune}, ${district}`, CAPDONVI: '4' }))
  })
  return rows
}
