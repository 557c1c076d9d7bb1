/**
 * The portal's checks of a `<hoso>` record's completeness fields beyond its JSON schema,
 * written from NATIONAL-ENDPOINTS.md §1.1 (not from the hub's mapping): supplement requests
 * (`DanhSachHoSoBoSung`), connected national databases (`DSKetNoiCSDL`), other attachments
 * (`DanhSachTepDinhKemKhac`) and the reuse flags of `TaiLieuNop` (`HinhThuc` and `ThongTinTra`
 * are checked by the schema). Returns the portal's message for the first problem, or undefined.
 */
type Rec = Record<string, unknown>

const str = (v: unknown) => (typeof v === 'string' ? v : '')
const list = (v: unknown): Rec[] => (Array.isArray(v) ? (v as Rec[]) : [])

export function checkCompleteness(hoso: Rec): string | undefined {
  const code = str(hoso['MaHoSo'])
  // Supplement requests: one entry per id; a handed-in supplement has its reception date, after the request.
  const seen = new Set<string>()
  for (const b of list(hoso['DanhSachHoSoBoSung'])) {
    const id = str(b['HoSoBoSungId'])
    if (seen.has(id)) return `Hồ sơ ${code}: yêu cầu bổ sung ${id} bị trùng`
    seen.add(id)
    const asked = str(b['NgayBoSung'])
    const received = str(b['NgayTiepNhanBoSung'])
    if (str(b['TrangThaiBoSung']) === '2' && !received) return `Hồ sơ ${code}: bổ sung ${id} đã tiếp nhận nhưng thiếu NgayTiepNhanBoSung`
    if (str(b['TrangThaiBoSung']) === '1' && received) return `Hồ sơ ${code}: bổ sung ${id} chưa tiếp nhận nhưng có NgayTiepNhanBoSung`
    if (asked && received && received < asked) return `Hồ sơ ${code}: NgayTiepNhanBoSung trước NgayBoSung`
    if (!str(b['NoiDungBoSung']) && !str(b['DanhSachGiayToBoSung'])) return `Hồ sơ ${code}: bổ sung ${id} thiếu nội dung`
  }
  // Connected databases: each once.
  const dbs = list(hoso['DSKetNoiCSDL']).map((d) => str(d['MaCSDL']))
  if (new Set(dbs).size !== dbs.length) return `Hồ sơ ${code}: DSKetNoiCSDL có mã CSDL trùng`
  // A reused paper stands in for one of the procedure's components (§1.4 THANHPHANHOSO): it names it.
  for (const d of list(hoso['TaiLieuNop']))
    if (str(d['DuocTaiSuDung']) === 'True' && !str(d['MaThanhPhanHoSo']))
      return `Hồ sơ ${code}: tài liệu tái sử dụng ${str(d['TepDinhKemId'])} thiếu MaThanhPhanHoSo`
  // Other attachments: a name and a count.
  for (const a of list(hoso['DanhSachTepDinhKemKhac']))
    if (!str(a['TenGiayTo']) || !/^[1-9]\d*$/.test(str(a['SoLuong']))) return `Hồ sơ ${code}: DanhSachTepDinhKemKhac không hợp lệ`
  return undefined
}
