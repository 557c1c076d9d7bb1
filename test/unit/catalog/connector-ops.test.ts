import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamError, isRetryable } from '../../../src/http/errors.js'
import { dvcqgTestConnector } from '../../helpers/connectors.js'

const BASE = 'http://dvcqg.test'
const UNIT = '000.00.00.H56'

const connector = (style: 'adapter' | 'rest' = 'adapter') => dvcqgTestConnector(BASE, style)

const login = () => nock(BASE).post('/api/auth/login').reply(200, { error_code: 0, session: 'S' })
const share = (service: string, result: unknown, match: (b: Record<string, unknown>) => boolean = () => true) =>
  nock(BASE)
    .post('/api/chia-se', (b) => b.service === service && match(b))
    .reply(200, { error_code: 0, result })

beforeAll(() => nock.disableNetConnect())
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([])
  nock.cleanAll()
})

describe('DVCQG catalog operations (typed, mapped)', () => {
  it('adapter style: lists, agencies and fields over the share path, mapped to the catalog model', async () => {
    login()
    share('LayDanhSachTTHC', [{ MATTHC: '1.001', TENTTHC: 'Một' }, { MATTHC: '' }, { MATTHC: '1.001' }], (b) => b.madonvi === UNIT)
    share('LayDanhSachTTHC', [{ MATTHC: '2.002', TENTTHC: 'Hai' }], (b) => b.madonvi === '000.00.06.H56')
    share('LayDanhMucCoQuan', [{ MADONVI: '000.00.06.H56', TENDONVI: 'UBND huyện', CAPDONVI: '2' }, { TENDONVI: 'no code' }])
    share('LayDanhMucLinhVuc', [{ MALINHVUC: 'G05-XD01', TENLINHVUC: 'Xây dựng', MANGANH: 'XD' }])
    const c = connector()
    expect(await c.listProcedureCodes()).toEqual([{ code: '1.001', name: 'Một' }])
    expect(await c.listProcedureCodes('000.00.06.H56')).toEqual([{ code: '2.002', name: 'Hai' }])
    expect(await c.agencies()).toEqual([{ code: '000.00.06.H56', name: 'UBND huyện', level: '2' }])
    expect(await c.fields()).toEqual([{ code: 'G05-XD01', name: 'Xây dựng', sectorCode: 'XD' }])
  })

  it('procedure(code): the mapped Procedure; no record or an unusable one is a permanent rejection', async () => {
    login()
    share(
      'LayThuTuc',
      [{ MaTTHC: '1.009794', TENTTHC: 'Cấp giấy phép', CAPTHUCHIEN: [{ CAPTHUCHIEN: '2', TENCAP: 'Cấp Huyện' }] }],
      (b) => b.maTTHC === '1.009794',
    )
    share('LayThuTuc', [])
    share('LayThuTuc', [{ TENTTHC: 'no code' }])
    const c = connector()
    expect(await c.procedure('1.009794')).toMatchObject({ code: '1.009794', name: 'Cấp giấy phép', level: [{ code: '2', name: 'Cấp Huyện' }] })
    for (const code of ['1.000001', '1.000002']) {
      const err = (await c.procedure(code).catch((e: unknown) => e)) as UpstreamError
      expect(err).toBeInstanceOf(UpstreamError)
      expect([err.kind, isRetryable(err)]).toEqual(['rejected', false])
    }
  })

  it('procedure(code) makes one attempt: a 503 is raised to the caller (the queue retries), not retried by the transport', async () => {
    login()
    nock(BASE).post('/api/chia-se').reply(503, 'busy', { 'retry-after': '3' })
    const err = (await connector()
      .procedure('1.009794')
      .catch((e: unknown) => e)) as UpstreamError
    expect([err.kind, err.status, err.retryAfterMs, isRetryable(err)]).toEqual(['http', 503, 3000, true])
  })

  it('REST style: GET routes, the unit code (or the agency asked for) as maDonVi', async () => {
    nock(BASE)
      .get('/LayDanhSachTTHCDonVi')
      .query({ maDonVi: '000.00.06.H56' })
      .reply(200, { error_code: 0, result: [{ MATTHC: '2.002', TENTTHC: 'Hai' }] })
    nock(BASE)
      .get('/LayThuTuc')
      .query({ maDonVi: UNIT, maTTHC: '2.002' })
      .reply(200, { error_code: 0, result: [{ MaTTHC: '2.002' }] })
    const c = connector('rest')
    expect(await c.listProcedureCodes('000.00.06.H56')).toEqual([{ code: '2.002', name: 'Hai' }])
    expect((await c.procedure('2.002')).code).toBe('2.002')
  })
})
