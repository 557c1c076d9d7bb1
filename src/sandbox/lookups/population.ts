import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { HandlerResult, SimKit, Simulator } from '../framework.js'
import type { LookupSeed } from './data.js'
import { congDanCollection, readPopulationRequest, xacMinhResponse, xacThucResponse, type CongDanProfile } from './population-wire.js'
import { SOAP_XML, soapEnvelope, soapFault } from './soap.js'

const norm = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase()
const fault = (status: number, message: string, outcome: string): HandlerResult => ({
  status,
  contentType: SOAP_XML,
  body: soapFault('Client', message),
  outcome: `rejected: ${outcome}`,
})

/**
 * The population database (SOAP 1.1, document/literal, `dancu.wsdl`): reads requests
 * strictly against the real XSDs (namespace, order, required elements) and answers from
 * the seed (`xsd` profile: valid against the real XSDs; `full`: with the production
 * extras). Checks the timestamped hashed Basic header of NATIONAL-ENDPOINTS §2
 * (`authUrl` = the simulator's own URL as the client sees it).
 */
export class PopulationSimulator implements Simulator {
  readonly id = 'population'
  /** Reply profile; tests switch to `xsd` to validate replies against the real XSDs. */
  profile: CongDanProfile = 'full'
  readonly stats = { calls: 0, authFailures: 0 }

  constructor(
    private readonly seed: LookupSeed,
    private readonly creds = { username: 'sandbox', secretKey: 'sandbox' },
  ) {}

  /** Sandbox view: call counts and a few seeded (fictional) CCCD numbers to try lookups with. */
  state() {
    return { stats: this.stats, sampleIdNumbers: this.seed.people.slice(0, 5).map((p) => p.citizen.idNumber) }
  }

  /** `Authorization: Basic base64(user:sha256hex(authUrl + user + Timestamp + secretKey))`, Timestamp within 5 minutes. */
  private authorized(req: FastifyRequest): boolean {
    const ts = String(req.headers['timestamp'] ?? '')
    const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')
    if (!m || !/^\d{10,}$/.test(ts) || Math.abs(Date.now() - Number(ts)) > 300_000) return false
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8')
    const i = decoded.indexOf(':')
    const user = decoded.slice(0, i)
    const authUrl = `http://${req.headers.host}/${this.id}`
    const expected = createHash('sha256').update(`${authUrl}${user}${ts}${this.creds.secretKey}`, 'utf8').digest('hex')
    return user === this.creds.username && decoded.slice(i + 1) === expected
  }

  routes(app: FastifyInstance, kit: SimKit): void {
    app.post('/', async (req, reply) => {
      const parsed = readPopulationRequest(typeof req.body === 'string' ? req.body : '')
      return kit.handle(this.id, parsed.operation ?? 'unknown', req, reply, (call): HandlerResult => {
        this.stats.calls++
        if (call.expiredSession || !this.authorized(req)) {
          this.stats.authFailures++
          return fault(401, 'Xác thực không thành công', 'unauthorized')
        }
        if (!parsed.ok) return fault(500, `Yêu cầu không hợp lệ: ${parsed.problem}`, `bad request (${parsed.problem})`)
        const fields = parsed.fields
        const idNumber = fields['SoDinhDanh'] ?? ''
        if (!/^\d{12}$/.test(idNumber)) return fault(500, 'SoDinhDanh không hợp lệ', 'bad id')
        const person = this.seed.byId.get(idNumber)
        const id = fields['MaYeuCau'] || undefined
        switch (parsed.operation) {
          case 'TraCuuThongTinCongDan':
            return {
              contentType: SOAP_XML,
              body: soapEnvelope(congDanCollection(person ? [person.citizen] : [], this.profile, id)),
              outcome: person ? 'found' : 'not found',
            }
          case 'XacMinhThongTinNhanThan': {
            // Identity check: id, name and birth date (yyyyMMdd or yyyy) must all agree.
            const b = person?.citizen.birthDate
            const dob = fields['NgayThangNamSinh'] ?? ''
            const match =
              !!person &&
              !!b &&
              norm(person.citizen.fullName) === norm(fields['HoVaTen'] ?? '') &&
              (dob === String(b.year) || dob === b.date?.replace(/-/g, ''))
            return {
              contentType: SOAP_XML,
              body: soapEnvelope(xacMinhResponse(match ? [person.citizen] : [], this.profile, id)),
              outcome: match ? 'found' : 'not found',
            }
          }
          case 'XacThucThongTinCongDan': {
            const exists = !!person && norm(person.citizen.fullName) === norm(fields['HoVaTen'] ?? '')
            return { contentType: SOAP_XML, body: soapEnvelope(xacThucResponse(exists)), outcome: exists ? 'verified' : 'not verified' }
          }
        }
      })
    })
  }
}
