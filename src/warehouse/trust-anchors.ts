import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HubConfig } from '../config/schema.js'

type Cfg = Pick<HubConfig, 'DATA_DIR' | 'NODE_ENV' | 'WAREHOUSE_TRUST_ANCHORS_FILE'>

/** Where the sandbox writes its signing root for a first run. */
export const sandboxTrustAnchorsPath = (cfg: Pick<HubConfig, 'DATA_DIR'>) => join(cfg.DATA_DIR, 'sandbox-trust-anchors.pem')

/** Writes the sandbox root (its keys are made per process, so it is rewritten at every start). */
export async function exportSandboxTrustAnchors(cfg: Pick<HubConfig, 'DATA_DIR'>, pem: string): Promise<void> {
  mkdirSync(cfg.DATA_DIR, { recursive: true })
  writeFileSync(sandboxTrustAnchorsPath(cfg), pem.endsWith('\n') ? pem : `${pem}\n`)
}

/** Splits a PEM bundle into its certificates. */
export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
}

/**
 * The trust anchors of warehouse signatures: WAREHOUSE_TRUST_ANCHORS_FILE, else (outside
 * production) the sandbox root exported to DATA_DIR, else none (every signer is then untrusted).
 */
export function loadTrustAnchors(cfg: Cfg): { pems: string[]; source: string } {
  if (cfg.WAREHOUSE_TRUST_ANCHORS_FILE) {
    let text: string
    try {
      text = readFileSync(cfg.WAREHOUSE_TRUST_ANCHORS_FILE, 'utf8')
    } catch (e) {
      throw new Error(`WAREHOUSE_TRUST_ANCHORS_FILE ${cfg.WAREHOUSE_TRUST_ANCHORS_FILE} cannot be read: ${(e as Error).message}`)
    }
    const pems = splitPem(text)
    if (pems.length === 0) throw new Error(`WAREHOUSE_TRUST_ANCHORS_FILE ${cfg.WAREHOUSE_TRUST_ANCHORS_FILE} holds no PEM certificate`)
    return { pems, source: cfg.WAREHOUSE_TRUST_ANCHORS_FILE }
  }
  const sandbox = sandboxTrustAnchorsPath(cfg)
  if (cfg.NODE_ENV !== 'production' && existsSync(sandbox)) return { pems: splitPem(readFileSync(sandbox, 'utf8')), source: sandbox }
  return { pems: [], source: 'none' }
}
