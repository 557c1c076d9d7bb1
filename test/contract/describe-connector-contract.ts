import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Connector, ConnectorContext } from '../../src/connectors/types.js'
import type { LookupAnswer } from '../../src/connectors/lookup-kit.js'
import { UpstreamError, upstreamToHubError } from '../../src/http/errors.js'
import type { SimTokenIssuer } from '../../src/sandbox/lookups/tokens.js'
import { startSandbox, type TestSandbox } from '../helpers/hub.js'
import { buildConnector } from '../helpers/connectors.js'
import { captureLogger } from '../helpers/logs.js'

/** What the contract needs to know about one connector (the lookups, DVCQG). */
export interface ConnectorContractTarget<C extends Connector, R = LookupAnswer<unknown>> {
  /** Connector id = simulator id. */
  id: string
  /** Config prefix of the connector (`POPULATION`…): `<prefix>_BASE_URL` points at the simulator. */
  prefix: string
  factory: (ctx: ConnectorContext) => C
  /** Sandbox operation name of `found`/`missing` (fault injection, recorder). */
  operation: string
  /** Sandbox operation of `rejected` when it differs from `operation`. */
  rejectedOperation?: string
  /** A read of a subject the sandbox holds. */
  found(c: C, sb: TestSandbox): Promise<R>
  /** A read of a well-formed subject the sandbox does not hold. */
  missing(c: C, sb: TestSandbox): Promise<R>
  /** What a read answered (default: the lookup answer's `kind`). */
  kindOf?(r: R): 'found' | 'not_found'
  /** A call the upstream refuses (SOAP Client fault / error_code 02 / portal refusal). */
  rejected(c: C, sb: TestSandbox): Promise<unknown>
  /** Settings giving the connector a 400 ms timeout and a volume-proof breaker (default: the LOOKUP_* ones). */
  env?: Record<string, string | number>
  /** Calls a failing idempotent read makes in all (default 2: LOOKUP_READ_RETRIES=1). */
  attempts?: number
  /** Credential requests so far (token or session logins) when the connector obtains credentials. */
  credentialRequests?(sb: TestSandbox): number
  /** Revokes every credential the upstream issued, when the simulator can. */
  revokeCredentials?(sb: TestSandbox): void
}

/** The OAuth2 hooks of a lookup whose simulator issues tokens. */
export const oauthTokens = (tokens: (sb: TestSandbox) => SimTokenIssuer) => ({
  credentialRequests: (sb: TestSandbox) => tokens(sb).tokenRequests,
  revokeCredentials: (sb: TestSandbox) => tokens(sb).revokeAll(),
})

const LOOKUP_ENV = { LOOKUP_TIMEOUT_MS: 400, LOOKUP_READ_RETRIES: 1, LOOKUP_BREAKER_VOLUME: 1000 }
const TIMEOUT_MS = 400

async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(UpstreamError)
    return e as UpstreamError
  }
  throw new Error('expected the call to fail')
}

/**
 * The contract every connector honours, run against its sandbox simulator over real
 * HTTP: check(), found / not found, error mapping of 5xx, timeouts, proxy pages and
 * unreadable replies, upstream rejections, bounded retries, auth refresh.
 */
export function describeConnectorContract<C extends Connector, R = LookupAnswer<unknown>>(name: string, target: ConnectorContractTarget<C, R>): void {
  const attempts = target.attempts ?? 2
  const kind = (r: R) => (target.kindOf ? target.kindOf(r) : (r as LookupAnswer<unknown>).kind)
  describe(`connector contract: ${name}`, () => {
    let sb: TestSandbox
    let built: ReturnType<typeof buildConnector<C>>
    const logs = captureLogger('debug')
    const count = (operation = target.operation) => sb.kit.recorder.query({ sim: target.id, operation }).length
    beforeAll(async () => {
      sb = await startSandbox(7)
    })
    afterAll(async () => {
      await sb.close()
    })
    beforeEach(() => {
      built = buildConnector(target.factory, { [`${target.prefix}_BASE_URL`]: `${sb.url}/${target.id}`, ...(target.env ?? LOOKUP_ENV) }, logs.logger)
    })
    afterEach(() => {
      built.close()
      sb.kit.faults.clear()
      sb.kit.recorder.clear()
    })

    it('check() succeeds against a healthy upstream and fails when it is down', async () => {
      const ok = await built.connector.check()
      expect(ok.ok).toBe(true)
      sb.kit.faults.set(target.id, '*', { errorRate: 1, errorStatus: 503 })
      const down = await built.connector.check()
      expect(down.ok).toBe(false)
    })

    it('answers found for a known subject and not_found for an unknown one', async () => {
      expect(kind(await target.found(built.connector, sb))).toBe('found')
      expect(kind(await target.missing(built.connector, sb))).toBe('not_found')
    })

    it('maps a 5xx proxy page to http (503 UNAVAILABLE) after the bounded retries', async () => {
      sb.kit.faults.set(target.id, target.operation, { errorRate: 1, errorStatus: 502 })
      const err = await failure(target.found(built.connector, sb))
      expect(err.kind).toBe('http')
      expect(err.status).toBe(502)
      expect(upstreamToHubError(err).code).toBe('HUB_ERR_UPSTREAM_UNAVAILABLE')
      expect(count()).toBe(attempts)
    })

    it('maps a hang to a timeout (504) within the configured timeout', async () => {
      sb.kit.faults.set(target.id, target.operation, { hangRate: 1 })
      const t = performance.now()
      const err = await failure(target.found(built.connector, sb))
      expect(err.kind).toBe('timeout')
      expect(upstreamToHubError(err).code).toBe('HUB_ERR_UPSTREAM_TIMEOUT')
      expect(performance.now() - t).toBeLessThan(attempts * TIMEOUT_MS + 600)
    })

    it('maps an unreadable 200 reply to malformed (502 BAD_REPLY)', async () => {
      sb.kit.faults.set(target.id, target.operation, { malformedRate: 1 })
      const err = await failure(target.found(built.connector, sb))
      expect(err.kind).toBe('malformed')
      expect(upstreamToHubError(err).code).toBe('HUB_ERR_UPSTREAM_BAD_REPLY')
    })

    it('maps an upstream rejection (SOAP Client fault / error_code 02) to rejected, not retried', async () => {
      const err = await failure(target.rejected(built.connector, sb))
      expect(err.kind).toBe('rejected')
      expect(upstreamToHubError(err).code).toBe('HUB_ERR_UPSTREAM_REJECTED')
      expect(count(target.rejectedOperation)).toBe(1)
    })

    it('a reset connection is a network error (503)', async () => {
      sb.kit.faults.set(target.id, target.operation, { resetRate: 1 })
      const err = await failure(target.found(built.connector, sb))
      expect(err.kind).toBe('network')
      expect(upstreamToHubError(err).status).toBe(503)
    })

    it('credentials refused: refreshed once (OAuth2 token, DVCQG session) or reported, never looped', async () => {
      sb.kit.faults.set(target.id, target.operation, { expiredSessionRate: 1 })
      await target.found(built.connector, sb).catch(() => undefined)
      const before = target.credentialRequests?.(sb) ?? 0
      const err = await failure(target.found(built.connector, sb))
      expect([401, undefined]).toContain(err.status)
      expect(['http', 'auth']).toContain(err.kind)
      if (target.credentialRequests) expect(target.credentialRequests(sb) - before).toBe(1)
      sb.kit.faults.clear()
      expect(kind(await target.found(built.connector, sb))).toBe('found')
    })

    it('its logs (debug level, all the cases above) hold no clear identity number or name', () => {
      const text = logs.text()
      expect(text).toContain('upstream call failed')
      const seed = sb.sims.lookups.seed
      for (const p of seed.people) {
        expect(text.includes(p.citizen.idNumber)).toBe(false)
        expect(text.includes(p.citizen.fullName)).toBe(false)
        expect(text.includes(p.bhxhNumber)).toBe(false)
      }
      for (const b of seed.businesses) expect(text.includes(b.representative.idNumber)).toBe(false)
    })

    if (target.revokeCredentials && target.credentialRequests) {
      it('a credential revoked upstream is refreshed once and the call succeeds', async () => {
        expect(kind(await target.found(built.connector, sb))).toBe('found')
        const before = target.credentialRequests!(sb)
        target.revokeCredentials!(sb)
        await new Promise((r) => setTimeout(r, 5))
        expect(kind(await target.found(built.connector, sb))).toBe('found')
        expect(target.credentialRequests!(sb) - before).toBe(1)
      })
    }
  })
}
