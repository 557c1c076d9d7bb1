import { hashLabel, mulberry32 } from '../../random.js'

/** How a seeded file is signed: the cases the hub's verifier must tell apart. */
export type SeedSignatureKind = 'valid' | 'tampered' | 'expired' | 'untrusted' | 'unsigned'

/** One result document of the seeded national warehouse (one file each). */
export interface SeedDocument {
  readonly ownerIndex: number
  readonly index: number
  readonly ownerId: string
  readonly ownerName: string
  /** `MaKetQua`. */
  readonly resultCode: string
  /** `MaGiayTo`. */
  readonly documentCode: string
  readonly title: string
  /** `SoKyHieu`. */
  readonly number: string
  /** `CoQuanChuQuan`. */
  readonly custodian: string
  /** `NgayBanHanh` as `YYYY-MM-DD`. */
  readonly issuedOn: string
  /** `ThoiHanHieuLuc` as `YYYY-MM-DD`, null when permanent. */
  readonly validUntil: string | null
  readonly permanent: boolean
  readonly signer: string
  readonly signature: SeedSignatureKind
  /** `DuongDan`: opaque to the hub; encodes owner and document index for the sandbox. */
  readonly path: string
  readonly fileName: string
}

/** The kinds of results the seed draws from: result code, document code, title, validity in years (0 = permanent). */
export const SEED_RESULT_KINDS = [
  { resultCode: 'KQ.G15.000031', documentCode: 'GT.KS.001', title: 'Giấy khai sinh (bản sao điện tử)', years: 0 },
  { resultCode: 'KQ.G15.000044', documentCode: 'GT.KH.002', title: 'Giấy chứng nhận kết hôn', years: 0 },
  { resultCode: 'KQ.G09.000112', documentCode: 'GT.DD.010', title: 'Giấy chứng nhận quyền sử dụng đất', years: 0 },
  { resultCode: 'KQ.G01.000203', documentCode: 'GT.DN.020', title: 'Giấy chứng nhận đăng ký doanh nghiệp', years: 0 },
  { resultCode: 'KQ.G12.000318', documentCode: 'GT.XD.031', title: 'Giấy phép xây dựng', years: 2 },
  { resultCode: 'KQ.G17.000420', documentCode: 'GT.LX.040', title: 'Giấy phép lái xe', years: 10 },
  { resultCode: 'KQ.G05.000511', documentCode: 'GT.LLTP.050', title: 'Phiếu lý lịch tư pháp', years: 1 },
  { resultCode: 'KQ.G13.000602', documentCode: 'GT.HN.060', title: 'Giấy xác nhận tình trạng hôn nhân', years: 1 },
  { resultCode: 'KQ.G20.000707', documentCode: 'GT.YT.070', title: 'Giấy chứng nhận đủ điều kiện an toàn thực phẩm', years: 3 },
  { resultCode: 'KQ.G11.000815', documentCode: 'GT.GD.080', title: 'Bằng tốt nghiệp trung học phổ thông', years: 0 },
] as const

const CUSTODIANS = ['000.00.00.H56', '000.00.01.H56', '000.00.12.H56', '000.00.00.G15', '000.00.00.G09']
const PROVINCES = ['056', '001', '079', '038', '048']
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Võ', 'Đặng', 'Bùi']
const GIVEN = ['An', 'Bình', 'Chi', 'Dũng', 'Giang', 'Hà', 'Khánh', 'Lan', 'Minh', 'Ngọc', 'Phúc', 'Quân']

/** Shares of the signature cases (the rest is `valid`). */
const SIGNATURE_SHARES: ReadonlyArray<[SeedSignatureKind, number]> = [
  ['tampered', 0.02],
  ['expired', 0.02],
  ['untrusted', 0.02],
  ['unsigned', 0.02],
]

const pad = (n: number, w: number) => String(n).padStart(w, '0')
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const DAY = 86_400_000

/** Fictional CCCD of seeded owner `i`: province + gender/century + birth year + a 6-digit serial (unique per i). */
export function seedOwnerId(seed: number, i: number): string {
  const r = mulberry32(seed ^ hashLabel(`owner-${i}`))
  const province = PROVINCES[Math.floor(r() * PROVINCES.length)]!
  const gender = Math.floor(r() * 4) // 0-3: 1900s and 2000s, male/female
  const year = gender < 2 ? 50 + Math.floor(r() * 50) : Math.floor(r() * 8)
  return `${province}${gender}${pad(year, 2)}${pad(i, 6)}`
}

/** Number of documents of owner `i`: 4, 5 or 6 in a fixed pattern (mean exactly 5). */
export function seedDocumentCount(i: number): number {
  const m = i % 4
  return m === 0 ? 4 : m === 1 ? 6 : 5
}

/** Parses a seeded `DuongDan` back to its owner and document index. */
export function parseSeedPath(path: string): { ownerIndex: number; index: number } | undefined {
  const m = /^kho\/kq\/(\d+)\/(\d+)-[0-9a-f]{8}\.pdf$/.exec(path)
  return m ? { ownerIndex: Number(m[1]), index: Number(m[2]) } : undefined
}

/** The seeded documents of owner `i`: a pure function of (seed, i, reference time). */
export function seedDocuments(seed: number, i: number, referenceMs: number): SeedDocument[] {
  const ownerId = seedOwnerId(seed, i)
  const r = mulberry32(seed ^ hashLabel(`docs-${i}`))
  const ownerName = `${FAMILY[Math.floor(r() * FAMILY.length)]} Văn ${GIVEN[Math.floor(r() * GIVEN.length)]}`
  const out: SeedDocument[] = []
  const n = seedDocumentCount(i)
  for (let k = 0; k < n; k++) {
    const kind = SEED_RESULT_KINDS[Math.floor(r() * SEED_RESULT_KINDS.length)]!
    const issuedMs = referenceMs - Math.floor(r() * 8 * 365) * DAY
    const permanent = kind.years === 0
    let signature: SeedSignatureKind = 'valid'
    let x = r()
    for (const [s, share] of SIGNATURE_SHARES) {
      if (x < share) {
        signature = s
        break
      }
      x -= share
    }
    const tag = (hashLabel(`${seed}/${i}/${k}`) >>> 0).toString(16).padStart(8, '0')
    out.push({
      ownerIndex: i,
      index: k,
      ownerId,
      ownerName,
      resultCode: kind.resultCode,
      documentCode: kind.documentCode,
      title: kind.title,
      number: `${pad(1 + Math.floor(r() * 9999), 4)}/${new Date(issuedMs).getUTCFullYear()}/KQ`,
      custodian: CUSTODIANS[Math.floor(r() * CUSTODIANS.length)]!,
      issuedOn: isoDay(issuedMs),
      validUntil: permanent ? null : isoDay(issuedMs + kind.years * 365 * DAY),
      permanent,
      signer: `${FAMILY[Math.floor(r() * FAMILY.length)]} Thị ${GIVEN[Math.floor(r() * GIVEN.length)]}`,
      signature,
      path: `kho/kq/${i}/${k}-${tag}.pdf`,
      fileName: `${kind.documentCode.toLowerCase().replace(/\./g, '-')}-${k}.pdf`,
    })
  }
  return out
}
