import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import soap from 'soap'

const wsdl = join(fileURLToPath(new URL('.', import.meta.url)), '../../../src/connectors/population/wsdl/dancu.wsdl')

describe('dancu.wsdl', () => {
  it('loads with node-soap and describes the three operations with the real XSD types', async () => {
    const client = await soap.createClientAsync(wsdl)
    const description = client.describe() as Record<string, Record<string, Record<string, { input: Record<string, unknown>; output: Record<string, unknown> }>>>
    const port = description['DanCuService']?.['DanCuPort']
    expect(port).toBeDefined()
    expect(Object.keys(port!).sort()).toEqual(['TraCuuThongTinCongDan', 'XacMinhThongTinNhanThan', 'XacThucThongTinCongDan'])

    expect(Object.keys(port!['TraCuuThongTinCongDan']!.input)).toEqual([
      'MaYeuCau',
      'MaDVC',
      'MaTichHop',
      'MaCanBo',
      'MaDonVi',
      'SoDinhDanh',
      'HoVaTen',
      'NgayThangNamSinh',
    ])
    expect(port!['TraCuuThongTinCongDan']!.output).toHaveProperty('CongDan[]')
    expect(Object.keys(port!['XacThucThongTinCongDan']!.input)).toEqual(['MaYeuCau', 'MaDichVu', 'MaCanBo', 'SoDinhDanh', 'SoCMND', 'HoVaTen'])
    expect(port!['XacThucThongTinCongDan']!.output).toEqual({ TonTai: 'xs:boolean' })
    expect(port!['XacMinhThongTinNhanThan']!.input).toHaveProperty('NgayThangNamSinh', 'xs:string')
    expect(port!['XacMinhThongTinNhanThan']!.output).toHaveProperty('CongdanCollection')
  })

  it('serializes a TraCuu call with the request namespace and SOAP 1.1', async () => {
    let sent = ''
    // Capture the outgoing envelope without any network: node-soap's httpClient option.
    const httpClient: soap.IHttpClient = {
      request: (_url, data: string, callback) => {
        sent = data
        callback(
          null,
          { statusCode: 200, headers: {} },
          '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><d:CongdanCollection xmlns:d="http://www.mic.gov.vn/dancu/1.0"/></e:Body></e:Envelope>',
        )
        return Promise.resolve({}) as ReturnType<soap.IHttpClient['request']>
      },
    }
    const client = await soap.createClientAsync(wsdl, { httpClient })
    await client.TraCuuThongTinCongDanAsync({ MaYeuCau: 'R1', MaDVC: 'D', MaTichHop: '037', MaCanBo: 'C', MaDonVi: 'U', SoDinhDanh: '001085000001' })
    expect(sent).toContain('http://schemas.xmlsoap.org/soap/envelope/')
    expect(sent).toMatch(/<\w+:TraCuuThongTinCongDanRequest xmlns:\w+="http:\/\/dancuquocgia\.bca"/)
  })
})
