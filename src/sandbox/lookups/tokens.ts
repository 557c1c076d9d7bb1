import { randomBytes } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { SimKit } from '../framework.js'

/**
 * An OAuth2 client-credentials token endpoint for a simulator (`POST <sim>/token`),
 * with tokens that expire after `ttlSec` and can be revoked all at once, so the
 * hub's refresh paths are exercised. Counts token requests (tests assert "exactly one").
 */
export class SimTokenIssuer {
  private tokens = new Map<string, number>()
  tokenRequests = 0
  constructor(
    private readonly sim: string,
    public ttlSec = 300,
    private readonly clientId = 'sandbox',
    private readonly clientSecret = 'sandbox',
  ) {}

  routes(app: FastifyInstance, kit: SimKit): void {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(String(body)))),
    )
    app.post('/token', (req, reply) =>
      kit.handle(this.sim, 'token', req, reply, () => {
        this.tokenRequests++
        const f = (req.body ?? {}) as Record<string, string>
        if (f['grant_type'] !== 'client_credentials' || f['client_id'] !== this.clientId || f['client_secret'] !== this.clientSecret) {
          return { status: 401, body: { error: 'invalid_client' }, outcome: 'rejected: invalid_client' }
        }
        const token = randomBytes(18).toString('base64url')
        this.tokens.set(token, Date.now() + this.ttlSec * 1000)
        return { body: { access_token: token, token_type: 'Bearer', expires_in: this.ttlSec }, outcome: 'issued' }
      }),
    )
  }

  /** True when the request carries a live bearer token. */
  valid(req: FastifyRequest): boolean {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')
    const exp = m ? this.tokens.get(m[1]!) : undefined
    return exp !== undefined && exp > Date.now()
  }

  /** Every issued token stops working (server-side expiry mid-load). */
  revokeAll(): void {
    this.tokens.clear()
  }

  reset(): void {
    this.tokens.clear()
    this.tokenRequests = 0
  }
}

export const UNAUTHORIZED_ENVELOPE = { error_code: '03', message: 'Token không hợp lệ hoặc đã hết hạn' }
