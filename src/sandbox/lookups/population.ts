import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { HandlerResult, SimKit, Simulator } from '../framework.js'
import { parsePopulationRequest } from '../../mappings/population/from-population.js'
import { buildCongDanReplyXml, buildSoapFaultXml, buildXacMinhReplyXml, buildXacThucReplyXml, wrapSoapEnvelope, type CongDanReplyProfile } from '../../mappings/population/to-population-xml.js'
import { hashedBasicDigest } from '../../http/auth/hashed-basic.js'
import type { LookupSeed } from './data.js'

const XML = 'text/xml; charset=utf-8'
const norm = (s: string) => s.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase()

/**
 * The population database (SOAP 1.1, document/literal, `dancu.wsdl`): replies are
 * built with the hub's own builders from the real XSDs (`xsd` profile: valid against
 * them; `full`: with the production extras). Checks the timestamped hashed Basic header
 * (`authUrl` = the simulator's own URL as the client sees it).
 */
export class PopulationSimulator implements Simulator {
  readonly id = 'population'
  /** Reply profile; tests switch to `xsd` to validate replies against the real XSDs. */
  profile: CongDanReplyProfile = 'full'
  readonly stats = { calls: 0, authFailures: 0 }

  constructor(
    private readonly seed: LookupSeed,
    private readonly creds = { username: 'sandbox', secretKey: 'sandbox' },
  ) {}

  /** Sandbox view: call counts and a few seeded (fictional) CCCD numbers to try lookups with. */
  state() {
    return { stats: this.stats, sampleIdNumbers: this.seed.people.slice(0, 5).map((p) => p.citizen.idNumber) }
  }

  private authorized(req: FastifyRequest): boolean {
    const ts = String(req.headers['timestamp'] ?? '')
    const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '')
    if (!m || !/^\d{10,}$/.test(ts) || Math.abs(Date.now() - Number(ts)) > 300_000) return false
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8')
    const i = decoded.indexOf(':')
    const user = decoded.slice(0, i)
    const authUrl = `http://${req.headers.host}/${this.id}`
    return user === this.creds.username && decoded.slice(i + 1) === hashedBasicDigest(authUrl, user, ts, this.creds.secretKey)
  }

  routes(app: FastifyInstance, kit: SimKit): void {
    app.post('/', async (req, reply) => {
      const parsed = typeof req.body === 'string' ? parsePopulationRequest(req.body) : undefined
      const op = parsed?.operation ?? 'unknown'
      return kit.handle(this.id, op, req, reply, (call): HandlerResult => {
        this.stats.calls++
        if (call.expiredSession || !this.authorized(req)) {
          this.stats.authFailures++
          return { status: 401, contentType: XML, body: buildSoapFaultXml('Client', 'Xác thực không thành công'), outcome: 'rejected: unauthorized' }
        }
        if (!parsed) return { status: 500, contentType: XML, body: buildSoapFaultXml('Client', 'Yêu cầu không hợp lệ'), outcome: 'rejected: bad request' }
        const f = parsed.fields
        if (!/^\d{12}$/.test(f['SoDinhDanh'] ?? '')) return { status: 500, contentType: XML, body: buildSoapFaultXml('Client', 'SoDinhDanh không hợp lệ'), outcome: 'rejected: bad id' }
        const person = this.seed.byId.get(f['SoDinhDanh'] ?? '')
        const id = f['MaYeuCau']
        const opts = { profile: this.profile, ...(id ? { id } : {}) }
        switch (parsed.operation) {
          case 'TraCuuThongTinCongDan':
            return { contentType: XML, body: wrapSoapEnvelope(buildCongDanReplyXml(person ? [person.citizen] : [], opts)), outcome: person ? 'found' : 'not found' }
          case 'XacMinhThongTinNhanThan': {
            // Identity check: id, name and birth date (yyyyMMdd or yyyy) must all agree.
            const b = person?.citizen.birthDate
            const dob = f['NgayThangNamSinh'] ?? ''
            const match = !!person && norm(person.citizen.fullName) === norm(f['HoVaTen'] ?? '') && !!b && (dob === String(b.year) || dob === b.date?.replace(/-/g, ''))
            return { contentType: XML, body: wrapSoapEnvelope(buildXacMinhReplyXml(match ? [person.citizen] : [], opts)), outcome: match ? 'found' : 'not found' }
          }
          case 'XacThucThongTinCongDan': {
            const exists = !!person && norm(person.citizen.fullName) === norm(f['HoVaTen'] ?? '')
            return { contentType: XML, body: wrapSoapEnvelope(buildXacThucReplyXml(exists)), outcome: exists ? 'verified' : 'not verified' }
          }
        }
      })
    })
  }
}
