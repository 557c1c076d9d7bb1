import type { Static } from '@sinclair/typebox'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { DossierEventBody, DossierUpsertBody } from '../../../schemas/v1/dossier.js'
import type { DossierEvent as ApiEvent, DossierUpsert as ApiUpsert } from '../../../schemas/v1/dossier.js'
import type { DossierEvent, DossierUpsert } from '../../../src/mappings/dvcqg/types.js'
import { compileFile, createAjv, errorsOf } from './ajv.js'
import { casesDir, readJson, repoRoot } from './run-case.js'

const ajv = createAjv()
const validateUpsert = ajv.compile(DossierUpsertBody)
const validateEvent = ajv.compile(DossierEventBody)
const validateDongBo = compileFile(ajv, new URL('schemas/dvcqg/DongBoHoSoMC.schema.json', repoRoot))
const validateTienDo = compileFile(ajv, new URL('schemas/dvcqg/CapNhatTienDoHoSoMC.schema.json', repoRoot))

const valid = (readJson(new URL('citizen-in-person.input.json', casesDir)) as { dossier: DossierUpsert }).dossier

describe('mapping input types equal the API schema types', () => {
  it('DossierUpsert and DossierEvent', () => {
    expectTypeOf<ApiUpsert>().toEqualTypeOf<DossierUpsert>()
    expectTypeOf<ApiEvent>().toEqualTypeOf<DossierEvent>()
    expectTypeOf<Static<typeof DossierUpsertBody>>().toEqualTypeOf<DossierUpsert>()
    expect(validateUpsert(valid), errorsOf(validateUpsert)).toBe(true)
  })
})

describe('DossierUpsertBody', () => {
  const applicant = valid.applicant
  it.each<[string, Record<string, unknown>]>([
    ['eventId with ":"', { eventId: 'a:b' }],
    ['eventId of 101 characters', { eventId: 'x'.repeat(101) }],
    ['empty eventId', { eventId: '' }],
    ['dossier code without sequence', { dossierCode: '000.00.06.H56-231027' }],
    ['dossier code with month 13', { dossierCode: '000.00.06.H56-231327-0361' }],
    ['dossier code with a lower-case agency letter', { dossierCode: '000.00.06.h56-231027-0361' }],
    ['procedure code with 5 digits', { procedureCode: '1.00356' }],
    ['procedure code with a broken local suffix', { procedureCode: '1.003560.H56' }],
    ['agency code without its letter', { agencyCode: '000.00.06.156' }],
    ['unknown channel', { channel: 'fax' }],
    ['timestamp without offset', { receivedAt: '2023-10-27T08:30:00' }],
    ['date-only timestamp', { dueAt: '2023-10-30' }],
    ['timestamp with a space', { receivedAt: '2023-10-27 08:30:00+07:00' }],
    ['summary over 1000', { summary: 'a'.repeat(1001) }],
    ['negative fee', { fees: [{ name: 'Lệ phí', amount: -1 }] }],
    ['unknown top-level field', { extra: 1 }],
    ['unknown document field', { documents: [{ id: '1', name: 'a', size: 3 }] }],
    ['CCCD of 11 digits', { applicant: { ...applicant, idNumber: '03809001234' } }],
    ['CMND of 10 digits', { applicant: { ...applicant, idType: 'cmnd', idNumber: '1723456789' } }],
    ['tax code with letters', { applicant: { ...applicant, kind: 'enterprise', idType: 'tax_code', idNumber: '01012345AB' } }],
    ['bad email', { applicant: { ...applicant, email: 'not-an-email' } }],
    ['unknown applicant kind', { applicant: { ...applicant, kind: 'robot' } }],
    ['unknown applicant field', { applicant: { ...applicant, dob: '1990-01-01' } }],
  ])('refuses %s', (_label, patch) => {
    expect(validateUpsert({ ...valid, ...patch })).toBe(false)
  })

  it.each<[string, Record<string, unknown>]>([
    ['a local procedure code', { procedureCode: '1.003560.000.00.00.H56' }],
    ['a UTC timestamp with fraction', { receivedAt: '2023-10-27T01:30:00.123Z' }],
    ['a negative offset', { dueAt: '2023-10-30T05:00:00-05:00' }],
    ['a 12-digit CMND', { applicant: { ...applicant, idType: 'cmnd', idNumber: '172345678901' } }],
    ['a branch tax code', { applicant: { ...applicant, kind: 'enterprise', idType: 'tax_code', idNumber: '0101234567-001' } }],
    ['a UUID event id', { eventId: '0b7f3a8e-4c1d-4c2a-9f6e-2b1d3c4e5f60' }],
  ])('accepts %s', (_label, patch) => {
    const body = { ...valid, ...patch }
    expect(validateUpsert(body), errorsOf(validateUpsert)).toBe(true)
  })
})

describe('DossierEventBody', () => {
  const step = { actor: 'Phạm Quốc Bảo', action: 'Thẩm định' }
  it.each<[string, unknown, boolean]>([
    ['status only', { eventId: 'e1', occurredAt: '2023-10-27T08:30:00+07:00', status: 'DANG_XU_LY' }, true],
    ['step only', { eventId: 'e1', occurredAt: '2023-10-27T08:30:00+07:00', step }, true],
    ['both', { eventId: 'e1', occurredAt: '2023-10-27T08:30:00+07:00', status: 'X', step }, true],
    ['an actor of 200 characters', { eventId: 'e1', occurredAt: '2023-10-27T08:30:00Z', step: { ...step, actor: 'a'.repeat(200) } }, true],
    ['neither status nor step', { eventId: 'e1', occurredAt: '2023-10-27T08:30:00+07:00' }, false],
    ['an actor of 201 characters', { eventId: 'e1', occurredAt: '2023-10-27T08:30:00Z', step: { ...step, actor: 'a'.repeat(201) } }, false],
    ['a step without action', { eventId: 'e1', occurredAt: '2023-10-27T08:30:00Z', step: { actor: 'A' } }, false],
    ['occurredAt without offset', { eventId: 'e1', occurredAt: '2023-10-27T08:30:00', status: 'X' }, false],
    ['an unknown field', { eventId: 'e1', occurredAt: '2023-10-27T08:30:00Z', status: 'X', note: 'n' }, false],
  ])('%s → %s', (_label, body, ok) => {
    expect(validateEvent(body), errorsOf(validateEvent)).toBe(ok)
  })
})

describe('portal payload schemas catch drift', () => {
  const hoso = (readJson(new URL('citizen-in-person.expected.json', casesDir)) as { data: Record<string, unknown>[] }).data[0]!
  const step = {
    MaHoSo: '000.00.06.H56-231027-0361',
    NguoiXuLy: 'A',
    ChucDanh: '',
    ThoiDiemXuLy: '20231027083000',
    PhongBanXuLy: '',
    NoiDungXuLy: 'B',
    TrangThai: '4',
    NgayBatDau: '',
    NgayKetThucTheoQuyDinh: '',
  }

  it.each<[string, Record<string, unknown>]>([
    ['an ISO date', { NgayTiepNhan: '2023-10-27T08:30:00+07:00' }],
    ['an empty mandatory date', { NgayHenTra: '' }],
    ['a lower-case boolean', { HoSoCoThanhPhanSoHoa: 'true' }],
    ['a numeric status', { TrangThaiHoSo: 2 }],
    ['status 11', { TrangThaiHoSo: '11' }],
    ['a 1001-character summary', { TrichYeuHoSo: 'a'.repeat(1001) }],
    ['an unknown field', { Extra: '' }],
  ])('DongBoHoSoMC refuses %s', (_label, patch) => {
    expect(validateDongBo({ isUpdating: 'False', data: [{ ...hoso, ...patch }] })).toBe(false)
  })

  it('DongBoHoSoMC refuses an empty data list and a bad isUpdating', () => {
    expect(validateDongBo({ isUpdating: 'False', data: [] })).toBe(false)
    expect(validateDongBo({ isUpdating: false, data: [hoso] })).toBe(false)
  })

  it('CapNhatTienDoHoSoMC enforces NguoiXuLy ≤ 50 and 1..10 steps', () => {
    expect(validateTienDo({ data: [step] }), errorsOf(validateTienDo)).toBe(true)
    expect(validateTienDo({ data: [{ ...step, NguoiXuLy: 'a'.repeat(51) }] })).toBe(false)
    expect(validateTienDo({ data: Array.from({ length: 10 }, () => step) })).toBe(true)
    expect(validateTienDo({ data: Array.from({ length: 11 }, () => step) })).toBe(false)
    expect(validateTienDo({ data: [] })).toBe(false)
    expect(validateTienDo({ data: [{ ...step, ThoiDiemXuLy: '2023102708300' }] })).toBe(false)
  })
})
