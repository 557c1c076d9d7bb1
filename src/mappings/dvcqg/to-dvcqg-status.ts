/**
 * Status-only sync (`DongBoTrangThaiHoSo`, `type: "2"`, NATIONAL-ENDPOINTS.md §1 operations):
 * for the dossier kinds the portal keeps by status only, a status change travels as this
 * small record instead of the whole `<hoso>`. Pure.
 */
import { MappingError } from '../shared/errors.js'
import type { StatusMap } from './status-map.js'
import { toNationalStatus } from './status-map.js'
import { formatDvcqgDate } from './to-dvcqg.js'
import type { DongBoTrangThaiHoSo } from './types.js'

/**
 * One status change → `DongBoTrangThaiHoSo` params.
 * @throws MappingError `status` for an unmapped provincial status, `occurredAt` for an unparseable time.
 */
export function toDongBoTrangThaiHoSo(dossierCode: string, status: string, occurredAt: string, statusMap: StatusMap): DongBoTrangThaiHoSo {
  const national = toNationalStatus(statusMap, status)
  if (national === undefined) throw new MappingError('status', `status: provincial status "${status}" has no DVCQG mapping`)
  return { type: '2', data: [{ MaHoSo: dossierCode, TrangThaiHoSo: String(national), NgayCapNhat: formatDvcqgDate(occurredAt, 'occurredAt') }] }
}

/** Does this (national) procedure code sync by status only? `list` is the comma-separated config value. */
export function isStatusOnlyProcedure(list: string, nationalProcedureCode: string): boolean {
  return list !== '' && list.split(',').includes(nationalProcedureCode)
}
