import { hashLabel, mulberry32 } from '../random.js'

/**
 * Seeded, deterministic people and enterprises shared by the lookup simulators
 * (population, BHXH, civil status, business registry, tax): the same seed gives the
 * same data, so tests can pick subjects by index. All identifiers are valid by the
 * national rules (NATIONAL-ENDPOINTS §5: CCCD structure, MST check digit) and invented.
 * The shapes and code tables here are the sandbox's own reading of the national
 * formats, not the hub's types: a mistake shared with the hub must not pass both sides.
 */
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý']
const MIDDLE_M = ['Văn', 'Hữu', 'Đức', 'Minh', 'Quang', 'Thành']
const MIDDLE_F = ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Kim', 'Mai']
const GIVEN_M = ['An', 'Bình', 'Cường', 'Dũng', 'Hải', 'Hùng', 'Khánh', 'Long', 'Nam', 'Phúc', 'Quân', 'Sơn', 'Tuấn', 'Việt']
const GIVEN_F = ['Anh', 'Chi', 'Dung', 'Hà', 'Hạnh', 'Hoa', 'Lan', 'Linh', 'Ngọc', 'Nhung', 'Phương', 'Thảo', 'Trang', 'Yến']
const PROVINCES = [
  ['001', '01', 'Hà Nội'],
  ['038', '38', 'Thanh Hóa'],
  ['079', '79', 'Hồ Chí Minh'],
  ['048', '48', 'Đà Nẵng'],
  ['031', '31', 'Hải Phòng'],
] as const
const COMPANY_WORDS = ['Phát Triển', 'Thương Mại', 'Xây Dựng', 'Công Nghệ', 'Nông Sản', 'Vận Tải', 'Du Lịch', 'Dịch Vụ']

/** A national code with its name (the register's code tables). */
export interface SeedCode {
  readonly code: string
  readonly name: string
}

/** Gender (GioiTinh), ethnicity (DanToc, GSO list), religion (TonGiao), nationality (QuocTich): the codes the seed uses. */
const GENDER: Record<string, string> = { '1': 'Nam', '2': 'Nữ' }
const ETHNICITY: Record<string, string> = { '01': 'Kinh', '02': 'Tày' }
const RELIGION: Record<string, string> = { '00': 'Không' }
const NATIONALITY: Record<string, string> = { VN: 'Việt Nam' }
const coded = (table: Record<string, string>, code: string): SeedCode => ({ code, name: table[code]! })

/** An address block (NoiDangKyKhaiSinh, QueQuan, ThuongTru, NoiOHienTai). */
export interface SeedAddress {
  readonly provinceCode: string
  readonly districtCode: string
  readonly wardCode: string
  readonly detail: string
  readonly country: string
}

/** A relative (Cha, Me, VoChong). */
export interface SeedRelative {
  readonly fullName: string
  readonly idNumber?: string
  readonly nationality?: SeedCode
}

/** One registered citizen (a `CongDan` of the population database). */
export interface SeedCitizen {
  readonly idNumber: string
  readonly oldIdNumber?: string
  readonly fullName: string
  /** Ho, ChuDem, Ten: absent when the register keeps the whole name in Ten. */
  readonly familyName?: string
  readonly middleName?: string
  readonly givenName?: string
  readonly gender: SeedCode
  readonly ethnicity: SeedCode
  readonly religion: SeedCode
  readonly nationality: SeedCode
  /** The year always; `date` (`YYYY-MM-DD`) when the register has the full date. */
  readonly birthDate: { readonly year: number; readonly date?: string }
  readonly father?: SeedRelative
  readonly mother?: SeedRelative
  readonly spouse?: SeedRelative
  readonly birthRegistrationPlace?: SeedAddress
  readonly hometown?: SeedAddress
  readonly permanentAddress?: SeedAddress
  readonly currentAddress?: SeedAddress
  readonly householdHead?: { readonly relation: string; readonly fullName: string; readonly idNumber: string }
  readonly householdBookNumber?: string
}

/** One BHXH participation record (docs/contracts/bhxh.md). */
export interface SeedInsurance {
  readonly bhxhNumber: string
  readonly idNumber: string
  readonly fullName: string
  /** `YYYY-MM-DD`, or only `birthYear` when the register has the year alone. */
  readonly birthDate?: string
  readonly birthYear?: number
  /** `1` Nam, `2` Nữ. */
  readonly gender: string
  /** TrangThai / TenTrangThai. */
  readonly status: { readonly code: string; readonly name: string }
  readonly healthCard: {
    readonly number: string
    readonly validFrom: string
    readonly validTo: string
    readonly clinic: { readonly code: string; readonly name: string }
  }
  /** Months as `YYYY-MM`. */
  readonly periods: readonly {
    readonly from: string
    readonly to?: string
    readonly employer?: { readonly code: string; readonly name: string }
    readonly schemes: readonly string[]
  }[]
}

/** The MST check digit (NATIONAL-ENDPOINTS §5): 10 − (Σ Nᵢ·Wᵢ mod 11); 10 means no valid MST starts with these nine digits. */
export function taxCodeCheckDigit(firstNine: string): number {
  const weights = [31, 29, 23, 19, 17, 13, 7, 5, 3]
  const sum = weights.reduce((acc, w, i) => acc + w * Number(firstNine[i]), 0)
  return 10 - (sum % 11)
}

export interface SeedPerson {
  citizen: SeedCitizen
  /** 10-digit BHXH number. */
  bhxhNumber: string
  /** `full`: every field split; `ten-only`: the whole name in Ten; `sparse`: optional blocks missing, year-only birth. */
  shape: 'full' | 'ten-only' | 'sparse'
  insurance?: SeedInsurance
}

export interface SeedBusiness {
  taxCode: string
  name: string
  statusCode: string
  taxStatusCode: string
  foundedOn: string
  provinceCode: string
  provinceName: string
  representative: { fullName: string; idNumber: string; birthDate: string }
}

export interface LookupSeed {
  people: SeedPerson[]
  byId: Map<string, SeedPerson>
  byBhxh: Map<string, SeedPerson>
  businesses: SeedBusiness[]
  byTaxCode: Map<string, SeedBusiness>
}

const pad = (n: number, w: number) => String(n).padStart(w, '0')

export function buildLookupSeed(seed: number, count = 60): LookupSeed {
  const rng = mulberry32(seed ^ hashLabel('lookups'))
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T
  const int = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1))
  const people: SeedPerson[] = []
  for (let i = 0; i < count; i++) {
    const female = rng() < 0.5
    const year = int(1950, 2012)
    const [pcode, , pname] = pick(PROVINCES)
    const centuryDigit = (year >= 2000 ? 2 : 0) + (female ? 1 : 0)
    const idNumber = `${pcode}${centuryDigit}${pad(year % 100, 2)}${pad(int(0, 999_999), 6)}`
    const familyName = pick(FAMILY)
    const middleName = pick(female ? MIDDLE_F : MIDDLE_M)
    const givenName = pick(female ? GIVEN_F : GIVEN_M)
    const fullName = `${familyName} ${middleName} ${givenName}`
    const date = `${year}-${pad(int(1, 12), 2)}-${pad(int(1, 28), 2)}`
    const shape: SeedPerson['shape'] = i % 5 === 1 ? 'ten-only' : i % 5 === 3 ? 'sparse' : 'full'
    const father = {
      fullName: `${familyName} ${pick(MIDDLE_M)} ${pick(GIVEN_M)}`,
      idNumber: `${pcode}0${pad(int(40, 89), 2)}${pad(int(0, 999_999), 6)}`,
      nationality: coded(NATIONALITY, 'VN'),
    }
    const mother = {
      fullName: `${pick(FAMILY)} ${pick(MIDDLE_F)} ${pick(GIVEN_F)}`,
      idNumber: `${pcode}1${pad(int(40, 89), 2)}${pad(int(0, 999_999), 6)}`,
      nationality: coded(NATIONALITY, 'VN'),
    }
    const address = {
      provinceCode: pcode.slice(1),
      districtCode: pad(int(1, 30), 3),
      wardCode: pad(int(1, 30000), 5),
      detail: `Số ${int(1, 200)} đường ${pick(GIVEN_M)}, ${pname}`,
      country: 'VN',
    }
    const base: SeedCitizen = {
      idNumber,
      fullName,
      ...(shape === 'ten-only' ? {} : { familyName, middleName, givenName }),
      gender: coded(GENDER, female ? '2' : '1'),
      ethnicity: coded(ETHNICITY, i % 7 === 0 ? '02' : '01'),
      religion: coded(RELIGION, '00'),
      nationality: coded(NATIONALITY, 'VN'),
      birthDate: shape === 'sparse' ? { year } : { year, date },
    }
    const citizen: SeedCitizen =
      shape === 'sparse'
        ? base
        : {
            ...base,
            ...(year < 1990 ? { oldIdNumber: pad(int(10_000_000, 399_999_999), 9) } : {}),
            father,
            mother,
            birthRegistrationPlace: address,
            hometown: address,
            permanentAddress: address,
            currentAddress: address,
            ...(year < 1995 && i % 2 === 0
              ? { spouse: { fullName: `${pick(FAMILY)} ${pick(female ? MIDDLE_M : MIDDLE_F)} ${pick(female ? GIVEN_M : GIVEN_F)}` } }
              : {}),
            householdHead: { relation: 'Chủ hộ', fullName, idNumber },
            householdBookNumber: pad(int(1, 99_999_999), 9),
          }
    const bhxhNumber = `${pcode.slice(1)}${pad(int(0, 99_999_999), 8)}`
    const insured = year <= 2004 && i % 4 !== 2
    const insurance: SeedInsurance | undefined = insured
      ? {
          bhxhNumber,
          idNumber,
          fullName,
          ...(shape === 'sparse' ? { birthYear: year } : { birthDate: date }),
          gender: female ? '2' : '1',
          status: i % 6 === 0 ? { code: '3', name: 'Dừng tham gia' } : { code: '1', name: 'Đang tham gia' },
          healthCard: {
            number: `DN4${pcode.slice(1)}${bhxhNumber}`,
            validFrom: '2025-01-01',
            validTo: '2025-12-31',
            clinic: { code: `${pcode.slice(1)}001`, name: `Bệnh viện đa khoa ${pname}` },
          },
          periods: [
            {
              from: `${Math.max(year + 20, 2008)}-01`,
              employer: { code: `TA${pad(int(1000, 9999), 4)}`, name: 'Công ty TNHH Sandbox' },
              schemes: ['BHXH', 'BHYT', 'BHTN'],
            },
          ],
        }
      : undefined
    people.push({ citizen, bhxhNumber, shape, ...(insurance ? { insurance } : {}) })
  }
  const businesses: SeedBusiness[] = []
  while (businesses.length < 30) {
    const [, mstProvince, pname] = pick(PROVINCES)
    const nine = `${mstProvince}${pad(int(1, 9_999_999), 7)}`
    const check = taxCodeCheckDigit(nine)
    if (check === 10) continue
    const n = businesses.length
    const owner = people[n % people.length]!.citizen
    businesses.push({
      taxCode: `${nine}${check}`,
      name: `CÔNG TY TNHH ${pick(COMPANY_WORDS).toUpperCase()} ${pick(GIVEN_M).toUpperCase()} ${pname.toUpperCase()}`,
      statusCode: n % 7 === 3 ? '2' : n % 11 === 5 ? '4' : '1',
      taxStatusCode: n % 7 === 3 ? '05' : n % 11 === 5 ? '01' : '00',
      foundedOn: `${int(1995, 2023)}-${pad(int(1, 12), 2)}-${pad(int(1, 28), 2)}`,
      provinceCode: mstProvince,
      provinceName: pname,
      representative: { fullName: owner.fullName, idNumber: owner.idNumber, birthDate: owner.birthDate.date ?? `${owner.birthDate.year}-01-01` },
    })
  }
  return {
    people,
    byId: new Map(people.map((p) => [p.citizen.idNumber, p])),
    byBhxh: new Map(people.map((p) => [p.bhxhNumber, p])),
    businesses,
    byTaxCode: new Map(businesses.map((b) => [b.taxCode, b])),
  }
}

/** `YYYY-MM-DD` → `dd/MM/yyyy` (the registries' favourite wire format). */
export const vnDate = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`
