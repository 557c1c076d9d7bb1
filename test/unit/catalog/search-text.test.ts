import { describe, expect, it } from 'vitest'
import { escapeLike, foldVietnamese, searchPattern, searchTokens } from '../../../src/services/catalog/search-text.js'

describe('foldVietnamese', () => {
  it.each([
    ['Giấy phép xây dựng', 'giay phep xay dung'],
    ['ĐĂNG KÝ', 'dang ky'],
    ['  Đăng   ký\tkhai\nsinh ', 'dang ky khai sinh'],
    ['Ủy ban nhân dân tỉnh', 'uy ban nhan dan tinh'],
    ['Thương binh, Xã hội; Lưu thông hàng hóa', 'thuong binh, xa hoi; luu thong hang hoa'],
    ['giay phep xay dung', 'giay phep xay dung'],
  ])('%s → %s', (input, folded) => {
    expect(foldVietnamese(input)).toBe(folded)
  })

  it('folds composed (NFC) and decomposed (NFD) input alike', () => {
    const s = 'Cấp đổi Giấy chứng nhận quyền sử dụng đất'
    expect(foldVietnamese(s.normalize('NFD'))).toBe(foldVietnamese(s.normalize('NFC')))
    expect(foldVietnamese(s)).toBe('cap doi giay chung nhan quyen su dung dat')
  })
})

describe('searchTokens', () => {
  it('splits folded text on non-alphanumerics, dropping repeats', () => {
    expect(searchTokens('Cấp giấy phép (xây dựng), GPXD — giấy phép 2024')).toEqual(['cap', 'giay', 'phep', 'xay', 'dung', 'gpxd', '2024'])
    expect(searchTokens('  ,;  ')).toEqual([])
  })
})

describe('searchPattern', () => {
  it('builds an in-order LIKE pattern from the query tokens', () => {
    expect(searchPattern('Giấy phép xây-dựng')).toBe('%giay%phep%xay%dung%')
    expect(searchPattern('giay phep xay dung')).toBe('%giay%phep%xay%dung%')
    expect(searchPattern('')).toBe('%')
  })

  it('escapes LIKE metacharacters', () => {
    expect(escapeLike('50%_a\\b')).toBe('50\\%\\_a\\\\b')
  })
})
