import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, type TestSandbox } from '../helpers/hub.js'
import { createPdfSignatureVerifier } from '../../src/documents/signature/index.js'
import { mapGetGiayToByUrlReply, mapGetKetQuaGiayToReply } from '../../src/mappings/dvcqg/warehouse/index.js'
import { seedDocuments } from '../../src/sandbox/dvcqg/warehouse/index.js'
import { ownersCoveringSignatureCases } from '../helpers/warehouse.js'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

describe('sandbox warehouse (DVCQG simulator over HTTP)', () => {
  let sb: TestSandbox
  let session: string
  const call = async (service: string, params: Record<string, unknown>) => {
    const res = await fetch(`${sb.url}/dvcqg/api/tich-hop`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session, madonvi: '000.00.00.H56', service, ...params }),
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  beforeAll(async () => {
    sb = await startSandbox(7)
    const login = await fetch(`${sb.url}/dvcqg/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', dstcode: 'H56' },
      body: JSON.stringify({ username: 'sandbox', password: 'sandbox' }),
    })
    session = ((await login.json()) as { session: string }).session
  })
  afterAll(async () => sb?.close())

  it('seeds 2,000 owners and 10,000 documents by default, deterministically', () => {
    const w = sb.sims.warehouse
    expect(w.owners()).toHaveLength(2000)
    expect(new Set(w.owners()).size).toBe(2000)
    expect(w.documentCount()).toBe(10_000)
    expect(seedDocuments(7, 5, Date.UTC(2026, 5, 1))).toEqual(seedDocuments(7, 5, Date.UTC(2026, 5, 1)))
    const kinds = new Map<string, number>()
    for (let i = 0; i < 2000; i++) for (const d of seedDocuments(7, i, Date.UTC(2026, 5, 1))) kinds.set(d.signature, (kinds.get(d.signature) ?? 0) + 1)
    expect(kinds.get('valid')).toBeGreaterThan(9000)
    for (const k of ['tampered', 'expired', 'untrusted', 'unsigned']) expect(kinds.get(k)).toBeGreaterThan(50)
  })

  it("lists an owner's results with file hashes, serves files matching them, signatures as seeded", async () => {
    const w = sb.sims.warehouse
    const verify = createPdfSignatureVerifier([w.trustAnchorsPem()])
    const expected = { valid: 'valid', tampered: 'invalid', expired: 'invalid', untrusted: 'untrusted', unsigned: 'unsigned' } as const
    const seen = new Set<string>()
    for (const owner of ownersCoveringSignatureCases(sb, 10)) {
      const list = await call('GetKetQuaGiayTo', {
        SoDinhDanhChuSoHuu: owner,
        HoTenNguoiYeuCau: 'Can bo',
        KenhThucHien: '1',
        SoDinhDanhNguoiYeuCau: '000.00.00.H56',
        MaThuTuc: '',
        DanhSachDanhMucKetQua: [],
      })
      const mapped = mapGetKetQuaGiayToReply(list.body)
      expect(mapped.kind).toBe('found')
      if (mapped.kind !== 'found') return
      const seeds = w.documentsOf(owner)
      expect(mapped.value).toHaveLength(seeds.length)
      for (const [i, doc] of mapped.value.entries()) {
        const file = doc.files[0]!
        const got = mapGetGiayToByUrlReply((await call('GetGiayToByUrl', { CoQuanChuQuan: doc.custodianAgency, DuongDan: file.path })).body)
        expect(got.kind).toBe('found')
        if (got.kind !== 'found') return
        expect(sha(got.value)).toBe(file.sha256)
        expect(got.value.length).toBe(file.size)
        const kind = seeds[i]!.signature
        expect(verify(got.value).status).toBe(expected[kind])
        seen.add(kind)
      }
    }
    expect([...seen].sort()).toEqual(['expired', 'tampered', 'unsigned', 'untrusted', 'valid'])
  })

  it('corrupts or truncates the configured share of downloads', async () => {
    const w = sb.sims.warehouse
    const owner = w.owners()[0]!
    const doc = w.documentsOf(owner)[0]!
    const good = sha(w.fileOf(doc))
    await fetch(`${sb.url}/warehouse/_sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ corruptRate: 0.5, truncateRate: 0.5 }),
    })
    let bad = 0
    for (let i = 0; i < 10; i++) {
      const got = mapGetGiayToByUrlReply((await call('GetGiayToByUrl', { CoQuanChuQuan: doc.custodian, DuongDan: doc.path })).body)
      if (got.kind === 'found' && sha(got.value) !== good) bad++
    }
    expect(bad).toBe(10)
    expect(w.stats.corrupted + w.stats.truncated).toBe(10)
    await fetch(`${sb.url}/warehouse/_sandbox/faults`, { method: 'DELETE' })
    const ok = mapGetGiayToByUrlReply((await call('GetGiayToByUrl', { CoQuanChuQuan: doc.custodian, DuongDan: doc.path })).body)
    expect(ok.kind === 'found' && sha(ok.value)).toBe(good)
  })

  it('accepts an upload once per Ma and refuses an incomplete record', async () => {
    const rec = {
      Ma: 'LOCAL-1',
      MaGiayToKhoQuocGia: '',
      MaDinhDanh: '056085000001',
      SoKyHieu: '1/SH',
      MaGiayTo: 'GT.KS.001',
      NgayBanHanh: '20260101000000',
      ThoiHanHieuLuc: '',
      ThoiHanVinhVien: 'True',
      PhamViHieuLuc: '',
      TrichYeuNoiDung: '',
      CoQuanBanHanh: '',
      NguoiKy: '',
      LoaiSoHoa: '1',
      DinhKem: [{ TenTep: 'a.pdf', DuongDan: '', NoiDung: Buffer.from('%PDF-1.7 x').toString('base64') }],
      MaTTHC: '',
      MaLinhVuc: '',
      ChuGiayTo: '',
    }
    const a = await call('DongBoKetQuaSoHoa', { data: [rec] })
    const b = await call('DongBoKetQuaSoHoa', { data: [rec] })
    expect(a.body['error_code']).toBe(0)
    expect(b.body['result']).toEqual(a.body['result'])
    expect(sb.sims.warehouse.uploaded('LOCAL-1')?.deliveries).toBe(2)
    expect(sb.sims.warehouse.stats.uploads).toBe(1)
    const bad = await call('DongBoKetQuaSoHoa', { data: [{ ...rec, Ma: 'LOCAL-2', DinhKem: [] }] })
    expect(bad.body['error_code']).toBe('1')
    expect(sb.sims.warehouse.uploaded('LOCAL-2')).toBeUndefined()
  })
})
