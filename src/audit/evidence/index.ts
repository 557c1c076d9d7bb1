import { createPublicKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { HubConfig } from '../../config/schema.js'
import { DiskBlobStore } from '../../documents/blob-store/index.js'
import { loadSigningKey, type AuditSigner } from './signer.js'

export { verifyAuditLog, type VerifyReport, type VerifyProblem } from './verify.js'
export { proveRecord, ProofError, type AuditProof } from './proof.js'
export { AuditSigner, verifyCheckpointSignature } from './signer.js'
export { archiveOldSegments } from './archive.js'

export type AuditEvidenceConfig = Pick<HubConfig, 'NODE_ENV' | 'DATA_DIR' | 'AUDIT_SIGNING_KEY_FILE' | 'AUDIT_TRUSTED_KEYS_FILE' | 'AUDIT_ARCHIVE_DIR'>

/** What the chain's writers and verifiers need: the signing key, the keys to trust, the archive store. */
export interface AuditEvidence {
  signer: AuditSigner
  /** Set when the development key was generated just now (the caller warns). */
  generatedKey?: string
  publicKeys: KeyObject[]
  archive: DiskBlobStore
}

/** Every PEM public key (or certificate) in a file. */
function readPublicKeys(file: string): KeyObject[] {
  const text = readFileSync(file, 'utf8')
  const blocks = text.match(/-----BEGIN [A-Z ]+-----[^-]+-----END [A-Z ]+-----/g) ?? []
  return blocks.map((b) => createPublicKey(b))
}

export function openAuditEvidence(cfg: AuditEvidenceConfig): AuditEvidence {
  const { signer, path, generated } = loadSigningKey({ file: cfg.AUDIT_SIGNING_KEY_FILE, dataDir: cfg.DATA_DIR, production: cfg.NODE_ENV === 'production' })
  return {
    signer,
    ...(generated ? { generatedKey: path } : {}),
    publicKeys: [signer.publicKey, ...(cfg.AUDIT_TRUSTED_KEYS_FILE ? readPublicKeys(cfg.AUDIT_TRUSTED_KEYS_FILE) : [])],
    archive: new DiskBlobStore(cfg.AUDIT_ARCHIVE_DIR || join(cfg.DATA_DIR, 'audit-archive')),
  }
}
