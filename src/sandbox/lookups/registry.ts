import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { HandlerResult, SimKit, Simulator } from '../framework.js'
import { vnDate, type LookupSeed } from './data.js'
import { SimTokenIssuer, UNAUTHORIZED_ENVELOPE } from './tokens.js'

const TAX_NAMES: Record<string, string> = {
  '00': 'NNT đang hoạt động (đã được cấp GCN ĐKT)',
  '01': 'NNT ngừng hoạt động và đã hoàn thành thủ tục chấm dứt hiệu lực MST',
  '05': 'NNT tạm ngừng hoạt động, kinh doanh',
}
const BIZ_NAMES: Record<string, string> = { '1': 'Đang hoạt động', '2': 'Tạm ngừng kinh doanh', '4': 'Đã giải thể' }
const field = (req: FastifyRequest, k: string) => String(((req.body ?? {}) as Record<string, unknown>)[k] ?? '')
const MST = /^\d{10}(-\d{3})?$/
const badKey = (k: string): HandlerResult => ({ status: 400, body: { error_code: '02', message: `${k} không hợp lệ` }, outcome: `rejected: bad ${k}` })
const denied = (): HandlerResult => ({ status: 401, body: UNAUTHORIZED_ENVELOPE, outcome: 'rejected: unauthorized' })

/** Business registry `ChiTietDoanhNghiep` (REST, VNPT LGSP style: `lgspaccesstoken` + bearer). */
export class BusinessRegistrySimulator implements Simulator {
  readonly id = 'business-registry'
  readonly tokens = new SimTokenIssuer(this.id)
  constructor(private readonly seed: LookupSeed) {}

  private lgspHeaderOk(req: FastifyRequest): boolean {
    try {
      const v = JSON.parse(Buffer.from(String(req.headers['lgspaccesstoken'] ?? ''), 'base64').toString('utf8')) as Record<string, unknown>
      return typeof v['AccessKey'] === 'string' && typeof v['PartnerCode'] === 'string'
    } catch {
      return false
    }
  }

  routes(app: FastifyInstance, kit: SimKit): void {
    this.tokens.routes(app, kit)
    app.post('/api/doanh-nghiep', (req, reply) =>
      kit.handle(this.id, 'ChiTietDoanhNghiep', req, reply, (call): HandlerResult => {
        if (call.expiredSession || !this.tokens.valid(req) || !this.lgspHeaderOk(req)) return denied()
        if (field(req, 'type') !== 'ChiTietDoanhNghiep')
          return { status: 400, body: { error_code: '02', message: 'type không hợp lệ' }, outcome: 'rejected: bad type' }
        if (!MST.test(field(req, 'msdn'))) return badKey('msdn')
        const b = this.seed.byTaxCode.get(field(req, 'msdn'))
        if (!b) return { body: { error_code: '01', message: 'Không tìm thấy doanh nghiệp' }, outcome: 'not found' }
        return {
          body: {
            error_code: 0,
            message: 'Thành công',
            Data: {
              MainInformation: {
                ENTERPRISE_ID: `E-${b.taxCode}`,
                ENTERPRISE_CODE: b.taxCode,
                NAME: b.name,
                STATUS_CODE: b.statusCode,
                STATUS_NAME: BIZ_NAMES[b.statusCode],
                ENTERPRISE_TYPE_ID: '2',
                ENTERPRISE_TYPE_NAME: 'Công ty TNHH hai thành viên trở lên',
                FOUNDING_DATE: vnDate(b.foundedOn),
                CAPITAL: '1.500.000.000',
                MAIN_BUSINESS_CODE: '6201',
                MAIN_BUSINESS_NAME: 'Lập trình máy vi tính',
              },
              HOAdress: { CityCode: b.provinceCode, CityName: b.provinceName, CountryCode: 'VN', AddressFullText: `Số 1, ${b.provinceName}` },
              Representatives: {
                FULL_NAME: b.representative.fullName,
                POSITION_NAME: 'Giám đốc',
                ID_TYPE: 'CCCD',
                ID_NUMBER: b.representative.idNumber,
                BIRTH_DATE: vnDate(b.representative.birthDate),
                NATIONALITY: 'VN',
              },
            },
          },
          outcome: 'found',
        }
      }),
    )
  }
  reset() {
    this.tokens.reset()
  }
  state() {
    return { tokenRequests: this.tokens.tokenRequests, sampleTaxCodes: this.seed.businesses.slice(0, 5).map((b) => b.taxCode) }
  }
}

/** Tax authority taxpayer status (REST, OAuth2 bearer). */
export class TaxSimulator implements Simulator {
  readonly id = 'tax'
  readonly tokens = new SimTokenIssuer(this.id)
  constructor(private readonly seed: LookupSeed) {}
  routes(app: FastifyInstance, kit: SimKit): void {
    this.tokens.routes(app, kit)
    let seq = 0
    app.post('/api/nnt/trang-thai', (req, reply) =>
      kit.handle(this.id, 'TraCuuTrangThaiNNT', req, reply, (call): HandlerResult => {
        if (call.expiredSession || !this.tokens.valid(req)) return denied()
        if (!MST.test(field(req, 'mst'))) return badKey('mst')
        const ref = `TCT-${String(++seq).padStart(6, '0')}`
        const b = this.seed.byTaxCode.get(field(req, 'mst'))
        if (!b) return { body: { error_code: '01', message: 'Không tìm thấy người nộp thuế', ma_giao_dich: ref }, outcome: 'not found' }
        return {
          body: {
            error_code: '00',
            message: 'Thành công',
            ma_giao_dich: ref,
            data: {
              MST: b.taxCode,
              TEN_NNT: b.name,
              TRANG_THAI: b.taxStatusCode,
              TEN_TRANG_THAI: TAX_NAMES[b.taxStatusCode],
              MA_CQT_QL: `${b.provinceCode}100`,
              TEN_CQT_QL: `Cục Thuế ${b.provinceName}`,
              NGAY_CAP_MST: vnDate(b.foundedOn),
              DIA_CHI_TRU_SO: `Số 1, ${b.provinceName}`,
              LOAI_NNT: 'DN',
            },
          },
          outcome: 'found',
        }
      }),
    )
  }
  reset() {
    this.tokens.reset()
  }
  state() {
    return { tokenRequests: this.tokens.tokenRequests }
  }
}

/**
 * Civil status extracts (REST, OAuth2 bearer with expiring tokens: `tokens.ttlSec`,
 * `tokens.revokeAll()`), by the subject's personal id: birth (KS) for everyone, death
 * (KT) and marriage (KH) for some.
 */
export class CivilStatusSimulator implements Simulator {
  readonly id = 'civil-status'
  readonly tokens = new SimTokenIssuer(this.id)
  constructor(private readonly seed: LookupSeed) {}
  routes(app: FastifyInstance, kit: SimKit): void {
    this.tokens.routes(app, kit)
    app.post('/api/ho-tich/trich-luc', (req, reply) => {
      const module = field(req, 'module')
      return kit.handle(this.id, `TrichLuc${module}`, req, reply, (call): HandlerResult => {
        if (call.expiredSession || !this.tokens.valid(req)) return denied()
        if (!/^\d{12}$/.test(field(req, 'soDinhDanh'))) return badKey('soDinhDanh')
        const idx = this.seed.people.findIndex((p) => p.citizen.idNumber === field(req, 'soDinhDanh'))
        const p = this.seed.people[idx]
        const common = {
          id: `HT-${module}-${idx}`,
          module,
          soDangKy: String(idx + 1),
          quyenSo: '01/2020',
          maCoQuanDangKy: '000.00.00.H56',
          tenCoQuanDangKy: 'UBND xã Sandbox',
        }
        const nf = { body: { error_code: '01', message: 'Không tìm thấy dữ liệu hộ tịch' }, outcome: 'not found' }
        if (!p) return nf
        const c = p.citizen
        const dob = c.birthDate?.date
        switch (module) {
          case 'KS':
            return {
              body: {
                error_code: 0,
                message: 'Thành công',
                data: {
                  ...common,
                  ngayDangKy: dob ? vnDate(dob) : undefined,
                  nksHoTen: c.fullName,
                  nksGioiTinh: c.gender?.code,
                  nksNgaySinh: dob ? vnDate(dob) : undefined,
                  nksSoDinhDanh: c.idNumber,
                  nksDanToc: c.ethnicity?.code,
                  nksQuocTich: 'VN',
                  meHoTen: c.mother?.fullName,
                  chaHoTen: c.father?.fullName,
                },
              },
              outcome: 'found',
            }
          case 'KT':
            if (idx % 9 !== 4) return nf
            return {
              body: {
                error_code: 0,
                message: 'Thành công',
                data: { ...common, nktHoTen: c.fullName, nktSoDinhDanh: c.idNumber, ngayChet: '15/03/2024', noiChet: 'Tại nhà' },
              },
              outcome: 'found',
            }
          case 'KH':
            if (!c.spouse) return nf
            return {
              body: {
                error_code: 0,
                message: 'Thành công',
                data: {
                  ...common,
                  chongHoTen: c.gender?.code === '1' ? c.fullName : c.spouse.fullName,
                  voHoTen: c.gender?.code === '1' ? c.spouse.fullName : c.fullName,
                },
              },
              outcome: 'found',
            }
          default:
            return { status: 400, body: { error_code: '02', message: 'module không hợp lệ' }, outcome: 'rejected: module' }
        }
      })
    })
  }
  reset() {
    this.tokens.reset()
  }
  state() {
    return { tokenRequests: this.tokens.tokenRequests }
  }
}
