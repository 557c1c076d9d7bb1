import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamError } from '../../../src/http/errors.js'
import { dvcqgTestConnector } from '../../helpers/connectors.js'

const BASE = 'http://dvcqg.test'
const hoso = { isUpdating: 'False' as const, data: [{ MaHoSo: '000.00.06.H56-261122-0001' } as never] }

const connector = (style: 'adapter' | 'rest' = 'adapter') => dvcqgTestConnector(BASE, style)

beforeAll(() => nock.disableNetConnect())
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([])
  nock.cleanAll()
})

describe('DVCQG connector, adapter style (session + service in the body)', () => {
  it('logs in once with dstcode, then sends the session, unit code and service in every body', async () => {
    nock(BASE).post('/api/auth/login', { username: 'u', password: 'p' }).matchHeader('dstcode', 'H56').reply(200, { error_code: 0, session: 'S1' })
    nock(BASE)
      .post('/api/tich-hop', (b) => b.session === 'S1' && b.madonvi === '000.00.00.H56' && b.service === 'DongBoHoSoMC' && b.isUpdating === 'False')
      .reply(200, { error_code: '0', message: 'Thành công', result: [] })
    nock(BASE)
      .post('/api/tich-hop', (b) => b.session === 'S1' && b.service === 'CapNhatTienDoHoSoMC')
      .reply(200, { error_code: '00', result: [] })
    const c = connector()
    expect(await c.syncDossier(hoso)).toEqual({ created: true, resentAsUpdate: false })
    await c.updateProgress({ data: [] })
  })

  it('an expired session: logs in again once and retries the call', async () => {
    nock(BASE).post('/api/auth/login').reply(200, { error_code: 0, session: 'OLD' })
    nock(BASE)
      .post('/api/tich-hop', (b) => b.session === 'OLD')
      .reply(200, { error_code: '401', message: 'Phiên làm việc đã hết hạn' })
    nock(BASE).post('/api/auth/login').reply(200, { error_code: 0, session: 'NEW' })
    nock(BASE)
      .post('/api/tich-hop', (b) => b.session === 'NEW')
      .reply(200, { error_code: 0, result: [] })
    await connector().updateProgress({ data: [] })
  })

  it('"đã tồn tại" on a create is sent again as an update', async () => {
    nock(BASE).post('/api/auth/login').reply(200, { error_code: 0, session: 'S' })
    nock(BASE)
      .post('/api/tich-hop', (b) => b.isUpdating === 'False')
      .reply(200, { error_code: 1, message: 'Hồ sơ 000.00.06.H56-261122-0001 đã tồn tại trên hệ thống' })
    nock(BASE)
      .post('/api/tich-hop', (b) => b.isUpdating === 'True')
      .reply(200, { error_code: 0, result: [] })
    expect(await connector().syncDossier(hoso)).toEqual({ created: false, resentAsUpdate: true })
  })

  it('a business rejection is a non-retryable UpstreamError carrying the portal message', async () => {
    nock(BASE).post('/api/auth/login').reply(200, { error_code: 0, session: 'S' })
    nock(BASE).post('/api/tich-hop').reply(200, { error_code: 1, message: 'Trường NgayTiepNhan không đúng định dạng' })
    const err = await connector()
      .syncDossier(hoso)
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UpstreamError)
    expect((err as UpstreamError).kind).toBe('rejected')
    expect((err as UpstreamError).message).toContain('NgayTiepNhan')
  })

  it('5xx with Retry-After and an HTML proxy page are transient failures', async () => {
    nock(BASE).post('/api/auth/login').reply(200, { error_code: 0, session: 'S' })
    nock(BASE).post('/api/tich-hop').reply(503, 'busy', { 'retry-after': '7' })
    nock(BASE).post('/api/tich-hop').reply(200, '<html><body>502 Bad Gateway</body></html>', { 'content-type': 'text/html' })
    const c = connector()
    const e1 = (await c.updateProgress({ data: [] }).catch((e: unknown) => e)) as UpstreamError
    expect([e1.kind, e1.status, e1.retryAfterMs]).toEqual(['http', 503, 7000])
    const e2 = (await c.updateProgress({ data: [] }).catch((e: unknown) => e)) as UpstreamError
    expect(e2.kind).toBe('malformed')
  })

  it('a portal that never answers times out', async () => {
    nock(BASE).post('/api/auth/login').reply(200, { error_code: 0, session: 'S' })
    nock(BASE).post('/api/tich-hop').delay(2000).reply(200, { error_code: 0 })
    const err = (await connector()
      .updateProgress({ data: [] })
      .catch((e: unknown) => e)) as UpstreamError
    expect(err.kind).toBe('timeout')
  })
})

describe('DVCQG connector, REST style (URL per operation)', () => {
  it('uses DongBoHoSo / CapNhatHoSo / DongBoTienTrinh without a session, and catalog reads by GET', async () => {
    nock(BASE).post('/DongBoHoSo').reply(200, { error_code: 0, result: [] })
    nock(BASE).post('/CapNhatHoSo').reply(200, 'Cập nhật thành công')
    nock(BASE).post('/DongBoTienTrinh').reply(200, { error_code: 0, result: [] })
    nock(BASE)
      .get('/LayThuTuc')
      .query({ maDonVi: '000.00.00.H56', maTTHC: '1.001234' })
      .reply(200, { error_code: 0, result: [{ MaTTHC: '1.001234' }] })
    const c = connector('rest')
    await c.syncDossier(hoso)
    await c.syncDossier({ ...hoso, isUpdating: 'True' })
    await c.updateProgress({ data: [] })
    expect((await c.procedure('1.001234')).code).toBe('1.001234')
  })
})
