import { createHash, randomBytes } from 'node:crypto'
import type * as pkijs from 'pkijs'
import type { Transport } from '../../http/transport.js'
import type { RevocationEvidence } from '../signature/types.js'
import { buildOcspRequest, hex, issuedBy, parseCertificate, readCrl, readOcspResponse, revocationPointers, serialHex, type ParsedCrl } from './parse.js'
import { iso } from '../../lib/time.js'

export { revocationPointers, parseCertificate } from './parse.js'

/** How the checker behaves; the defaults come from REVOCATION_* (src/config/schema.ts). */
export interface RevocationOptions {
  /** Entries kept in each cache (answers per certificate, CRLs per URL); the oldest goes first. */
  readonly cacheEntries: number
  /** How long an answer without nextUpdate is reused. */
  readonly defaultTtlMs: number
  /** How long an `unknown` (nobody answered) is reused before asking again: bounds upstream load during an outage. */
  readonly unknownTtlMs: number
  /** Clock skew tolerated on thisUpdate / nextUpdate. */
  readonly skewMs: number
}

/** The two HTTP exchanges revocation needs, bounded by the caller's transport (size, time, breaker). */
export interface RevocationFetcher {
  ocsp(url: string, request: Buffer): Promise<Buffer>
  crl(url: string): Promise<Buffer>
}

/** A fetcher over the shared transport (one deadline per call, reply size capped while streaming). */
export function transportFetcher(transport: Transport): RevocationFetcher {
  const bytes = (data: unknown) => (Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer))
  return {
    async ocsp(url, request) {
      const res = await transport.request<ArrayBuffer>(
        { operation: 'ocsp' },
        {
          method: 'POST',
          url,
          data: request,
          headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
          responseType: 'arraybuffer',
        },
      )
      return bytes(res.data)
    },
    async crl(url) {
      const res = await transport.request<ArrayBuffer>({ operation: 'crl', idempotent: true }, { method: 'GET', url, responseType: 'arraybuffer' })
      return bytes(res.data)
    },
  }
}

/** A small LRU with per-entry expiry. */
class TtlCache<V> {
  private readonly map = new Map<string, { value: V; until: number }>()
  constructor(private readonly max: number) {}
  get(key: string, now: number): V | undefined {
    const hit = this.map.get(key)
    if (!hit) return undefined
    if (hit.until <= now) {
      this.map.delete(key)
      return undefined
    }
    this.map.delete(key)
    this.map.set(key, hit)
    return hit.value
  }
  set(key: string, value: V, until: number): void {
    this.map.delete(key)
    while (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!)
    this.map.set(key, { value, until })
  }
  get size(): number {
    return this.map.size
  }
}

const short = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 200)

/**
 * Revocation status of a signer certificate: OCSP first (the responders named in its AIA),
 * then the CRLs of its distribution points. Answers are cached per certificate until their
 * nextUpdate (OCSP) or the CRL's nextUpdate, CRLs per URL likewise; both caches are bounded;
 * concurrent checks of one certificate share one upstream exchange. An answer nobody could give
 * is `unknown` (cached for `unknownTtlMs`); what that means for a document is the policy's
 * business (REVOCATION_OFFLINE, docs/signatures.md).
 */
export class RevocationChecker {
  private readonly answers: TtlCache<RevocationEvidence>
  private readonly crls: TtlCache<ParsedCrl>
  private readonly inflight = new Map<string, Promise<RevocationEvidence>>()
  private readonly crlInflight = new Map<string, Promise<ParsedCrl>>()
  /** Upstream exchanges made (OCSP and CRL), for metrics and tests. */
  readonly upstreamCalls = { ocsp: 0, crl: 0 }

  constructor(
    private readonly fetcher: RevocationFetcher,
    private readonly opts: RevocationOptions,
  ) {
    this.answers = new TtlCache(opts.cacheEntries)
    this.crls = new TtlCache(Math.max(1, Math.min(opts.cacheEntries, 256)))
  }

  /**
   * Checks `certDer` (issued by `issuerDer`). Undefined when the certificate names neither an
   * OCSP responder nor a CRL (nothing to ask).
   */
  async check(certDer: Buffer, issuerDer: Buffer, now = new Date()): Promise<RevocationEvidence | undefined> {
    const cert = parseCertificate(certDer)
    const issuer = parseCertificate(issuerDer)
    const pointers = revocationPointers(cert)
    if (pointers.ocsp.length === 0 && pointers.crl.length === 0) return undefined
    const key = `${createHash('sha256').update(issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).digest('hex')}|${serialHex(cert.serialNumber)}`
    const hit = this.answers.get(key, now.getTime())
    if (hit) return { ...hit, cached: true }
    let pending = this.inflight.get(key)
    if (!pending) {
      pending = this.ask(cert, issuer, pointers, now)
        .then((answer) => {
          this.answers.set(key, answer, this.expiry(answer, now.getTime()))
          return answer
        })
        .finally(() => this.inflight.delete(key))
      this.inflight.set(key, pending)
    }
    return pending
  }

  private expiry(a: RevocationEvidence, now: number): number {
    if (a.status === 'unknown') return now + this.opts.unknownTtlMs
    const next = a.nextUpdate ? Date.parse(a.nextUpdate) : NaN
    return Number.isFinite(next) ? Math.max(now, next) : now + this.opts.defaultTtlMs
  }

  private async ask(cert: pkijs.Certificate, issuer: pkijs.Certificate, pointers: { ocsp: string[]; crl: string[] }, now: Date): Promise<RevocationEvidence> {
    const errors: string[] = []
    const fetchedAt = new Date().toISOString()
    if (!issuedBy(cert, issuer)) return { status: 'unknown', fetchedAt, errors: ['the issuer certificate did not sign the signer certificate'] }
    for (const url of pointers.ocsp) {
      try {
        const query = await buildOcspRequest(cert, issuer, randomBytes(16))
        this.upstreamCalls.ocsp++
        const der = await this.fetcher.ocsp(url, query.der)
        const a = await readOcspResponse(der, query, issuer)
        this.fresh(a.thisUpdate, a.nextUpdate, now)
        if (a.status === 'unknown') {
          errors.push(`ocsp ${url}: responder does not know the certificate`)
          continue
        }
        return {
          status: a.status,
          source: 'ocsp',
          url,
          fetchedAt,
          producedAt: a.producedAt.toISOString(),
          thisUpdate: a.thisUpdate.toISOString(),
          ...(a.nextUpdate ? { nextUpdate: a.nextUpdate.toISOString() } : {}),
          ...(a.revokedAt ? { revokedAt: a.revokedAt.toISOString() } : {}),
          ...(a.reason ? { revocationReason: a.reason } : {}),
          ...(der.length <= 16_384 ? { ocspResponse: der.toString('base64') } : {}),
        }
      } catch (e) {
        errors.push(`ocsp ${url}: ${short(e)}`)
      }
    }
    for (const url of pointers.crl) {
      try {
        const crl = await this.crl(url, issuer, now)
        const entry = crl.revoked.get(serialHex(cert.serialNumber))
        return {
          status: entry ? 'revoked' : 'good',
          source: 'crl',
          url,
          fetchedAt,
          thisUpdate: crl.thisUpdate.toISOString(),
          ...(crl.nextUpdate ? { nextUpdate: iso(crl.nextUpdate) } : {}),
          ...(crl.number !== undefined ? { crlNumber: crl.number } : {}),
          crlSha256: crl.sha256,
          ...(entry ? { revokedAt: entry.at.toISOString(), ...(entry.reason ? { revocationReason: entry.reason } : {}) } : {}),
        }
      } catch (e) {
        errors.push(`crl ${url}: ${short(e)}`)
      }
    }
    return { status: 'unknown', fetchedAt, errors }
  }

  private fresh(thisUpdate: Date, nextUpdate: Date | undefined, now: Date): void {
    if (thisUpdate.getTime() > now.getTime() + this.opts.skewMs) throw new Error('answer dated in the future (thisUpdate)')
    if (nextUpdate && nextUpdate.getTime() < now.getTime() - this.opts.skewMs) throw new Error(`stale answer (nextUpdate ${nextUpdate.toISOString()})`)
  }

  private async crl(url: string, issuer: pkijs.Certificate, now: Date): Promise<ParsedCrl> {
    const key = `${url}|${hex(issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView).slice(0, 64)}`
    const hit = this.crls.get(key, now.getTime())
    if (hit) return hit
    let pending = this.crlInflight.get(key)
    if (!pending) {
      pending = (async () => {
        this.upstreamCalls.crl++
        const parsed = readCrl(await this.fetcher.crl(url), issuer)
        this.fresh(parsed.thisUpdate, parsed.nextUpdate, now)
        const until = parsed.nextUpdate ? parsed.nextUpdate.getTime() : now.getTime() + this.opts.defaultTtlMs
        this.crls.set(key, parsed, until)
        return parsed
      })().finally(() => this.crlInflight.delete(key))
      this.crlInflight.set(key, pending)
    }
    return pending
  }
}
