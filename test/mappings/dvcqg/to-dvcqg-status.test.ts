import { describe, expect, it } from 'vitest'
import { isStatusOnlyProcedure, toDongBoTrangThaiHoSo } from '../../../src/mappings/dvcqg/to-dvcqg-status.js'
import { MappingError } from '../../../src/mappings/shared/errors.js'
import { compileFile, createAjv, errorsOf } from './ajv.js'
import { defaultStatusMap, repoRoot } from './run-case.js'

const validate = compileFile(createAjv(), new URL('schemas/dvcqg/DongBoTrangThaiHoSo.schema.json', repoRoot))

describe('DongBoTrangThaiHoSo (status-only sync)', () => {
  it('one status change → type "2", the national code (config/status-map.json: DA_TRA_KET_QUA is 10) and the time in UTC+7', () => {
    const payload = toDongBoTrangThaiHoSo('000.00.06.H56-231027-0361', 'DA_TRA_KET_QUA', '2023-10-30T08:20:00Z', defaultStatusMap)
    expect(payload).toEqual({ type: '2', data: [{ MaHoSo: '000.00.06.H56-231027-0361', TrangThaiHoSo: '10', NgayCapNhat: '20231030152000' }] })
    expect(validate(payload), errorsOf(validate)).toBe(true)
  })

  it('an unmapped status or a bad time is a mapping error naming the field', () => {
    const field = (fn: () => unknown) => {
      try {
        fn()
      } catch (e) {
        return e instanceof MappingError ? e.field : 'other'
      }
      return 'none'
    }
    expect(field(() => toDongBoTrangThaiHoSo('000.00.06.H56-231027-0361', 'KHONG_CO', '2023-10-30T08:20:00Z', defaultStatusMap))).toBe('status')
    expect(field(() => toDongBoTrangThaiHoSo('000.00.06.H56-231027-0361', 'DA_TRA_KET_QUA', '2023-10-30 08:20', defaultStatusMap))).toBe('occurredAt')
  })

  it('the portal schema refuses another type or a non-national status', () => {
    expect(validate({ type: '1', data: [{ MaHoSo: '000.00.06.H56-231027-0361', TrangThaiHoSo: '10', NgayCapNhat: '20231030152000' }] })).toBe(false)
    expect(validate({ type: '2', data: [{ MaHoSo: '000.00.06.H56-231027-0361', TrangThaiHoSo: '11', NgayCapNhat: '20231030152000' }] })).toBe(false)
  })

  it('status-only procedures come from a comma-separated list of national codes', () => {
    expect(isStatusOnlyProcedure('', '1.003560')).toBe(false)
    expect(isStatusOnlyProcedure('1.000001,1.003560', '1.003560')).toBe(true)
    expect(isStatusOnlyProcedure('1.0035601', '1.003560')).toBe(false)
  })
})
