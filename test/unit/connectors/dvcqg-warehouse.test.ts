import nock from 'nock'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { UpstreamError, isRetryable } from '../../../src/http/errors.js'
import { WarehouseMappingError, type WarehouseDocumentRecord } from '../../../src/mappings/dvcqg/warehouse/index.js'
import { dvcqgTestConnector } from '../../helpers/connectors.js'

const BASE = 'http://dvcqg.test'
const QUERY = { ownerId: '056085000123', requesterName: 'lgsp-hub', requesterId: '000.00.00.H56', channel: 2 as const }
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n')
const RECORD: WarehouseDocumentRecord = {
  localId: 'doc-1',
  nationalId: null,
  ownerId: '056085000123',
  ownerName: 'Nguyễn Văn Thử',
  number: '1/2026',
  documentCode: 'GT.KS.001',
  issuedOn: '2026-01-15',
  validUntil: null,
  permanent: true,
  scope: null,
  summary: null,
  issuingAgency: 'UBND xã Thử',
  signer: null,
  digitisationKind: '1',
  attachments: [{ name: 'ks.pdf', path: null, contentBase64: PDF.toString('base64') }],
  procedureCode: null,
  fieldCode: null,
}

const connector = (style: 'adapter' | 'rest' = 'rest', env: Record<string, string | number> = {}) => dvcqgTestConnector(BASE, style, env)

const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable('expected a failure'),
    (e: unknown) => e as UpstreamError,
  )

beforeAll(() => nock.disableNetConnect())
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([])
  nock.cleanAll()
})

describe('DVCQG warehouse operations (typed, mapped inside the connector)', () => {
  it('listOwnerDocuments sends GetKetQuaGiayTo and returns the mapped results', async () => {
    nock(BASE)
      .post('/GetKetQuaGiayTo', {
        SoDinhDanhChuSoHuu: '056085000123',
        HoTenNguoiYeuCau: 'lgsp-hub',
        KenhThucHien: '2',
        SoDinhDanhNguoiYeuCau: '000.00.00.H56',
        MaThuTuc: '',
        DanhSachDanhMucKetQua: [],
      })
      .reply(200, {
        errorCode: 0,
        message: 'Thành công',
        result: {
          DanhSachGiayToKetQua: [
            {
              MaKetQua: 'KQ.G15.000031',
              TenGiayTo: 'Giấy khai sinh',
              SoKyHieu: '1/2020',
              CoQuanChuQuan: 'C1',
              NgayBanHanh: '20200501000000',
              ThoiHanVinhVien: 'True',
              DanhSachTepDinhKem: [{ TenTep: 'ks.pdf', DuongDan: '/f/1', KichThuoc: 12 }],
            },
          ],
        },
      })
    expect(await connector().listOwnerDocuments(QUERY)).toEqual([
      {
        resultCode: 'KQ.G15.000031',
        title: 'Giấy khai sinh',
        number: '1/2020',
        custodianAgency: 'C1',
        issuedOn: '2020-05-01',
        permanent: true,
        files: [{ name: 'ks.pdf', path: '/f/1', size: 12 }],
      },
    ])
  })

  it('a bare list of one result is that result; "not found" is an empty list', async () => {
    nock(BASE)
      .post('/GetKetQuaGiayTo')
      .reply(200, { error_code: 0, result: [{ MaKetQua: 'KQ.1', CoQuanChuQuan: 'C1', DanhSachTepDinhKem: { DuongDan: '/f/9' } }] })
    nock(BASE).post('/GetKetQuaGiayTo').reply(200, { error_code: 1, message: 'Không tìm thấy dữ liệu' })
    const c = connector()
    expect(await c.listOwnerDocuments(QUERY)).toEqual([
      { resultCode: 'KQ.1', title: null, number: null, custodianAgency: 'C1', files: [{ name: null, path: '/f/9' }] },
    ])
    expect(await c.listOwnerDocuments(QUERY)).toEqual([])
  })

  it('a refusal is permanent, an overloaded portal transient (shared UpstreamError)', async () => {
    nock(BASE).post('/GetKetQuaGiayTo').reply(200, { error_code: 5, message: 'Người yêu cầu không có quyền' })
    nock(BASE).post('/GetKetQuaGiayTo').reply(200, { error_code: 1, message: 'Hệ thống đang bận, vui lòng thử lại' })
    nock(BASE).post('/GetKetQuaGiayTo').reply(503, 'busy', { 'retry-after': '3' })
    const c = connector()
    const refused = await failure(c.listOwnerDocuments(QUERY))
    expect(refused).toBeInstanceOf(UpstreamError)
    expect([refused.kind, isRetryable(refused), refused.opts.upstreamCode]).toEqual(['rejected', false, '5'])
    expect(refused.message).toContain('không có quyền')
    const busy = await failure(c.listOwnerDocuments(QUERY))
    expect(isRetryable(busy)).toBe(true)
    const down = await failure(c.listOwnerDocuments(QUERY))
    expect([down.kind, down.status, down.retryAfterMs, isRetryable(down)]).toEqual(['http', 503, 3000, true])
  })

  it('downloadFile returns the bytes of GetGiayToByUrl; a missing file is permanent, broken base64 transient', async () => {
    nock(BASE)
      .post('/GetGiayToByUrl', { CoQuanChuQuan: 'C1', DuongDan: '/f/1' })
      .reply(200, { error_code: 0, result: PDF.toString('base64') })
    nock(BASE).post('/GetGiayToByUrl').reply(200, { error_code: 1, message: 'Không tìm thấy tệp đính kèm' })
    nock(BASE).post('/GetGiayToByUrl').reply(200, { error_code: 0, result: 'not*base64' })
    const c = connector()
    expect(await c.downloadFile({ custodianAgency: 'C1', path: '/f/1' })).toEqual(PDF)
    const missing = await failure(c.downloadFile({ custodianAgency: 'C1', path: '/f/2' }))
    expect([missing.kind, isRetryable(missing)]).toEqual(['rejected', false])
    const broken = await failure(c.downloadFile({ custodianAgency: 'C1', path: '/f/3' }))
    expect([broken.kind, isRetryable(broken)]).toEqual(['malformed', true])
  })

  it('downloadFile keeps the reply bound: a file over DVCQG_MAX_REPLY_BYTES is a permanent too_large', async () => {
    nock(BASE)
      .post('/GetGiayToByUrl')
      .reply(200, { error_code: 0, result: Buffer.alloc(4096).toString('base64') })
    const err = await failure(connector('rest', { DVCQG_MAX_REPLY_BYTES: 2048 }).downloadFile({ custodianAgency: 'C1', path: '/f/1' }))
    expect([err.kind, isRetryable(err)]).toEqual(['too_large', false])
  })

  it('uploadDocument sends the mapped record with its file and returns the national id', async () => {
    nock(BASE)
      .post('/DongBoKetQuaSoHoa', (b: { data: Record<string, unknown>[] }) => {
        const r = b.data[0]!
        return (
          b.data.length === 1 &&
          r['Ma'] === 'doc-1' &&
          r['MaGiayTo'] === 'GT.KS.001' &&
          r['NgayBanHanh'] === '20260115000000' &&
          r['ThoiHanVinhVien'] === 'True' &&
          (r['DinhKem'] as { NoiDung: string }[])[0]!.NoiDung === PDF.toString('base64')
        )
      })
      .reply(200, { error_code: 0, message: 'Thành công', result: [{ Ma: 'doc-1', MaGiayToKhoQuocGia: 'KHO-42' }] })
    nock(BASE).post('/DongBoKetQuaSoHoa').reply(200, { error_code: 0, result: [] })
    const c = connector()
    expect(await c.uploadDocument(RECORD)).toEqual({ nationalId: 'KHO-42' })
    expect(await c.uploadDocument(RECORD)).toEqual({ nationalId: null })
  })

  it('uploadDocument: a record the mapping refuses is never sent; a portal refusal is permanent', async () => {
    const c = connector()
    await expect(c.uploadDocument({ ...RECORD, validUntil: '2030-01-01' })).rejects.toBeInstanceOf(WarehouseMappingError)
    nock(BASE).post('/DongBoKetQuaSoHoa').reply(200, { error_code: '1', message: 'Thiếu trường Ma', result: [] })
    const refused = await failure(c.uploadDocument(RECORD))
    expect([refused.kind, isRetryable(refused)]).toEqual(['rejected', false])
  })

  it('adapter style: one integration path with the service in the body, not retried by the transport', async () => {
    nock(BASE).post('/api/auth/login').reply(200, { error_code: 0, session: 'S' })
    nock(BASE)
      .post('/api/tich-hop', (b) => b.session === 'S' && b.service === 'GetGiayToByUrl' && b.DuongDan === '/f/1')
      .reply(502, 'bad gateway')
    const err = await failure(connector('adapter').downloadFile({ custodianAgency: 'C1', path: '/f/1' }))
    expect([err.kind, err.status]).toEqual(['http', 502])
  })
})
