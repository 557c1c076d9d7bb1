import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mapThuTuc } from '../../src/mappings/dvcqg/catalog/from-lay-thu-tuc.js'
import { migrate } from '../../src/store/migrate.js'
import type { Db } from '../../src/store/db.js'
import { CatalogRepository } from '../../src/services/catalog/repository.js'
import { storageEngines } from '../helpers/pg.js'

const { engines, closeEngines } = storageEngines()
afterAll(closeEngines)

/** LayThuTuc records as the portal sends them (NATIONAL-ENDPOINTS §1.3). */
const record = (code: string, name: string) => ({
  MaTTHC: code,
  TENTTHC: name,
  MACOQUANCONGBO: '000.00.00.G05',
  LINHVUCTHUCHIEN: [{ MALINHVUC: 'G05-XD01', TENLINHVUC: 'Hoạt động xây dựng' }],
  CAPTHUCHIEN: [{ CAPTHUCHIEN: '2', TENCAP: 'Cấp Huyện' }],
  COQUANTHUCHIEN: [{ MADONVI: '000.00.06.H56', TENDONVI: 'UBND huyện' }],
})

// Codes run against relevance, so that code order (the old order) and rank order differ.
const CATALOG: [string, string][] = [
  ['1.000001', 'Cấp lại giấy phép xây dựng'],
  ['1.000002', 'Điều chỉnh giấy phép xây dựng'],
  ['1.000003', 'Gia hạn giấy phép xây dựng'],
  ['1.000004', 'Cấp giấy phép xây dựng có thời hạn'],
  ['1.000005', 'Cấp giấy phép xây dựng'],
  ['1.000006', 'Thẩm định giấy tờ cấp phép xây dựng công trình'],
  ['1.000007', 'Giấy phép xây dựng'],
  ['2.000001', 'Đăng ký khai sinh'],
]

/**
 * "giay phep xay dung" in relevance order, worked out by hand from the definition
 * (docs: CatalogReadRepository rankBy): the name that is the query; then names holding the
 * phrase, earliest first ("Cấp …" at 5, "Cấp lại"/"Gia hạn …" at 9, "Điều chỉnh …" at 12),
 * shorter first at one position, code on a tie (1.000001 and 1.000003: both 9 and 26
 * characters); the words apart last ("giấy tờ cấp phép xây dựng").
 */
const EXPECTED = [
  'Giấy phép xây dựng',
  'Cấp giấy phép xây dựng',
  'Cấp giấy phép xây dựng có thời hạn',
  'Cấp lại giấy phép xây dựng',
  'Gia hạn giấy phép xây dựng',
  'Điều chỉnh giấy phép xây dựng',
  'Thẩm định giấy tờ cấp phép xây dựng công trình',
]

// Agencies: "uy ban nhan dan tinh" lists the province's committee first, the district's last; codes run against relevance again.
const AGENCIES = [
  { code: '000.00.01.H56', name: 'Văn phòng Ủy ban nhân dân tỉnh', level: '1' },
  { code: '000.00.02.H56', name: 'Ủy ban nhân dân huyện Đông Hải thuộc tỉnh', level: '2' },
  { code: '000.00.03.H56', name: 'Ủy ban nhân dân tỉnh', level: '1' },
  { code: '000.00.04.H56', name: 'Sở Xây dựng', level: '1' },
]

describe.each(engines)('catalog search ranked by relevance on %s', (_name, open) => {
  let db: Db
  let repo: CatalogRepository
  const names = async (q: string, limit = 50, offset = 0) => (await repo.listProcedures({ q, limit, offset })).items.map((i) => i.name)

  beforeAll(async () => {
    db = await open()
    await migrate(db)
    repo = new CatalogRepository(db)
    const { runId } = await repo.createOrAttachRun('manual')
    expect(await repo.takeLease(runId, 'rank-test', 30_000)).toEqual({})
    await repo.storeListing(
      runId,
      AGENCIES,
      [],
      CATALOG.map(([c]) => c),
    )
    for (const [code, name] of CATALOG) await repo.applyProcedure(runId, code, mapThuTuc(record(code, name)))
    await repo.finishRun(runId, 'rank-test')
  })

  it('"giay phep xay dung" lists the issuing procedure before adjustments and renewals', async () => {
    expect(await names('giay phep xay dung')).toEqual(EXPECTED)
    // With diacritics, other case and punctuation: the same words, the same order.
    expect(await names('Giấy phép, XÂY-DỰNG')).toEqual(EXPECTED)
  })

  it('pages through the ranking (total counts every match)', async () => {
    expect(await names('giay phep xay dung', 2, 2)).toEqual(EXPECTED.slice(2, 4))
    expect((await repo.listProcedures({ q: 'giay phep xay dung', limit: 1, offset: 0 })).total).toBe(EXPECTED.length)
  })

  it('a query that is a code lists that procedure; no query keeps code order', async () => {
    expect(await names('1.000006')).toEqual(['Thẩm định giấy tờ cấp phép xây dựng công trình'])
    expect((await repo.listProcedures({ limit: 50, offset: 0 })).items.map((i) => i.code)).toEqual(CATALOG.map(([c]) => c))
  })

  it('agencies searched are ranked the same way; listed, by code', async () => {
    expect((await repo.listAgencies('uy ban nhan dan tinh')).map((a) => a.name)).toEqual([
      'Ủy ban nhân dân tỉnh', // the name is the query
      'Văn phòng Ủy ban nhân dân tỉnh', // the phrase at 11
      'Ủy ban nhân dân huyện Đông Hải thuộc tỉnh', // the words apart
    ])
    expect((await repo.listAgencies('uy ban nhan dan')).map((a) => a.code)).toEqual(['000.00.03.H56', '000.00.02.H56', '000.00.01.H56'])
    expect((await repo.listAgencies()).map((a) => a.code)).toEqual(AGENCIES.map((a) => a.code))
  })
})
