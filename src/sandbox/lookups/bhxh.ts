import type { FastifyInstance } from 'fastify'
import type { HandlerResult, SimKit, Simulator } from '../framework.js'
import { buildBhxhReplyXml } from '../../mappings/registry/from-bhxh.js'
import { buildSoapFaultXml } from '../../mappings/population/to-population-xml.js'
import { isNode, readSoapBody, text } from '../../mappings/soap-reply.js'
import type { LookupSeed } from './data.js'

const XML = 'text/xml; charset=utf-8'

/** BHXH participation lookup (SOAP, `bhxh.wsdl`), API key in `x-api-key`; replies built with `buildBhxhReplyXml`. */
export class BhxhSimulator implements Simulator {
  readonly id = 'bhxh'
  constructor(
    private readonly seed: LookupSeed,
    private readonly apiKey = 'sandbox-key',
  ) {}

  routes(app: FastifyInstance, kit: SimKit): void {
    app.post('/', (req, reply) =>
      kit.handle(this.id, 'TraCuuQuaTrinhThamGia', req, reply, (call): HandlerResult => {
        if (call.expiredSession || req.headers['x-api-key'] !== this.apiKey) {
          return { status: 401, contentType: XML, body: buildSoapFaultXml('Client', 'Không có quyền truy cập'), outcome: 'rejected: unauthorized' }
        }
        const body = readSoapBody(typeof req.body === 'string' ? req.body : '')
        const r = body.kind === 'body' ? body.body['TraCuuQuaTrinhThamGiaRequest'] : undefined
        if (!isNode(r)) return { status: 500, contentType: XML, body: buildSoapFaultXml('Client', 'Yêu cầu không hợp lệ'), outcome: 'rejected: bad request' }
        const bhxh = text(r['MaSoBHXH'])
        const id = text(r['SoDinhDanh'])
        if (!(bhxh && /^\d{10}$/.test(bhxh)) && !(id && /^\d{12}$/.test(id))) {
          return { status: 500, contentType: XML, body: buildSoapFaultXml('Client', 'MaSoBHXH hoặc SoDinhDanh không hợp lệ'), outcome: 'rejected: bad key' }
        }
        const person = bhxh ? this.seed.byBhxh.get(bhxh) : id ? this.seed.byId.get(id) : undefined
        return { contentType: XML, body: buildBhxhReplyXml(text(r['MaYeuCau']) ?? '', person?.insurance), outcome: person?.insurance ? 'found' : 'not found' }
      }),
    )
  }
}
