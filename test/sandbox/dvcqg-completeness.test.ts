/**
 * The sandbox portal's checks of the completeness fields (NATIONAL-ENDPOINTS.md §1.1), on
 * hand-written records: what it accepts and what it refuses, with the portal's message.
 */
import { describe, expect, it } from 'vitest'
import { checkCompleteness } from '../../src/sandbox/dvcqg/completeness.js'

const supplement = (over: Record<string, string> = {}) => ({
  HoSoBoSungId: 'BS-1',
  NguoiYeuCauBoSung: 'Cán bộ',
  NoiDungBoSung: 'Bổ sung giấy chứng sinh',
  NgayBoSung: '20261121090000',
  NguoiTiepNhanBoSung: 'Một cửa',
  ThongTinTiepNhan: 'Đã nhận',
  NgayTiepNhanBoSung: '20261123080000',
  TrangThaiBoSung: '2',
  DanhSachGiayToBoSung: '',
  DanhSachLePhiBoSung: '',
  NgayHenTraTruoc: '',
  NgayHenTraMoi: '',
  ...over,
})
const doc = (over: Record<string, string> = {}) => ({ TepDinhKemId: 'f-1', IsDeleted: 'False', MaThanhPhanHoSo: 'GT.KS.001', DuocTaiSuDung: 'True', ...over })
const hoso = (over: Record<string, unknown> = {}) => ({
  MaHoSo: '000.00.06.H56-261121-1711',
  TrangThaiHoSo: '4',
  HoSoCoThanhPhanSoHoa: 'True',
  TaiLieuNop: [doc()],
  DSKetNoiCSDL: [{ MaCSDL: 'CSDLQGDC' }],
  DanhSachTepDinhKemKhac: [{ TenGiayTo: 'Giấy ủy quyền', SoLuong: '1', LoaiGiayTo: '' }],
  DanhSachHoSoBoSung: [supplement()],
  ...over,
})

describe('sandbox DVCQG completeness checks', () => {
  it('accepts a consistent record', () => {
    expect(checkCompleteness(hoso())).toBeUndefined()
    expect(
      checkCompleteness(hoso({ DanhSachHoSoBoSung: [supplement({ TrangThaiBoSung: '1', NgayTiepNhanBoSung: '', NguoiTiepNhanBoSung: '' })] })),
    ).toBeUndefined()
  })

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a supplement id twice', { DanhSachHoSoBoSung: [supplement(), supplement()] }, /trùng/],
    ['a handed-in supplement without its reception date', { DanhSachHoSoBoSung: [supplement({ NgayTiepNhanBoSung: '' })] }, /thiếu NgayTiepNhanBoSung/],
    ['a waiting supplement with a reception date', { DanhSachHoSoBoSung: [supplement({ TrangThaiBoSung: '1' })] }, /chưa tiếp nhận/],
    ['received before it was requested', { DanhSachHoSoBoSung: [supplement({ NgayTiepNhanBoSung: '20261120080000' })] }, /trước NgayBoSung/],
    ['a supplement without content', { DanhSachHoSoBoSung: [supplement({ NoiDungBoSung: '' })] }, /thiếu nội dung/],
    ['a database listed twice', { DSKetNoiCSDL: [{ MaCSDL: 'CSDLQGDC' }, { MaCSDL: 'CSDLQGDC' }] }, /trùng/],
    ['a reused paper that names no component', { TaiLieuNop: [doc({ MaThanhPhanHoSo: '' })] }, /thiếu MaThanhPhanHoSo/],
    [
      'another attachment without a count',
      { DanhSachTepDinhKemKhac: [{ TenGiayTo: 'Giấy ủy quyền', SoLuong: '0', LoaiGiayTo: '' }] },
      /DanhSachTepDinhKemKhac/,
    ],
  ])('refuses %s', (_name, over, message) => {
    expect(checkCompleteness(hoso(over))).toMatch(message)
  })
})
