/**
 * The seeded DVCQG sandbox catalog: ≥ 2,000 procedures as national wire records
 * (`LayThuTuc` shape, NATIONAL-ENDPOINTS §1.4), plus the list, agency and field
 * catalogs, and mutations (amend, add, withdraw) that report exactly what a sync
 * should then see. Deterministic: same seed and same calls → same records, byte for byte.
 */
import { createHash } from 'node:crypto'
import { Rng, mixSeed } from '../../random.js'
import type {
  AmendWhat,
  CatalogAmendment,
  CatalogFieldChange,
  CoQuanRow,
  DanhSachTTHCRow,
  ExpectedCatalogChange,
  LayThuTucRecord,
  LinhVucRow,
  WireCachThuc,
  WireCanCu,
  WireDonVi,
  WireKetQua,
} from './wire.js'
import {
  CASE_NAMES,
  COMMON_DOCUMENTS,
  COMMUNES,
  DISTRICTS,
  FEE_AMOUNTS,
  FEE_DESCRIPTIONS,
  FIELDS,
  GENERAL_LAWS,
  LEVEL_NAMES,
  LEVEL_SUFFIX,
  PROVINCE,
  PROVINCE_DEPARTMENTS,
  SCOPE_QUALIFIERS,
  STEP_TEMPLATES,
  SUBJECTS,
  type FieldVocabulary,
  type LegalDoc,
} from './vocabulary.js'

export type * from './wire.js'

import { buildAgencies, communeAgency, departmentAgency, districtAgency, ministryAgency, pad } from './agencies.js'

// ---- procedure generation ----

interface GenContext {
  /** Result codes generated so far, for MA_KQ_THAYTHE references. */
  resultPool: string[]
  /** Codes generated so far per field, for TTHCLIENQUAN. */
  byField: Map<string, string[]>
}

const CHANNEL_NAME: Record<string, string> = { '1': 'in-person', '2': 'online', '3': 'postal' }
const FILE_BASE = 'https://tailieu.sandbox-dvcqg.invalid'

function formatDate(d: string, iso: boolean): string {
  if (!iso) return d
  const [dd, mm, yyyy] = d.split('/')
  return `${yyyy}-${mm}-${dd}T00:00:00`
}

function documentCode(rng: Rng, index: number, k: number): string {
  const style = rng.int(20)
  if (style < 12) return `GT${pad(index * 16 + k, 7)}`
  if (style < 17) return `TPHS.${pad(index, 6)}.${pad(k, 2)}`
  return `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`
}

function legalBasis(rng: Rng, doc: LegalDoc): WireCanCu {
  const iso = rng.chance(0.1)
  return {
    SOVANBAN: doc.number,
    TENVANBAN: doc.name,
    COQUANBANHANH: doc.issuer,
    NGAYBANHANH: formatDate(doc.issuedOn, iso),
    NGAYHIEULUC: formatDate(doc.effectiveOn, iso),
    DIACHITRUYCAP: rng.chance(0.6) ? `https://vanban.sandbox-dvcqg.invalid/${encodeURIComponent(doc.number)}` : '',
  }
}

function generateProcedure(seed: number, index: number, code: string, ctx: GenContext): LayThuTucRecord {
  const rng = new Rng(mixSeed(seed, 'procedure', index))
  const field: FieldVocabulary = rng.pick(FIELDS)
  const levels = rng.sample(field.levels, rng.chance(0.7) ? 1 : 2).sort()
  const mainLevel = levels[0] ?? '1'
  const stem = rng.pick(field.stems)
  const name = `${stem}${rng.pick(SCOPE_QUALIFIERS)}${levels.length === 1 ? (LEVEL_SUFFIX[mainLevel] ?? '') : ''}`
  const central = mainLevel === '0'
  const ministry = field.ministry

  // cases share their names between steps and components, as on the portal
  const caseCount = rng.chance(0.5) ? 1 : rng.chance(0.7) ? 2 : 3
  const caseNames = caseCount === 1 ? ['Trường hợp chung'] : rng.sample(CASE_NAMES, caseCount)

  const docNames = [...field.documents, ...COMMON_DOCUMENTS]
  const docCodes = new Map<string, string>()
  const codeFor = (docName: string): string => {
    let c = docCodes.get(docName)
    if (c === undefined) {
      c = documentCode(rng, index, docCodes.size + 1)
      docCodes.set(docName, c)
    }
    return c
  }

  const results: WireKetQua[] = rng.sample(field.results, rng.chance(0.75) ? 1 : 2).map((resultName, k) => ({
    MAKETQUA: `KQ.${ministry.code}.${pad(index * 4 + k + 1, 6)}`,
    TENKETQUA: resultName,
    TENTEP: rng.chance(0.3) ? `${resultName.split(' ').slice(0, 3).join('_')}.pdf` : '',
    URL: rng.chance(0.2) ? `${FILE_BASE}/ketqua/${index}-${k + 1}.pdf` : '',
  }))

  const components = caseNames.map((caseName) => ({
    TRUONGHOP: caseName,
    GIAYTO: rng.sample(docNames, rng.between(2, 6)).map((docName) => {
      const form = /^(Đơn|Tờ khai|Giấy đề nghị|Văn bản đề nghị)/.test(docName)
      const docCode = codeFor(docName)
      return {
        MAGIAYTO: docCode,
        MA_KQ_THAYTHE: ctx.resultPool.length > 0 && rng.chance(0.15) ? rng.pick(ctx.resultPool) : '',
        SOBANCHINH: rng.chance(0.1) ? 1 : rng.chance(0.7) ? '1' : '0',
        SOBANSAO: rng.pick(['0', '0', '1', '2']),
        TENGIAYTO: docName,
        TENMAUDON: form ? `Mẫu số ${pad(rng.between(1, 12), 2)}` : '',
        URL: form && rng.chance(0.5) ? `${FILE_BASE}/mau/${encodeURIComponent(docCode)}.docx` : '',
      }
    }),
  }))

  // fees: the same fee codes on every channel; online sometimes discounted
  const free = rng.chance(0.3)
  const feeCount = free ? 1 : rng.between(1, 2)
  const fees = Array.from({ length: feeCount }, (_, k) => ({
    code: `LP.${pad(index, 6)}.${k + 1}`,
    amount: free ? 0 : rng.pick(FEE_AMOUNTS),
    description: free ? 'Miễn phí' : rng.pick(FEE_DESCRIPTIONS),
  }))
  const days = rng.pick([1, 3, 5, 7, 10, 15, 20, 30])
  const unit = rng.chance(0.8) ? 'Ngày làm việc' : 'Ngày'
  const kenhs = ['1', ...(rng.chance(0.8) ? ['2'] : []), ...(rng.chance(0.5) ? ['3'] : [])]
  const discount = rng.chance(0.3)
  const channels: WireCachThuc[] = kenhs.map((kenh) => ({
    KENH: rng.chance(0.2) ? Number(kenh) : kenh,
    THOIGIAN: [
      {
        THOIGIANGIAIQUYET: rng.chance(0.2) ? days : String(days),
        DONVITINH: unit,
        MOTA: rng.chance(0.6) ? 'Kể từ ngày nhận đủ hồ sơ hợp lệ' : '',
        PHILEPHI: fees.map((f) => ({
          MAPHILEPHI: f.code,
          SOTIEN: String(kenh === '2' && discount ? f.amount / 2 : f.amount),
          DONVI: 'Đồng',
          MOTA: kenh === '2' && discount && f.amount > 0 ? `${f.description} (giảm 50% khi nộp trực tuyến)` : f.description,
        })),
      },
    ],
  }))

  const implementing: WireDonVi[] = levels.map((level) => {
    if (level === '0') return { MADONVI: ministryAgency(ministry.code), TENDONVI: ministry.name }
    if (level === '1') return { MADONVI: departmentAgency(field.department), TENDONVI: PROVINCE_DEPARTMENTS[field.department] ?? '' }
    const d = rng.int(DISTRICTS.length)
    if (level === '2') return { MADONVI: districtAgency(d), TENDONVI: `Ủy ban nhân dân ${DISTRICTS[d] ?? ''}` }
    const c = rng.int(COMMUNES.length)
    return { MADONVI: communeAgency(d, c), TENDONVI: `Ủy ban nhân dân ${COMMUNES[c] ?? ''}, ${DISTRICTS[d] ?? ''}` }
  })
  const competent: WireDonVi[] = central
    ? [{ MADONVI: ministryAgency(ministry.code), TENDONVI: ministry.name }]
    : [{ MADONVI: `000.00.00.${PROVINCE.code}`, TENDONVI: PROVINCE.name }]
  const coordinatingIdx = rng.int(PROVINCE_DEPARTMENTS.length)
  const coordinating: WireDonVi[] =
    rng.chance(0.3) && coordinatingIdx !== field.department
      ? [{ MADONVI: departmentAgency(coordinatingIdx), TENDONVI: PROVINCE_DEPARTMENTS[coordinatingIdx] ?? '' }]
      : []
  const authorized: WireDonVi[] = !central && rng.chance(0.1) ? [{ MADONVI: departmentAgency(12), TENDONVI: PROVINCE_DEPARTMENTS[12] ?? '' }] : []

  const sameField = ctx.byField.get(field.code) ?? []
  const related = sameField.length > 0 ? rng.sample(sameField.slice(-20), rng.int(3)) : []
  const linked = sameField.length > 0 && rng.chance(0.1) ? [rng.pick(sameField)] : []

  const decisionNo = rng.between(100, 4999)
  const decisionYear = rng.between(2019, 2025)
  const subjects = rng.sample(SUBJECTS, rng.between(1, 3)).sort((a, b) => a.code.localeCompare(b.code))
  const laws = [...rng.sample(field.laws, rng.between(1, field.laws.length)), ...(rng.chance(0.5) ? [rng.pick(GENERAL_LAWS)] : [])]

  const record: LayThuTucRecord = {
    ID: String(100000 + index),
    MaTTHC: code,
    TENTTHC: name,
    MACOQUANCONGBO: central ? ministryAgency(ministry.code) : `000.00.00.${PROVINCE.code}`,
    LOAITTHC: rng.chance(0.85) ? '1' : '2',
    MOTADOITUONGTHUCHIEN: subjects.map((s) => s.name).join(', '),
    DIACHITIEPNHAN: central ? `Trụ sở ${ministry.name}` : `Bộ phận Một cửa, ${implementing[0]?.TENDONVI ?? PROVINCE.name}`,
    QUYETDINH: `Quyết định số ${decisionNo}/QĐ-${central ? ministry.abbr : 'UBND'} năm ${decisionYear}`,
    YEUCAU: rng.chance(0.6) ? 'Không' : 'Hồ sơ phải được lập thành 01 bộ, có đầy đủ chữ ký của người đề nghị',
    TUKHOA: [field.name, ...results.map((r) => r.TENKETQUA)].map((k) => k.toLowerCase()).join(', '),
    IDQUYETDINHCONGBO: String(50000 + decisionNo * 10 + (decisionYear % 10)),
    TRANGTHAI: '1',
    TRINHTUTHUCHIEN: caseNames.map((caseName) => ({
      TRUONGHOP: caseName,
      TRINHTU: STEP_TEMPLATES.slice(0, rng.between(3, STEP_TEMPLATES.length)).map((s) => ({ TENTRINHTU: s })),
    })),
    CAPTHUCHIEN: levels.map((l) => ({ CAPTHUCHIEN: l, TENCAP: LEVEL_NAMES[l] ?? '' })),
    LINHVUCTHUCHIEN: [{ MALINHVUC: field.code, TENLINHVUC: field.name }],
    CACHTHUCTHUCHIEN: channels,
    DOITUONGTHUCHIEN: subjects.map((s) => ({ MADOITUONG: s.code, TENDOITUONG: s.name })),
    THANHPHANHOSO: components,
    KETQUATHUCHIEN: results,
    CANCUPHAPLY: laws.map((l) => legalBasis(rng, l)),
    COQUANTHUCHIEN: implementing.filter((a, i, all) => all.findIndex((b) => b.MADONVI === a.MADONVI) === i),
    COQUANCOTHAMQUYEN: competent,
    COQUANDUOCUYQUYEN: authorized,
    COQUANPHOIHOP: coordinating,
    TTHCLIENQUAN: related,
    TTHCLIENTHONG: linked,
  }
  ctx.resultPool.push(...results.map((r) => r.MAKETQUA))
  ctx.byField.set(field.code, [...sameField, code])
  return record
}

// ---- the catalog ----

/**
 * A seeded, mutable national catalog for the DVCQG simulator.
 *
 * Procedure codes are `1.00NNNN` / `2.00NNNN`. Each mutation returns what a sync must
 * then report, with field paths as `diffProcedures` writes them on the mapped records.
 */
export class SandboxCatalog {
  private readonly seed: number
  private readonly records = new Map<string, LayThuTucRecord>()
  private readonly withdrawn = new Set<string>()
  private readonly ctx: GenContext = { resultPool: [], byField: new Map() }
  private readonly counters: Record<'1' | '2', number> = { '1': 0, '2': 0 }
  private readonly codeRng: Rng
  private readonly agencyRows = buildAgencies()
  private nextIndex = 0
  private mutationSeq = 0

  constructor(seed: number, size = 2000) {
    this.seed = seed >>> 0
    this.codeRng = new Rng(mixSeed(this.seed, 'codes'))
    this.generate(size)
  }

  /** `LayDanhSachTTHC`: active procedures, by code. */
  list(): DanhSachTTHCRow[] {
    return [...this.records.values()]
      .filter((r) => !this.withdrawn.has(r.MaTTHC))
      .map((r) => ({ MATTHC: r.MaTTHC, TENTTHC: r.TENTTHC }))
      .sort((a, b) => (a.MATTHC < b.MATTHC ? -1 : a.MATTHC > b.MATTHC ? 1 : 0))
  }

  /** `LayThuTuc`: a copy of the record, or `undefined` when unknown or withdrawn (the portal's "not found"). */
  get(code: string): LayThuTucRecord | undefined {
    const r = this.records.get(code)
    return r && !this.withdrawn.has(code) ? structuredClone(r) : undefined
  }

  /** Number of active procedures. */
  get size(): number {
    return this.records.size - this.withdrawn.size
  }

  /** `LayDanhMucCoQuan` */
  agencies(): CoQuanRow[] {
    return this.agencyRows.map((r) => ({ ...r }))
  }

  /** `LayDanhMucLinhVuc` */
  fields(): LinhVucRow[] {
    return FIELDS.map((f) => ({ MALINHVUC: f.code, TENLINHVUC: f.name, MANGANH: f.ministry.code }))
  }

  /** SHA-256 over every active record, agency and field: equal digests, equal catalogs. */
  digest(): string {
    const h = createHash('sha256')
    for (const row of this.list()) h.update(JSON.stringify(this.records.get(row.MATTHC))).update('\n')
    h.update(JSON.stringify(this.agencyRows)).update(JSON.stringify(this.fields()))
    return h.digest('hex')
  }

  /**
   * Amend one procedure: one component's document code, one fee amount, one result
   * code (each unless turned off in `what`). Deterministic for a given seed and
   * mutation history.
   * @returns the field changes `diffProcedures(mapThuTuc(before), mapThuTuc(after))` reports.
   */
  amend(code: string, what: AmendWhat = {}): CatalogAmendment {
    const rec = this.records.get(code)
    if (!rec || this.withdrawn.has(code)) throw new Error(`sandbox catalog: no active procedure ${code}`)
    this.mutationSeq += 1
    const seq = this.mutationSeq
    const rng = new Rng(mixSeed(this.seed, 'amend', code, seq))
    const changes: CatalogFieldChange[] = []

    // in diff order: channels, then components, then results
    if (what.fee !== false) {
      const channel = rng.pick(rec.CACHTHUCTHUCHIEN)
      const duration = channel.THOIGIAN[0]
      const fee = duration ? rng.pick(duration.PHILEPHI) : undefined
      if (duration && fee) {
        const before = Number(fee.SOTIEN)
        const after = before + 5000 * rng.between(1, 20)
        fee.SOTIEN = String(after)
        const kenh = String(channel.KENH)
        changes.push({
          path: `channels[${CHANNEL_NAME[kenh] ?? kenh}].durations[${duration.DONVITINH}].fees[${fee.MAPHILEPHI}].amount`,
          kind: 'changed',
          before,
          after,
        })
      }
    }
    if (what.documentCode !== false) {
      const component = rng.pick(rec.THANHPHANHOSO)
      const doc = rng.pick(component.GIAYTO)
      const before = doc.MAGIAYTO
      const after = `GT.SUA.${pad(seq, 6)}`
      doc.MAGIAYTO = after
      changes.push({ path: `components[${component.TRUONGHOP}].documents[${before}].code`, kind: 'changed', before, after })
    }
    if (what.resultCode !== false) {
      const result = rng.pick(rec.KETQUATHUCHIEN)
      const before = result.MAKETQUA
      const after = `${before.slice(0, 7)}${pad(900000 + (seq % 100000), 6)}`
      result.MAKETQUA = after
      changes.push({ path: `results[${before}].code`, kind: 'changed', before, after })
    }
    return { code, changes }
  }

  /** Publish `n` new procedures; returns their codes. */
  add(n: number): string[] {
    return this.generate(n)
  }

  /** Withdraw a procedure: gone from `list()`, and `get()` answers not found. */
  withdraw(code: string): void {
    if (!this.records.has(code) || this.withdrawn.has(code)) throw new Error(`sandbox catalog: no active procedure ${code}`)
    this.withdrawn.add(code)
  }

  /**
   * Amend, add and withdraw procedures picked deterministically from `seed`, and return
   * the exact change list a following sync must produce (sorted by code). Amended and
   * withdrawn procedures are distinct.
   */
  mutateForTest(plan: { amend?: number; add?: number; withdraw?: number }, seed: number): ExpectedCatalogChange[] {
    const rng = new Rng(mixSeed(this.seed, 'mutate', seed))
    const picked = rng.shuffle(this.list().map((r) => r.MATTHC))
    const amendN = plan.amend ?? 0
    const withdrawN = plan.withdraw ?? 0
    if (amendN + withdrawN > picked.length) throw new Error('sandbox catalog: not enough procedures to mutate')
    const out: ExpectedCatalogChange[] = []
    for (const code of picked.slice(0, amendN)) {
      out.push({ code, kind: 'changed', changes: this.amend(code).changes })
    }
    for (const code of picked.slice(amendN, amendN + withdrawN)) {
      this.withdraw(code)
      out.push({ code, kind: 'removed' })
    }
    for (const code of this.add(plan.add ?? 0)) out.push({ code, kind: 'added' })
    return out.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
  }

  private generate(n: number): string[] {
    const codes: string[] = []
    for (let k = 0; k < n; k++) {
      const prefix: '1' | '2' = this.codeRng.chance(0.7) ? '1' : '2'
      this.counters[prefix] += this.codeRng.between(1, 3)
      const code = `${prefix}.${pad(this.counters[prefix], 6)}`
      this.records.set(code, generateProcedure(this.seed, this.nextIndex, code, this.ctx))
      this.nextIndex += 1
      codes.push(code)
    }
    return codes
  }
}
