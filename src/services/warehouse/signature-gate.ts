import { Counter } from 'prom-client'
import { ConfigError } from '../../config/load.js'
import { createTransport, type Transport } from '../../http/transport.js'
import { RevocationChecker, transportFetcher } from '../../documents/revocation/index.js'
import { createSignatureChecker, type SignatureChecker } from '../../documents/signature/check.js'
import {
  decide,
  parseSignaturePolicy,
  PolicyError,
  type DocumentKind,
  type DocumentSource,
  type PolicyDecision,
  type SignaturePolicy,
} from '../../documents/signature/policy.js'
import type { SignatureCheck } from '../../documents/signature/types.js'
import type { ServiceContext } from '../context.js'

/** A checked file and what the policy decided for its source and kind. */
export interface GatedSignature {
  readonly check: SignatureCheck
  readonly decision: PolicyDecision
}

/** The signature gate every ingested file passes (local intake, the mirror, later the backlog import). */
export interface SignatureGate {
  readonly policy: SignaturePolicy
  readonly revocation?: RevocationChecker
  check(pdf: Buffer, source: DocumentSource, kind: DocumentKind): Promise<GatedSignature>
  close(): void
}

/** The evidence column's JSON: outcome extras, evidence and the decision (what `signature_evidence` holds). */
export function evidenceJson(g: GatedSignature): string {
  const { check, decision } = g
  return JSON.stringify({
    checkedAt: check.checkedAt,
    ...(check.digestAlgorithm ? { digestAlgorithm: check.digestAlgorithm } : {}),
    warnings: check.warnings,
    policy: decision,
    ...check.evidence,
  })
}

/** What every stored document keeps of its check: the signature columns, one mapping for intake, mirror and re-checks. */
export interface SignatureColumns {
  signatureStatus: string
  signatureReason: string | null
  signatureSigner: string | null
  signatureSignedAt: string | null
  signatureDecision: PolicyDecision['decision']
  signaturePolicy: string
  signatureReasons: readonly string[]
  signatureEvidence: string
}

export function signatureColumns(g: GatedSignature): SignatureColumns {
  const { check, decision } = g
  return {
    signatureStatus: check.status,
    signatureReason: check.reason ?? null,
    signatureSigner: check.signer?.subject ?? null,
    signatureSignedAt: check.signingTime ?? null,
    signatureDecision: decision.decision,
    signaturePolicy: decision.mode,
    signatureReasons: decision.reasons,
    signatureEvidence: evidenceJson(g),
  }
}

/** The first reason's code, for a metric label with few values (`invalid:signer_revoked` → `signer_revoked`). */
const reasonLabel = (d: PolicyDecision) => (d.reasons[0] ? (d.reasons[0].split(':')[1] ?? d.reasons[0]) : 'none')

export function createSignatureGate(ctx: ServiceContext, anchorsPem: readonly string[], signatures: Counter<'status'>): SignatureGate {
  const cfg = ctx.config
  let policy: SignaturePolicy
  try {
    policy = parseSignaturePolicy(cfg.SIGNATURE_POLICY)
  } catch (e) {
    if (e instanceof PolicyError) throw new ConfigError('SIGNATURE_POLICY', `config error: ${e.message}`)
    throw e
  }
  const cutoff = new Date(`${cfg.SIGNATURE_WEAK_CUTOFF}T00:00:00Z`)
  if (Number.isNaN(cutoff.getTime()) || cutoff.toISOString().slice(0, 10) !== cfg.SIGNATURE_WEAK_CUTOFF)
    throw new ConfigError('SIGNATURE_WEAK_CUTOFF', `config error: SIGNATURE_WEAK_CUTOFF ${cfg.SIGNATURE_WEAK_CUTOFF} is not a calendar date (YYYY-MM-DD)`)
  let transport: Transport | undefined
  let revocation: RevocationChecker | undefined
  if (cfg.REVOCATION_CHECK === 'on') {
    transport = createTransport({
      name: 'revocation',
      baseURL: '',
      timeoutMs: cfg.REVOCATION_TIMEOUT_MS,
      maxReplyBytes: cfg.REVOCATION_MAX_REPLY_BYTES,
      maxConcurrent: 16,
      logger: ctx.logger.child({ upstream: 'revocation' }),
      metrics: ctx.metrics,
    })
    revocation = new RevocationChecker(transportFetcher(transport), {
      cacheEntries: cfg.REVOCATION_CACHE_ENTRIES,
      defaultTtlMs: cfg.REVOCATION_DEFAULT_TTL_MS,
      unknownTtlMs: cfg.REVOCATION_UNKNOWN_TTL_MS,
      skewMs: 300_000,
    })
  }
  const checker: SignatureChecker = createSignatureChecker({
    trustAnchorsPem: anchorsPem,
    weak: { cutoff, minRsaBits: cfg.SIGNATURE_MIN_RSA_BITS },
    ...(revocation ? { revocation } : {}),
  })
  const decisions = new Counter({
    name: 'lgsp_hub_warehouse_signature_decisions_total',
    help: 'Signature policy decisions on ingested files by source, decision (pass, warn, blocked) and first reason',
    labelNames: ['source', 'decision', 'reason'] as const,
    registers: [ctx.metrics.registry],
  })
  return {
    policy,
    ...(revocation ? { revocation } : {}),
    async check(pdf, source, kind) {
      const check = await checker(pdf)
      const decision = decide(policy.mode(source, kind), check, cfg.REVOCATION_OFFLINE)
      signatures.labels(check.status).inc()
      decisions.labels(source, decision.decision, reasonLabel(decision)).inc()
      return { check, decision }
    },
    close: () => transport?.close(),
  }
}
