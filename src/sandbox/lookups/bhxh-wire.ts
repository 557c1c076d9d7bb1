import { leaf, soapBodyElement, wrap } from './soap.js'
import type { SeedInsurance } from './data.js'

/**
 * BHXH `TraCuuQuaTrinhThamGia` as the sandbox reads it from `bhxh.wsdl` and
 * docs/contracts/bhxh.md (the hub's own designed contract), independently of the
 * hub's mapping.
 */
const BH = 'http://baohiemxahoi.gov.vn/lienthong/tracuu'

/** The request's key, or why it breaks the schema (sequence MaYeuCau, MaDonVi, then MaSoBHXH | SoDinhDanh). */
export type BhxhRequest = { ok: true; requestId: string; bhxhNumber?: string; idNumber?: string } | { ok: false; problem: string }

export function readBhxhRequest(xml: string): BhxhRequest {
  const el = soapBodyElement(xml)
  if (!el || el.name !== 'TraCuuQuaTrinhThamGiaRequest') return { ok: false, problem: 'không phải TraCuuQuaTrinhThamGiaRequest' }
  if (el.ns !== BH || el.children.some((c) => c.ns !== BH)) return { ok: false, problem: `phần tử phải thuộc không gian tên ${BH}` }
  const [ma, donVi, key, ...rest] = el.children
  if (ma?.name !== 'MaYeuCau' || donVi?.name !== 'MaDonVi') return { ok: false, problem: 'thiếu MaYeuCau hoặc MaDonVi' }
  if (!key || rest.length > 0 || (key.name !== 'MaSoBHXH' && key.name !== 'SoDinhDanh'))
    return { ok: false, problem: 'cần đúng một trong MaSoBHXH, SoDinhDanh' }
  return key.name === 'MaSoBHXH' ? { ok: true, requestId: ma.text, bhxhNumber: key.text } : { ok: true, requestId: ma.text, idNumber: key.text }
}

const opt = (name: string, v: string | undefined): string => (v === undefined ? '' : leaf('bh', name, v))
const day = (iso: string): string => iso.replace(/-/g, '')
const codeName = (tag: string, v: { code: string; name: string }): string => wrap('bh', tag, leaf('bh', 'Ma', v.code) + leaf('bh', 'Ten', v.name))

/** The response element: a record (MaLoi 00) or, without one, not found (MaLoi 01). */
export function bhxhResponse(requestId: string, p: SeedInsurance | undefined): string {
  const result = p
    ? wrap('bh', 'KetQua', leaf('bh', 'MaLoi', '00'))
    : wrap('bh', 'KetQua', leaf('bh', 'MaLoi', '01') + leaf('bh', 'MoTaLoi', 'Không tìm thấy thông tin tham gia'))
  let info = ''
  if (p) {
    const card = p.healthCard
    info = wrap(
      'bh',
      'ThongTinThamGia',
      leaf('bh', 'MaSoBHXH', p.bhxhNumber) +
        leaf('bh', 'SoDinhDanh', p.idNumber) +
        leaf('bh', 'HoTen', p.fullName) +
        opt('NgaySinh', p.birthDate ? day(p.birthDate) : p.birthYear === undefined ? undefined : String(p.birthYear)) +
        leaf('bh', 'GioiTinh', p.gender) +
        leaf('bh', 'TrangThai', p.status.code) +
        leaf('bh', 'TenTrangThai', p.status.name) +
        wrap(
          'bh',
          'TheBHYT',
          leaf('bh', 'SoThe', card.number) +
            leaf('bh', 'GiaTriTu', day(card.validFrom)) +
            leaf('bh', 'GiaTriDen', day(card.validTo)) +
            codeName('NoiDKKCB', card.clinic),
        ) +
        wrap(
          'bh',
          'QuaTrinh',
          p.periods
            .map((g) =>
              wrap(
                'bh',
                'GiaiDoan',
                leaf('bh', 'TuThang', g.from.replace('-', '')) +
                  opt('DenThang', g.to?.replace('-', '')) +
                  (g.employer ? codeName('DonVi', g.employer) : '') +
                  g.schemes.map((s) => leaf('bh', 'LoaiBaoHiem', s)).join(''),
              ),
            )
            .join(''),
        ),
    )
  }
  return `<bh:TraCuuQuaTrinhThamGiaResponse xmlns:bh="${BH}">${leaf('bh', 'MaYeuCau', requestId)}${result}${info}</bh:TraCuuQuaTrinhThamGiaResponse>`
}
