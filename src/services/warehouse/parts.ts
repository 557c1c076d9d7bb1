import { setMaxListeners } from 'node:events'
import { join } from 'node:path'
import { Counter } from 'prom-client'
import type { DvcqgApi } from '../../connectors/dvcqg/index.js'
import { DiskBlobStore, type BlobStore } from '../../documents/blob-store/index.js'
import { loadTrustAnchors } from '../../documents/trust-anchors.js'
import { createSignatureGate, type SignatureGate } from './signature-gate.js'
import { requireConnector, type ServiceContext } from '../context.js'
import { DocumentRepository } from './document/repository.js'

/**
 * What the warehouse sub-capabilities (mirror, intake + push, reuse, stats, blob sweep)
 * share, built once per hub: the blob store every file goes to, the signature check every
 * ingested file passes, the agency recorded on documents, and the DVCQG connector.
 */
export interface WarehouseParts {
  readonly ctx: ServiceContext
  readonly blobs: BlobStore
  /** Where the trust anchors of signature checks came from (a file, the sandbox root, or none). */
  readonly trustAnchorsSource: string
  /** Agency recorded on mirrored documents and on local ones that name none (statistics). */
  readonly agency: string
  readonly documents: DocumentRepository
  /** Signature outcomes of ingested files, mirrored and local alike. */
  readonly signatures: Counter<'status'>
  /** The full check (weak algorithms, revocation) and the policy's decision per source and kind. */
  readonly gate: SignatureGate
  /** The DVCQG connector, or 503 HUB_ERR_CONNECTOR_DISABLED when this hub does not talk to it. */
  dvcqg(): DvcqgApi
}

export function createWarehouseParts(ctx: ServiceContext): WarehouseParts {
  const cfg = ctx.config
  // Every in-flight download listens to the shutdown signal.
  setMaxListeners(0, ctx.shutdownSignal)
  const anchors = loadTrustAnchors(cfg)
  if (anchors.pems.length === 0)
    ctx.logger.warn('no trust anchors for warehouse signatures (WAREHOUSE_TRUST_ANCHORS_FILE): every signed file will be recorded as untrusted')
  const signatures = new Counter({
    name: 'lgsp_hub_warehouse_signatures_total',
    help: 'Signature outcomes of ingested files',
    labelNames: ['status'] as const,
    registers: [ctx.metrics.registry],
  })
  return {
    ctx,
    gate: createSignatureGate(ctx, anchors.pems, signatures),
    blobs: new DiskBlobStore(cfg.BLOB_DIR || join(cfg.DATA_DIR, 'blobs')),
    trustAnchorsSource: anchors.source,
    agency: cfg.WAREHOUSE_AGENCY_CODE || cfg.DVCQG_UNIT_CODE,
    documents: new DocumentRepository(ctx.db),
    signatures,
    dvcqg: () => requireConnector<DvcqgApi>(ctx.connectors, 'dvcqg'),
  }
}

/**
 * Runs `pass` every RECONCILE_INTERVAL_MS (unref'd timer); a failed pass is logged and the
 * next one tries again. Returns the stop function.
 */
export function startReconciler(ctx: ServiceContext, name: string, pass: () => Promise<Record<string, number>>): () => void {
  const tick = async () => {
    try {
      const n = await pass()
      if (Object.values(n).some((v) => v > 0)) ctx.logger.info(n, `${name} reconciler re-enqueued work`)
    } catch (e) {
      ctx.logger.warn({ err: { message: (e as Error).message } }, `${name} reconciler pass failed`)
    }
  }
  const timer = setInterval(() => void tick(), ctx.config.RECONCILE_INTERVAL_MS)
  timer.unref()
  return () => clearInterval(timer)
}
