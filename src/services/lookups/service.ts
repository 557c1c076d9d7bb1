import type { Connector } from '../../connectors/types.js'
import type { LookupAnswer } from '../../connectors/lookup-kit.js'
import type { PopulationApi } from '../../connectors/population/index.js'
import type { BusinessRegistryApi } from '../../connectors/business-registry/index.js'
import type { TaxApi } from '../../connectors/tax/index.js'
import type { BhxhApi } from '../../connectors/bhxh/index.js'
import type { CivilStatusApi } from '../../connectors/civil-status/index.js'
import { HubError, fieldError, isHubError } from '../../errors.js'
import { UpstreamError, upstreamToHubError } from '../../http/errors.js'
import type { CivilStatusKind, CivilStatusRecord } from '../../mappings/registry/from-civil-status.js'
import type { Business } from '../../mappings/registry/from-business-registry.js'
import type { Taxpayer } from '../../mappings/registry/from-tax.js'
import type { InsuranceParticipation } from '../../mappings/registry/from-bhxh.js'
import type { Citizen } from '../../mappings/population/types.js'
import { validateBhxh, validateCccd, validateMst, type IdResult } from '../../validation/identifiers.js'
import type { AuditEntry, AuditQuery, CitizenVerifyBody } from '../../../schemas/v1/lookups.js'
import type { AuditWriter } from '../../audit/index.js'
import type { ServiceContext } from '../index.js'

/** Who asks, and why (the `x-purpose` header), for one lookup. */
export interface LookupCall {
  clientId: string
  requestId: string
  purpose: string | undefined
}

export interface LookupReply<T> {
  data: T
  source: { upstream: string; reference?: string; retrievedAt: string }
}


const PURPOSE = /^[\p{L}\p{N} .,:;/_()#-]{1,200}$/u

/** Identifier check at the edge: a 400 naming the rule, before anything leaves the hub. */
function requireValid<I>(field: string, r: IdResult<I>): string {
  if (!r.ok) throw fieldError(field, r.message, r.rule, 'HUB_ERR_BAD_IDENTIFIER')
  return r.value
}

/**
 * Identity and registry lookups: validate the identifier, ask the national system
 * through its connector (breaker, timeout, bounded read retry on the shared
 * transport), translate the answer, and write one audit row per lookup of personal
 * data (client, purpose, hashed subject, outcome, latency, request id).
 */
export class LookupService {
  readonly audit: AuditWriter
  constructor(private readonly ctx: ServiceContext) {
    this.audit = ctx.audit
  }

  private connector<C extends Connector>(id: string): C {
    const c = this.ctx.connectors.get(id)
    if (!c) throw new HubError('HUB_ERR_DEPENDENCY_DOWN', `the ${id} connector is not enabled on this hub (CONNECTORS_ENABLED)`, { retryAfter: 60, extra: { upstream: id } })
    return c as C
  }

  private purpose(call: LookupCall): string {
    const p = call.purpose?.trim()
    if (!p) throw fieldError('/headers/x-purpose', 'Lookups of personal data need a declared purpose in the x-purpose header (e.g. the dossier code).', 'HUB_PURPOSE_REQUIRED')
    if (!PURPOSE.test(p)) throw fieldError('/headers/x-purpose', 'x-purpose must be 1 to 200 letters, digits, spaces or . , : ; / _ ( ) # -', 'HUB_PURPOSE_FORMAT')
    return p
  }

  /** Runs one audited lookup and maps its outcome to the API. */
  private async run<T>(
    spec: { service: string; action: string; upstream: string; subjectId: string },
    call: LookupCall,
    fn: () => Promise<LookupAnswer<T>>,
  ): Promise<LookupReply<T>> {
    const purpose = this.purpose(call)
    const started = performance.now()
    const audit = (outcome: string, status: number, upstreamRef?: string) =>
      this.audit.record({
        service: spec.service,
        action: spec.action,
        subjectId: spec.subjectId,
        requestId: call.requestId,
        clientId: call.clientId,
        purpose,
        outcome,
        status,
        latencyMs: performance.now() - started,
        detail: { upstream: spec.upstream, ...(upstreamRef ? { upstreamRef } : {}) },
      })
    let answer: LookupAnswer<T>
    try {
      answer = await fn()
    } catch (e) {
      const err = e instanceof UpstreamError ? upstreamToHubError(e) : isHubError(e) ? e : new HubError('HUB_ERR_INTERNAL', 'lookup failed', { cause: e })
      audit(err.code, err.status)
      throw err
    }
    if (answer.kind === 'not_found') {
      audit('not_found', 404, answer.upstreamRef)
      throw new HubError('HUB_ERR_UPSTREAM_NOT_FOUND', `The ${spec.upstream} system has no record for this ${spec.action.split('.')[0]} key.`, { extra: { upstream: spec.upstream } })
    }
    audit('found', 200, answer.upstreamRef)
    return { data: answer.value, source: { upstream: spec.upstream, ...(answer.upstreamRef ? { reference: answer.upstreamRef } : {}), retrievedAt: new Date().toISOString() } }
  }

  citizen(idNumber: string, call: LookupCall): Promise<LookupReply<Citizen>> {
    const id = requireValid('/params/idNumber', validateCccd(idNumber, new Date()))
    return this.run({ service: 'citizens', action: 'citizen.lookup', upstream: 'population', subjectId: id }, call, async () => {
      const r = await this.connector<PopulationApi>('population').lookup({ requestId: call.requestId, idNumber: id })
      if (r.kind !== 'found') return r
      const first = r.value.find((c) => c.idNumber === id) ?? r.value[0]!
      return { kind: 'found', value: first, ...(r.upstreamRef ? { upstreamRef: r.upstreamRef } : {}) }
    })
  }

  verifyCitizen(body: CitizenVerifyBody, call: LookupCall): Promise<LookupReply<{ verified: boolean }>> {
    const id = requireValid('/body/idNumber', validateCccd(body.idNumber, new Date()))
    const fullName = body.fullName.normalize('NFC').replace(/\s+/g, ' ').trim()
    if (!fullName) throw fieldError('/body/fullName', 'fullName must not be blank', 'HUB_NAME_REQUIRED')
    return this.run({ service: 'citizens', action: 'citizen.verify', upstream: 'population', subjectId: id }, call, async () => {
      const population = this.connector<PopulationApi>('population')
      if (body.birthDate === undefined) {
        const r = await population.verify({ requestId: call.requestId, idNumber: id, fullName })
        return r.kind === 'found' ? { kind: 'found', value: { verified: r.value.exists } } : { kind: 'found', value: { verified: false } }
      }
      const birthDate = body.birthDate.length === 4 ? { year: Number(body.birthDate) } : { date: body.birthDate }
      const r = await population.identify({ requestId: call.requestId, idNumber: id, fullName, birthDate })
      // A verification is answered either way: "no such person with these details" is `false`, not 404.
      return { kind: 'found', value: { verified: r.kind === 'found' }, ...(r.upstreamRef ? { upstreamRef: r.upstreamRef } : {}) }
    })
  }

  business(taxCode: string, call: LookupCall): Promise<LookupReply<Business>> {
    const mst = requireValid('/params/taxCode', validateMst(taxCode))
    return this.run({ service: 'businesses', action: 'business.lookup', upstream: 'business-registry', subjectId: mst }, call, () =>
      this.connector<BusinessRegistryApi>('business-registry').enterprise(mst),
    )
  }

  taxpayer(taxCode: string, call: LookupCall): Promise<LookupReply<Taxpayer>> {
    const mst = requireValid('/params/taxCode', validateMst(taxCode))
    return this.run({ service: 'taxpayers', action: 'taxpayer.lookup', upstream: 'tax', subjectId: mst }, call, () =>
      this.connector<TaxApi>('tax').taxpayer(mst, { requestId: call.requestId }),
    )
  }

  insurance(number: string, call: LookupCall): Promise<LookupReply<InsuranceParticipation>> {
    const n = number.trim()
    // 12 digits: a CCCD; anything else is read as a BHXH number (and its rules name the problem).
    const key = /^\d{12}$/.test(n) ? { idNumber: requireValid('/params/number', validateCccd(n, new Date())) } : { bhxhNumber: requireValid('/params/number', validateBhxh(n)) }
    return this.run({ service: 'insurance', action: 'insurance.lookup', upstream: 'bhxh', subjectId: n }, call, () =>
      this.connector<BhxhApi>('bhxh').participation(key, { requestId: call.requestId }),
    )
  }

  civilStatus(kind: CivilStatusKind, id: string, call: LookupCall): Promise<LookupReply<CivilStatusRecord>> {
    const idNumber = requireValid('/params/id', validateCccd(id, new Date()))
    return this.run({ service: 'civil-status', action: `civil-status.${kind}`, upstream: 'civil-status', subjectId: idNumber }, call, () =>
      this.connector<CivilStatusApi>('civil-status').extract(kind, { idNumber }, { requestId: call.requestId }),
    )
  }

  auditQuery(q: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor?: string }> {
    return this.audit.query(q)
  }

}
