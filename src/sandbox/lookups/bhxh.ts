import type { FastifyInstance } from 'fastify'
import type { HandlerResult, SimKit, Simulator } from '../framework.js'
import { bhxhResponse, readBhxhRequest } from './bhxh-wire.js'
import type { LookupSeed } from './data.js'
import { SOAP_XML, soapEnvelope, soapFault } from './soap.js'

const fault = (status: number, message: string, outcome: string): HandlerResult => ({
  status,
  contentType: SOAP_XML,
  body: soapFault('Client', message),
  outcome: `rejected: ${outcome}`,
})

/** BHXH participation lookup (SOAP, `bhxh.wsdl`), API key in `x-api-key`. */
export class BhxhSimulator implements Simulator {
  readonly id = 'bhxh'
  constructor(
    private readonly seed: LookupSeed,
    private readonly apiKey = 'sandbox-key',
  ) {}

  routes(app: FastifyInstance, kit: SimKit): void {
    app.post('/', (req, reply) =>
      kit.handle(this.id, 'TraCuuQuaTrinhThamGia', req, reply, (call): HandlerResult => {
        if (call.expiredSession || req.headers['x-api-key'] !== this.apiKey) return fault(401, 'Không có quyền truy cập', 'unauthorized')
        const r = readBhxhRequest(typeof req.body === 'string' ? req.body : '')
        if (!r.ok) return fault(500, `Yêu cầu không hợp lệ: ${r.problem}`, 'bad request')
        if (!(r.bhxhNumber && /^\d{10}$/.test(r.bhxhNumber)) && !(r.idNumber && /^\d{12}$/.test(r.idNumber)))
          return fault(500, 'MaSoBHXH hoặc SoDinhDanh không hợp lệ', 'bad key')
        const person = r.bhxhNumber ? this.seed.byBhxh.get(r.bhxhNumber) : this.seed.byId.get(r.idNumber!)
        return { contentType: SOAP_XML, body: soapEnvelope(bhxhResponse(r.requestId, person?.insurance)), outcome: person?.insurance ? 'found' : 'not found' }
      }),
    )
  }
}
