/**
 * Code tables of the population database, translated for the normalized API.
 * Unknown codes are kept with `name: undefined`: the code itself is the truth,
 * the name only a convenience.
 */

/** A national code with its Vietnamese name when the hub knows it. */
export interface CodedValue {
  readonly code: string
  readonly name: string | undefined
}

/**
 * Gender (GioiTinh). 1 and 2 are certain; 0 and 3 both appear in integrations for
 * "no information" (the real XSDs do not define the element, so this is not confirmed).
 */
export const GENDERS: Readonly<Record<string, string>> = Object.freeze({
  '0': 'Chưa có thông tin',
  '1': 'Nam',
  '2': 'Nữ',
  '3': 'Chưa có thông tin',
})

/**
 * The 54 ethnic groups with their official codes (General Statistics Office list,
 * Decision 121-TCTK/PPCĐ of 1979), plus 55 for foreign-born persons.
 */
export const ETHNIC_GROUPS: Readonly<Record<string, string>> = Object.freeze({
  '01': 'Kinh',
  '02': 'Tày',
  '03': 'Thái',
  '04': 'Hoa',
  '05': 'Khơ-me',
  '06': 'Mường',
  '07': 'Nùng',
  '08': 'HMông',
  '09': 'Dao',
  '10': 'Gia-rai',
  '11': 'Ngái',
  '12': 'Ê-đê',
  '13': 'Ba-na',
  '14': 'Xơ-đăng',
  '15': 'Sán Chay',
  '16': 'Cơ-ho',
  '17': 'Chăm',
  '18': 'Sán Dìu',
  '19': 'Hrê',
  '20': 'Mnông',
  '21': 'Ra-glai',
  '22': 'Xtiêng',
  '23': 'Bru-Vân Kiều',
  '24': 'Thổ',
  '25': 'Giáy',
  '26': 'Cơ-tu',
  '27': 'Gié-Triêng',
  '28': 'Mạ',
  '29': 'Khơ-mú',
  '30': 'Co',
  '31': 'Tà-ôi',
  '32': 'Chơ-ro',
  '33': 'Kháng',
  '34': 'Xinh-mun',
  '35': 'Hà Nhì',
  '36': 'Chu-ru',
  '37': 'Lào',
  '38': 'La Chí',
  '39': 'La Ha',
  '40': 'Phù Lá',
  '41': 'La Hủ',
  '42': 'Lự',
  '43': 'Lô Lô',
  '44': 'Chứt',
  '45': 'Mảng',
  '46': 'Pà Thẻn',
  '47': 'Cơ Lao',
  '48': 'Cống',
  '49': 'Bố Y',
  '50': 'Si La',
  '51': 'Pu Péo',
  '52': 'Brâu',
  '53': 'Ơ Đu',
  '54': 'Rơ-măm',
  '55': 'Người nước ngoài',
})

/** Common religions (TonGiao). Codes as seen in integrations; not an official full list. */
export const RELIGIONS: Readonly<Record<string, string>> = Object.freeze({
  '00': 'Không',
  '01': 'Phật giáo',
  '02': 'Công giáo',
  '03': 'Tin lành',
  '04': 'Cao Đài',
  '05': 'Phật giáo Hòa Hảo',
  '06': 'Hồi giáo',
  '07': "Baha'i",
  '08': 'Tịnh độ Cư sĩ Phật hội Việt Nam',
  '09': 'Minh Sư Đạo',
  '10': 'Minh Lý Đạo - Tam Tông Miếu',
  '11': 'Đạo Tứ Ân Hiếu Nghĩa',
  '12': 'Bửu Sơn Kỳ Hương',
  '13': 'Bà-la-môn',
})

/** Blood groups (NhomMau): numeric codes and the letter forms both seen on the wire. */
export const BLOOD_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '0': 'Chưa có thông tin',
  '1': 'A',
  '2': 'B',
  '3': 'AB',
  '4': 'O',
  A: 'A',
  B: 'B',
  AB: 'AB',
  O: 'O',
})

/** Marital status (TinhTrangHonNhan). */
export const MARITAL_STATUSES: Readonly<Record<string, string>> = Object.freeze({
  '0': 'Chưa có thông tin',
  '1': 'Chưa kết hôn',
  '2': 'Đã kết hôn',
  '3': 'Đã ly hôn',
  '4': 'Góa',
})

/** Nationalities (QuocTich, ISO 3166-1 alpha-2); only the frequent ones are named. */
export const NATIONALITIES: Readonly<Record<string, string>> = Object.freeze({
  VN: 'Việt Nam',
  LA: 'Lào',
  KH: 'Campuchia',
  CN: 'Trung Quốc',
  KR: 'Hàn Quốc',
  JP: 'Nhật Bản',
  TW: 'Đài Loan',
  US: 'Hoa Kỳ',
  FR: 'Pháp',
})

/** Looks `code` up in `table`, zero-padding numeric codes to the table's width (e.g. "1" → "01"). */
export function lookupCode(table: Readonly<Record<string, string>>, code: string): CodedValue {
  const direct = table[code]
  if (direct !== undefined) return { code, name: direct }
  if (/^\d$/.test(code)) {
    const padded = table[`0${code}`]
    if (padded !== undefined) return { code: `0${code}`, name: padded }
  }
  return { code, name: undefined }
}
