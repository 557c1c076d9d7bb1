import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { HandlerResult, Simulator } from '../../framework.js'
import { hashLabel, mulberry32 } from '../../random.js'
import { buildPdf, createTestPki, signPdf, type TestPki } from '../../pki/index.js'
import type { DvcqgSimulator } from '../index.js'
import { parseSeedPath, seedDocumentCount, seedDocuments, seedOwnerId, type SeedDocument } from './seed.js'

export { seedDocuments, seedOwnerId, seedDocumentCount, parseSeedPath, SEED_RESULT_KINDS, type SeedDocument, type SeedSignatureKind } from './seed.js'

/** Operation names the warehouse adds to the DVCQG simulator. */
export const WAREHOUSE_OPERATIONS = {
  list: 'GetKetQuaGiayTo',
  download: 'GetGiayToByUrl',
  /**
   * Upload of a locally digitised document (no public wire sample; designed in the portal's
   * conventions): body `{ data: [DigitizedRecord] }` where each `DinhKem[]` item carries
   * `TenTep` and the file as base64 in `NoiDung`; reply `{ error_code: 0, result: [{ Ma,
   * MaGiayToKhoQuocGia }] }`. Idempotent on `Ma` (the province's id): sending a record again
   * answers the same `MaGiayToKhoQuocGia` and stores nothing new.
   */
  upload: 'DongBoKetQuaSoHoa',
} as const

export interface WarehouseSimOptions {
  /** Seeded owners (default 2,000; 4–6 documents each, 5 on average). */
  owners?: number
  /** Instant the seeded PKI and documents are relative to (default 2026-06-01). */
  referenceTime?: Date
}

/** Download faults: a share of `GetGiayToByUrl` answers carries damaged bytes (the hash check must catch them). */
export interface WarehouseFaults {
  /** Share of downloads with one byte flipped. */
  corruptRate?: number
  /** Share of downloads cut short (last quarter missing). */
  truncateRate?: number
}

/** A record received through the upload operation. */
export interface UploadedRecord {
  readonly record: Record<string, unknown>
  readonly nationalId: string
  /** SHA-256 of each attached file as received. */
  readonly files: string[]
  /** Accepted (non-faulted) calls that carried this record: 1 when delivery is exactly-once. */
  deliveries: number
}

const OK = (result: unknown, message = 'Thành công'): HandlerResult => ({ body: { errorCode: 0, message, signature: '', result }, outcome: 'accepted' })
const FAIL = (message: string, code = '1'): HandlerResult => ({
  body: { errorCode: code, message, signature: '', result: null },
  outcome: `rejected: ${message}`,
})
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '')
const DATE = /^(\d{14}|\d{2}\/\d{2}\/\d{4})?$/

/**
 * The national e-document warehouse (Kho dữ liệu, NATIONAL-ENDPOINTS §1.5) as a sandbox:
 * seeded owners with signed PDF results (mostly valid; some tampered, signed by an expired or
 * untrusted signer, or unsigned), listing and download operations on the DVCQG simulator, an
 * upload operation, and download faults. Listings carry `MaHash` (SHA-256) and `KichThuoc`
 * (bytes) per file, an extension the hub uses to check downloads when present.
 * Sandbox-only controls live under `/warehouse/_sandbox/…`.
 */
export class WarehouseSimulator implements Simulator {
  readonly id = 'warehouse'
  private pkiCache?: TestPki
  readonly ownerCount: number
  private readonly referenceMs: number
  private readonly ownerIndex = new Map<string, number>()
  private readonly fileMeta = new Map<string, { sha256: string; size: number }>()
  /** Recently listed files (a download usually follows its listing): saves signing the PDF twice. */
  private readonly recent = new Map<string, Buffer>()
  private faults: WarehouseFaults = {}
  private faultRng: () => number
  private readonly uploads = new Map<string, UploadedRecord>()
  readonly stats = { listings: 0, downloads: 0, corrupted: 0, truncated: 0, uploads: 0, uploadReplays: 0, uploadRejected: 0 }

  constructor(
    private readonly seed: number,
    opts: WarehouseSimOptions = {},
  ) {
    this.ownerCount = opts.owners ?? 2000
    this.referenceMs = (opts.referenceTime ?? new Date('2026-06-01T00:00:00Z')).getTime()
    this.faultRng = mulberry32(seed ^ hashLabel('warehouse-faults'))
    for (let i = 0; i < this.ownerCount; i++) this.ownerIndex.set(seedOwnerId(seed, i), i)
  }

  private revocationBaseUrl?: string

  /** The sandbox PKI, made on first use (key generation takes a moment). */
  get pki(): TestPki {
    this.pkiCache ??= createTestPki({ now: new Date(this.referenceMs), revocationBaseUrl: this.revocationBaseUrl })
    return this.pkiCache
  }

  /** Signers' certificates point at the sandbox CA's CRL and OCSP responder under this base URL (set once the sandbox listens). */
  setRevocationBaseUrl(url: string): void {
    if (url === this.revocationBaseUrl) return
    this.revocationBaseUrl = url
    this.pkiCache = undefined
    this.fileMeta.clear()
    this.recent.clear()
  }

  /** Registers the warehouse operations on the DVCQG simulator (before its routes are mounted). */
  install(dvcqg: DvcqgSimulator): this {
    dvcqg.addOperation(WAREHOUSE_OPERATIONS.list, (b) => this.list(b))
    dvcqg.addOperation(WAREHOUSE_OPERATIONS.download, (b) => this.download(b))
    dvcqg.addOperation(WAREHOUSE_OPERATIONS.upload, (b) => this.upload(b))
    return this
  }

  /** Seeded owner ids, in seed order. */
  owners(): string[] {
    return [...this.ownerIndex.keys()]
  }

  /** Total number of seeded documents (one file each). */
  documentCount(): number {
    let n = 0
    for (let i = 0; i < this.ownerCount; i++) n += seedDocumentCount(i)
    return n
  }

  documentsOf(ownerId: string): SeedDocument[] {
    const i = this.ownerIndex.get(ownerId)
    return i === undefined ? [] : seedDocuments(this.seed, i, this.referenceMs)
  }

  /** PEM of the root the sandbox's valid signers chain to (export it as the hub's trust anchors for a first run). */
  trustAnchorsPem(): string {
    return this.pki.trustAnchorsPem.join('\n')
  }

  /** Writes the root as a PEM file (the hub's first-run trust anchors); rewritten at every start, as the keys are made per process. */
  exportTrustAnchors(file: string): void {
    mkdirSync(dirname(file), { recursive: true })
    const pem = this.trustAnchorsPem()
    writeFileSync(file, pem.endsWith('\n') ? pem : `${pem}\n`)
  }

  /** The file bytes of a seeded document: deterministic for a given PKI (RSA PKCS#1 v1.5 signatures are). */
  fileOf(doc: SeedDocument): Buffer {
    const text = [
      doc.title,
      `So: ${doc.number}`,
      `Chu giay to: ${doc.ownerName} (fictional)`,
      `Co quan: ${doc.custodian}`,
      `Ngay ban hanh: ${doc.issuedOn}`,
    ].join('\n')
    const pdf = buildPdf(text)
    const signingTime = new Date(this.referenceMs)
    switch (doc.signature) {
      case 'unsigned':
        return pdf
      case 'expired':
        return signPdf(pdf, this.pki.signers.expired, { signingTime })
      case 'untrusted':
        return signPdf(pdf, this.pki.signers.untrusted, { signingTime })
      case 'tampered': {
        const signed = signPdf(pdf, this.pki.signers.valid, { signingTime })
        const at = signed.indexOf('So: ') + 4
        signed[at] = signed[at] === 0x39 ? 0x38 : 0x39
        return signed
      }
      default:
        return signPdf(pdf, this.pki.signers.valid, { signingTime })
    }
  }

  private meta(doc: SeedDocument): { sha256: string; size: number } {
    let m = this.fileMeta.get(doc.path)
    if (!m) {
      const bytes = this.fileOf(doc)
      m = { sha256: sha256(bytes), size: bytes.length }
      this.fileMeta.set(doc.path, m)
      if (this.recent.size >= 1024) this.recent.delete(this.recent.keys().next().value!)
      this.recent.set(doc.path, bytes)
    }
    return m
  }

  private bytesOf(doc: SeedDocument): Buffer {
    const hit = this.recent.get(doc.path)
    if (hit) {
      this.recent.delete(doc.path)
      return hit
    }
    return this.fileOf(doc)
  }

  private list(body: Record<string, unknown>): HandlerResult {
    const owner = str(body['SoDinhDanhChuSoHuu'])
    if (!owner) return FAIL('Thiếu số định danh chủ sở hữu (SoDinhDanhChuSoHuu)')
    if (!str(body['SoDinhDanhNguoiYeuCau'])) return FAIL('Thiếu số định danh người yêu cầu (SoDinhDanhNguoiYeuCau)')
    this.stats.listings++
    const i = this.ownerIndex.get(owner)
    if (i === undefined) return OK({ DanhSachGiayToKetQua: [] }, 'Không tìm thấy dữ liệu')
    const wanted = Array.isArray(body['DanhSachDanhMucKetQua'])
      ? (body['DanhSachDanhMucKetQua'] as Record<string, unknown>[]).map((x) => str(x['MaKetQua'])).filter(Boolean)
      : []
    const docs = seedDocuments(this.seed, i, this.referenceMs).filter((d) => wanted.length === 0 || wanted.includes(d.resultCode))
    return OK({
      DanhSachGiayToKetQua: docs.map((d) => {
        const m = this.meta(d)
        return {
          MaKetQua: d.resultCode,
          TenGiayTo: d.title,
          SoKyHieu: d.number,
          CoQuanChuQuan: d.custodian,
          // Extensions some warehouses expose alongside the documented fields.
          MaGiayTo: d.documentCode,
          NgayBanHanh: d.issuedOn.replace(/-/g, '') + '000000',
          ThoiHanHieuLuc: d.validUntil ? d.validUntil.replace(/-/g, '') + '000000' : '',
          ThoiHanVinhVien: d.permanent ? 'True' : 'False',
          NguoiKy: d.signer,
          DanhSachTepDinhKem: [{ TenTep: d.fileName, DuongDan: d.path, MaHash: m.sha256, KichThuoc: m.size }],
        }
      }),
    })
  }

  private download(body: Record<string, unknown>): HandlerResult {
    const path = str(body['DuongDan'])
    const ref = parseSeedPath(path)
    const doc = ref && ref.ownerIndex < this.ownerCount ? seedDocuments(this.seed, ref.ownerIndex, this.referenceMs)[ref.index] : undefined
    if (!doc || doc.path !== path) return FAIL('Không tìm thấy tệp đính kèm')
    if (str(body['CoQuanChuQuan']) !== doc.custodian) return FAIL('Cơ quan chủ quản không khớp với tệp yêu cầu')
    this.stats.downloads++
    let bytes = this.bytesOf(doc)
    let outcome = 'accepted'
    let r = this.faultRng()
    if (this.faults.corruptRate && r < this.faults.corruptRate) {
      bytes = Buffer.from(bytes)
      const at = Math.floor(bytes.length / 2)
      bytes[at] = bytes[at]! ^ 0xff
      this.stats.corrupted++
      outcome = 'corrupted'
    } else {
      r -= this.faults.corruptRate ?? 0
      if (this.faults.truncateRate && r < this.faults.truncateRate) {
        bytes = bytes.subarray(0, Math.floor(bytes.length * 0.75))
        this.stats.truncated++
        outcome = 'truncated'
      }
    }
    return { ...OK(bytes.toString('base64')), outcome }
  }

  private upload(body: Record<string, unknown>): HandlerResult {
    const data = body['data']
    if (!Array.isArray(data) || data.length === 0) return this.reject('Thiếu danh sách kết quả số hóa (data)')
    const results: unknown[] = []
    // Validate everything first: the portal accepts a call all or nothing.
    for (const rec of data as Record<string, unknown>[]) {
      if (!rec || typeof rec !== 'object') return this.reject('Bản ghi không hợp lệ')
      for (const f of ['Ma', 'MaDinhDanh', 'MaGiayTo']) if (!str(rec[f])) return this.reject(`Thiếu trường ${f}`)
      for (const f of ['NgayBanHanh', 'ThoiHanHieuLuc']) if (!DATE.test(str(rec[f]))) return this.reject(`Trường ${f} không đúng định dạng yyyyMMddHHmmss`)
      if (!['True', 'False', '1', '0'].includes(str(rec['ThoiHanVinhVien']))) return this.reject('Trường ThoiHanVinhVien không hợp lệ')
      const files = rec['DinhKem']
      if (!Array.isArray(files) || files.length === 0) return this.reject('Thiếu tệp đính kèm (DinhKem)')
      for (const f of files as Record<string, unknown>[]) {
        const b64 = str(f?.['NoiDung'])
        if (!b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return this.reject('Nội dung tệp đính kèm không hợp lệ (NoiDung)')
      }
    }
    for (const rec of data as Record<string, unknown>[]) {
      const ma = str(rec['Ma'])
      let stored = this.uploads.get(ma)
      if (stored) {
        stored.deliveries++
        this.stats.uploadReplays++
      } else {
        const files = (rec['DinhKem'] as Record<string, unknown>[]).map((f) => sha256(Buffer.from(str(f['NoiDung']), 'base64')))
        const { DinhKem: _d, ...meta } = rec
        stored = {
          record: meta,
          nationalId: `KHO-${(hashLabel(`upload/${ma}`) >>> 0).toString(16).padStart(8, '0')}-${this.uploads.size + 1}`,
          files,
          deliveries: 1,
        }
        this.uploads.set(ma, stored)
        this.stats.uploads++
      }
      results.push({ Ma: ma, MaGiayToKhoQuocGia: stored.nationalId })
    }
    return { body: { error_code: 0, message: 'Đồng bộ kết quả số hóa thành công', result: results }, outcome: 'accepted' }
  }

  private reject(message: string): HandlerResult {
    this.stats.uploadRejected++
    return { body: { error_code: '1', message, result: [] }, outcome: `rejected: ${message}` }
  }

  /** A record received by the upload operation, by the province's id (`Ma`). */
  uploaded(ma: string): UploadedRecord | undefined {
    return this.uploads.get(ma)
  }

  uploadedAll(): Map<string, UploadedRecord> {
    return this.uploads
  }

  setFaults(f: WarehouseFaults): void {
    this.faults = { ...f }
  }

  reset(): void {
    this.faults = {}
    this.faultRng = mulberry32(this.seed ^ hashLabel('warehouse-faults'))
    this.uploads.clear()
    for (const k of Object.keys(this.stats) as (keyof typeof this.stats)[]) this.stats[k] = 0
  }

  state() {
    return { owners: this.ownerCount, documents: this.documentCount(), faults: this.faults, stats: this.stats, uploaded: this.uploads.size }
  }

  routes(app: FastifyInstance): void {
    app.get('/_sandbox/trust-anchors', async (_req, reply) => reply.type('application/x-pem-file').send(this.trustAnchorsPem()))
    app.get('/_sandbox/owners', async (req) => {
      const q = req.query as { offset?: string; limit?: string }
      const offset = Number(q.offset ?? 0)
      return this.owners().slice(offset, offset + Math.min(Number(q.limit ?? 1000), 10_000))
    })
    app.put('/_sandbox/faults', async (req) => {
      this.setFaults((req.body ?? {}) as WarehouseFaults)
      return this.faults
    })
    app.delete('/_sandbox/faults', async () => {
      this.setFaults({})
      return this.faults
    })
    app.get('/_sandbox/uploads', async () =>
      [...this.uploads.entries()].map(([ma, u]) => ({ ma, nationalId: u.nationalId, deliveries: u.deliveries, files: u.files })),
    )
  }
}
