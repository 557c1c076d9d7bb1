import type { LookupAnswer } from '../../connectors/lookup-kit.js'
import type { LookupCall, LookupDefinition, LookupEndpoint } from '../../connectors/lookup-definition.js'
import { HubError, isHubError } from '../../errors.js'
import { UpstreamError, upstreamToHubError } from '../../http/errors.js'
import type { AuditEntry, AuditQuery } from '../../../schemas/v1/lookups.js'
import type { AuditWriter } from '../../audit/index.js'
import { requireConnector, type ServiceContext } from '../context.js'
import { auditBeforeServing, purposeCatalogue, requirePurpose } from '../../audit/purpose.js'
import { validateDossierCode } from '../../validation/identifiers.js'

export type { LookupCall } from '../../connectors/lookup-definition.js'

export interface LookupReply<T> {
  data: T
  source: { upstream: string; reference?: string; retrievedAt: string }
}

/**
 * Identity and registry lookups: validate the identifier, ask the national system
 * through its connector (breaker, timeout, bounded read retry on the shared
 * transport), translate the answer, and write one audit row per lookup of personal
 * data (client, purpose, hashed subject, outcome, latency, request id), durable before
 * the answer leaves (docs/audit-coverage.md). What each lookup checks and calls is
 * declared by its connector (src/connectors/<id>/lookup.ts).
 */
export class LookupService {
  readonly audit: AuditWriter
  private readonly purposes: ReadonlySet<string>
  /** `onDossierLookup`: told when a lookup whose purpose is a dossier code was answered (the indicator facts). */
  constructor(
    private readonly ctx: ServiceContext,
    private readonly onDossierLookup?: (dossierCode: string) => Promise<void>,
  ) {
    this.audit = ctx.audit
    this.purposes = purposeCatalogue(ctx.config.AUDIT_PURPOSES)
  }

  /** Answers one request of `endpoint`, a route of the lookup connector `def`. */
  lookup(def: LookupDefinition, endpoint: LookupEndpoint, request: { params: unknown; body: unknown }, call: LookupCall): Promise<LookupReply<unknown>> {
    // Identifiers first: a bad one is a 400 naming the rule, and nothing leaves the hub.
    const prepared = endpoint.prepare(request)
    const spec = { service: endpoint.service, action: prepared.action ?? endpoint.action, upstream: def.id, subjectId: prepared.subjectId }
    return this.run(spec, call, () => prepared.run(requireConnector(this.ctx.connectors, def.id), call))
  }

  auditQuery(q: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor?: string }> {
    return this.audit.query(q)
  }

  /** Runs one audited lookup and maps its outcome to the API. */
  private async run<T>(
    spec: { service: string; action: string; upstream: string; subjectId: string },
    call: LookupCall,
    fn: () => Promise<LookupAnswer<T> & { auditOutcome?: string }>,
  ): Promise<LookupReply<T>> {
    const purpose = requirePurpose(call.purpose, this.purposes)
    const started = performance.now()
    const entry = (outcome: string, status: number, upstreamRef?: string) => ({
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
    // Personal data (or the fact that a person is unknown) leaves only once its record is durable.
    const durable = (outcome: string, status: number, upstreamRef?: string) =>
      auditBeforeServing(this.audit, entry(outcome, status, upstreamRef), { mode: this.ctx.config.AUDIT_DEGRADED_MODE, logger: this.ctx.logger })
    let answer: LookupAnswer<T> & { auditOutcome?: string }
    try {
      answer = await fn()
    } catch (e) {
      const err = e instanceof UpstreamError ? upstreamToHubError(e) : isHubError(e) ? e : new HubError('HUB_ERR_INTERNAL', 'lookup failed', { cause: e })
      // No personal data in a failure: its record is written (a failed write does not hide the error). An open
      // circuit asked no one and touched no data: it is counted in metrics, not audited, so that shedding load
      // stays a matter of milliseconds (docs/audit-coverage.md).
      if (err.code !== 'HUB_ERR_CIRCUIT_OPEN')
        await this.audit
          .write(entry(err.code, err.status))
          .catch((w: Error) =>
            this.ctx.logger.error(
              { err: { type: w.name, message: String(w.message).slice(0, 200) }, requestId: call.requestId },
              'audit record of a failed lookup not written',
            ),
          )
      throw err
    }
    if (answer.kind === 'not_found') {
      await durable('not_found', 404, answer.upstreamRef)
      this.noteDossierLookup(purpose)
      throw new HubError('HUB_ERR_UPSTREAM_NOT_FOUND', `The ${spec.upstream} system has no record for this ${spec.action.split('.')[0]} key.`, {
        extra: { upstream: spec.upstream },
      })
    }
    await durable(answer.auditOutcome ?? 'found', 200, answer.upstreamRef)
    this.noteDossierLookup(purpose)
    return {
      data: answer.value,
      source: { upstream: spec.upstream, ...(answer.upstreamRef ? { reference: answer.upstreamRef } : {}), retrievedAt: new Date().toISOString() },
    }
  }

  /** A national database answered for a dossier: its indicator facts say so (best effort; the audit record is the truth). */
  private noteDossierLookup(purpose: string): void {
    if (!this.onDossierLookup || !validateDossierCode(purpose).ok) return
    this.onDossierLookup(purpose).catch((e: Error) =>
      this.ctx.logger.warn({ err: { type: e.name, message: String(e.message).slice(0, 200) } }, 'indicator facts: lookup mark not written'),
    )
  }
}
