/**
 * Issue 17, acceptance 3 and 4, through the API over HTTP with the sandbox: a dossier returned
 * without a signed digital result is in the gaps report until its result is ingested; a
 * dossier's portal record carries its supplement request, the population lookup made for it
 * and the document reused for it, and the sandbox portal (which checks those fields) accepts it.
 */
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { lookupEnv } from '../helpers/lookups.js'
import { trustAnchorsFile } from '../helpers/warehouse.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'
import { buildPdf, signPdf } from '../../src/sandbox/pki/index.js'

const AGENCY = '000.00.06.H56'
const OTHER_AGENCY = '000.00.07.H56'
/** A procedure the portal keeps by status only (DVCQG_STATUS_ONLY_PROCEDURES). */
const STATUS_ONLY_PROCEDURE = '1.009917'
const JSON_H = { 'x-api-key': KEYS.province, 'content-type': 'application/json' }
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

let t: TestHub

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = JSON_H) {
  const res = await fetch(`${t.url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

/** A local warehouse document of `owner`, its PDF signed by the sandbox agency CA (or not signed). */
function warehouseDoc(n: number, owner: string, codes: { resultCode?: string; documentCode: string }, signed: boolean) {
  const plain = buildPdf(`Ket qua so hoa ${n}`)
  const pdf = signed ? signPdf(plain, t.sandbox.sims.warehouse.pki.signers.valid, { signingTime: new Date('2026-06-01T00:00:00Z') }) : plain
  return {
    documentId: `digi-doc-${n}`,
    ownerId: owner,
    ownerName: 'Nguyễn Văn Thử',
    title: 'Giấy khai sinh',
    number: `${n}/2026/SH`,
    issuingAgency: 'UBND xã Thử',
    issuedOn: '2026-01-15',
    permanent: true,
    digitisationKind: '1',
    ...codes,
    file: { name: `kq-${n}.pdf`, contentBase64: pdf.toString('base64'), sha256: sha(pdf) },
  }
}

const gaps = async (agency = AGENCY) => {
  const r = await call('GET', `/admin/digitisation/gaps?agency=${agency}`, undefined, { 'x-api-key': KEYS.viewer })
  expect(r.status).toBe(200)
  return r.body as { agency: string; items: { dossierCode: string; resultCodes: string[]; unsignedLinkedResults: number; status: string }[] }
}

beforeAll(async () => {
  const sandbox = await startSandbox(17)
  t = await startTestHub({
    sandbox,
    env: lookupEnv(sandbox.url, {
      WAREHOUSE_TRUST_ANCHORS_FILE: trustAnchorsFile(sandbox),
      UPSTREAM_TIMEOUT_MS: 10_000,
      DVCQG_STATUS_ONLY_PROCEDURES: STATUS_ONLY_PROCEDURE,
    }),
  })
})
afterAll(async () => {
  await t?.close()
  await t?.sandbox.close()
})

describe('acceptance 3: gaps report of returned dossiers without a signed digital result', () => {
  const OWNER = '056085001701'
  const returned = dossierBody(1701, 'digi-1701-0', {
    status: 'DA_TRA_KET_QUA',
    applicant: { kind: 'citizen', name: 'Lê Văn Trả', idType: 'cccd', idNumber: OWNER },
  })
  const withResults = { ...returned, results: [{ id: 'kq-1', name: 'Giấy khai sinh', resultCode: 'KQ.G15.000031' }] }
  const inProgress = dossierBody(1702, 'digi-1702-0', { status: 'DANG_XU_LY' })
  const otherAgency = dossierBody(1703, 'digi-1703-0', { status: 'DA_TRA_KET_QUA', agencyCode: OTHER_AGENCY, dossierCode: dossierCode(1703, OTHER_AGENCY) })

  it('lists a returned dossier of the agency (not one in progress, not another agency’s) until its signed result is ingested', async () => {
    for (const d of [withResults, inProgress, otherAgency]) expect((await call('POST', '/v1/dossiers', d)).status).toBe(202)
    // A dossier reaching "result returned" through an event is flagged as well.
    const later = dossierBody(1704, 'digi-1704-0', { status: 'DANG_XU_LY' })
    expect((await call('POST', '/v1/dossiers', later)).status).toBe(202)
    expect(
      (
        await call('POST', `/v1/dossiers/${later.dossierCode}/events`, {
          eventId: 'digi-1704-1',
          occurredAt: '2026-11-25T10:00:00+07:00',
          status: 'DA_TRA_KET_QUA',
        })
      ).status,
    ).toBe(202)

    const before = await gaps()
    expect(before.agency).toBe(AGENCY)
    const codes = before.items.map((i) => i.dossierCode)
    expect(codes).toEqual(expect.arrayContaining([withResults.dossierCode, later.dossierCode]))
    expect(codes).not.toContain(inProgress.dossierCode)
    expect(codes).not.toContain(otherAgency.dossierCode)
    expect(before.items.find((i) => i.dossierCode === withResults.dossierCode)).toMatchObject({
      status: 'DA_TRA_KET_QUA',
      resultCodes: ['KQ.G15.000031'],
      unsignedLinkedResults: 0,
    })
    expect((await gaps(OTHER_AGENCY)).items.map((i) => i.dossierCode)).toEqual([otherAgency.dossierCode])

    // An unsigned copy of the result is linked but is no signed digital result: still a gap.
    const unsigned = await call('POST', '/v1/warehouse/documents', warehouseDoc(1, OWNER, { documentCode: 'GT.KS.001', resultCode: 'KQ.G15.000031' }, false))
    expect(unsigned.status, JSON.stringify(unsigned.body)).toBe(202)
    expect(unsigned.body).toMatchObject({ signature: { status: 'unsigned' } })
    expect((await gaps()).items.find((i) => i.dossierCode === withResults.dossierCode)).toMatchObject({ unsignedLinkedResults: 1 })

    // The signed result arrives: the flag clears, the other returned dossier stays flagged.
    const signed = await call('POST', '/v1/warehouse/documents', warehouseDoc(2, OWNER, { documentCode: 'GT.KS.001', resultCode: 'KQ.G15.000031' }, true))
    expect(signed.status).toBe(202)
    expect(signed.body).toMatchObject({ signature: { status: 'valid' } })
    const after = (await gaps()).items.map((i) => i.dossierCode)
    expect(after).not.toContain(withResults.dossierCode)
    expect(after).toContain(later.dossierCode)
  })

  it('needs an operator role and an agency code', async () => {
    expect((await call('GET', `/admin/digitisation/gaps?agency=${AGENCY}`, undefined, { 'x-api-key': KEYS.limited })).status).toBe(403)
    const bad = await call('GET', '/admin/digitisation/gaps?agency=H56', undefined, { 'x-api-key': KEYS.viewer })
    expect(bad.status).toBe(400)
  })
})

describe('acceptance 4: supplement request, population lookup and reused document reach the portal record', () => {
  it('DanhSachHoSoBoSung, DSKetNoiCSDL and DuocTaiSuDung as the portal checks them', async () => {
    const OWNER = '056085001711'
    const d = {
      ...dossierBody(1711, 'digi-1711-0', { applicant: { kind: 'citizen', name: 'Phạm Thị Bổ Sung', idType: 'cccd', idNumber: OWNER } }),
      documents: [
        { id: 'f-1', name: 'Tờ khai.pdf', componentCode: 'GT.TK.001' },
        // The provincial system does not say it is reused: the warehouse link does.
        { id: 'f-2', name: 'Giấy khai sinh.pdf', componentCode: 'GT.KS.001' },
      ],
    }
    expect((await call('POST', '/v1/dossiers', d)).status).toBe(202)

    // A population lookup declared for this dossier (x-purpose = its code), and one for another purpose.
    const person = t.sandbox.sims.lookups.seed.people.find((p) => p.shape === 'full')!
    const lookup = (purpose: string) =>
      fetch(`${t.url}/v1/citizens/${person.citizen.idNumber}`, { headers: { 'x-api-key': KEYS.province, 'x-purpose': purpose } })
    expect((await lookup(d.dossierCode)).status).toBe(200)
    expect((await lookup(dossierCode(1799))).status).toBe(200)

    // A signed document of the owner reused for component GT.KS.001 of this dossier.
    const doc = await call('POST', '/v1/warehouse/documents', warehouseDoc(11, OWNER, { documentCode: 'GT.KS.001' }, true))
    expect(doc.status).toBe(202)
    const usage = await call('POST', `/v1/warehouse/documents/${String(doc.body['id'])}/usages`, { dossierCode: d.dossierCode, componentCode: 'GT.KS.001' })
    expect(usage.status).toBeLessThan(300)

    // The supplement request, then its answer.
    const ev = (n: number, body: Record<string, unknown>) => call('POST', `/v1/dossiers/${d.dossierCode}/events`, { eventId: `digi-1711-${n}`, ...body })
    expect(
      (
        await ev(1, {
          occurredAt: '2026-11-21T09:00:00+07:00',
          status: 'YEU_CAU_BO_SUNG',
          supplement: { id: 'BS-1', requestedBy: 'Cán bộ một cửa', content: 'Bổ sung giấy chứng sinh bản chính', requestedAt: '2026-11-21T09:00:00+07:00' },
        })
      ).status,
    ).toBe(202)
    expect(
      (
        await ev(2, {
          occurredAt: '2026-11-23T08:00:00+07:00',
          status: 'DA_BO_SUNG',
          supplement: { id: 'BS-1', receivedBy: 'Trần Một Cửa', receivedInfo: 'Đã nhận đủ', receivedAt: '2026-11-23T08:00:00+07:00' },
        })
      ).status,
    ).toBe(202)

    const hoso = await waitFor(async () => {
      const r = await fetch(`${t.sandbox.url}/dvcqg/_sandbox/dossiers/${d.dossierCode}`)
      if (r.status !== 200) return undefined
      const h = ((await r.json()) as { hoso: Record<string, unknown> }).hoso
      const bs = h['DanhSachHoSoBoSung'] as { TrangThaiBoSung: string }[]
      return bs.length === 1 && bs[0]!.TrangThaiBoSung === '2' ? h : undefined
    }, 30_000)
    expect(hoso['DanhSachHoSoBoSung']).toEqual([
      {
        HoSoBoSungId: 'BS-1',
        NguoiYeuCauBoSung: 'Cán bộ một cửa',
        NoiDungBoSung: 'Bổ sung giấy chứng sinh bản chính',
        NgayBoSung: '20261121090000',
        NguoiTiepNhanBoSung: 'Trần Một Cửa',
        ThongTinTiepNhan: 'Đã nhận đủ',
        NgayTiepNhanBoSung: '20261123080000',
        TrangThaiBoSung: '2',
        DanhSachGiayToBoSung: '',
        DanhSachLePhiBoSung: '',
        NgayHenTraTruoc: '',
        NgayHenTraMoi: '',
      },
    ])
    // Only the population database was queried for this dossier.
    expect(hoso['DSKetNoiCSDL']).toEqual([{ MaCSDL: 'CSDLQGDC' }])
    const docs = hoso['TaiLieuNop'] as Record<string, string>[]
    expect(docs.map((x) => [x['TepDinhKemId'], x['DuocTaiSuDung'], x['DuocSoHoa']])).toEqual([
      ['f-1', 'False', 'False'],
      ['f-2', 'True', 'True'],
    ])
    expect(hoso['HoSoCoThanhPhanSoHoa']).toBe('True')
    // The sandbox portal accepted every change of the dossier (it refuses a malformed supplement list).
    expect(t.sandbox.sims.dvcqg.state().stats.rejected).toBe(0)
  })
})

describe('status-only sync', () => {
  it('a status change of a status-only procedure travels as DongBoTrangThaiHoSo once the portal knows the dossier', async () => {
    const d = dossierBody(1731, 'digi-1731-0', { procedureCode: STATUS_ONLY_PROCEDURE })
    expect((await call('POST', '/v1/dossiers', d)).status).toBe(202)
    await waitFor(async () => (await fetch(`${t.sandbox.url}/dvcqg/_sandbox/dossiers/${d.dossierCode}`)).status === 200, 30_000)
    const ev = { eventId: 'digi-1731-1', occurredAt: '2026-11-26T10:00:00+07:00', status: 'DA_XU_LY_XONG' }
    expect((await call('POST', `/v1/dossiers/${d.dossierCode}/events`, ev)).status).toBe(202)
    const portal = await waitFor(async () => {
      const r = (await (await fetch(`${t.sandbox.url}/dvcqg/_sandbox/dossiers/${d.dossierCode}`)).json()) as {
        hoso: { TrangThaiHoSo: string }
        history: { op: string; status?: string }[]
      }
      return r.history.length >= 2 ? r : undefined
    }, 30_000)
    expect(portal.history.map((h) => [h.op, h.status])).toEqual([
      ['create', '2'],
      ['status', '9'],
    ])
    expect(portal.hoso.TrangThaiHoSo).toBe('9')
  })
})
