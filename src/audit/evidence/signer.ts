import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto'
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { checkpointMessage, type CheckpointBody } from './canonical.js'

/** Hex SHA-256 of the SubjectPublicKeyInfo (DER), first 32 hex digits. */
export function keyIdOf(pub: KeyObject): string {
  return createHash('sha256')
    .update(pub.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 32)
}

/** The hub's checkpoint key (Ed25519, or any key node:crypto signs with: ECDSA P-256 with SHA-256). */
export class AuditSigner {
  readonly publicKey: KeyObject
  readonly keyId: string
  constructor(private readonly privateKey: KeyObject) {
    this.publicKey = createPublicKey(privateKey)
    this.keyId = keyIdOf(this.publicKey)
  }

  static fromPem(pem: string | Buffer): AuditSigner {
    return new AuditSigner(createPrivateKey(pem))
  }

  publicKeyPem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString()
  }

  /** Base64 signature of the canonical checkpoint body. */
  sign(body: CheckpointBody): string {
    const alg = this.privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256'
    return sign(alg, checkpointMessage(body), this.privateKey).toString('base64')
  }
}

/** Checks a checkpoint signature with a public key alone. */
export function verifyCheckpointSignature(body: CheckpointBody, signatureB64: string, pub: KeyObject): boolean {
  const alg = pub.asymmetricKeyType === 'ed25519' ? null : 'sha256'
  try {
    return verify(alg, checkpointMessage(body), pub, Buffer.from(signatureB64, 'base64'))
  } catch {
    return false
  }
}

/**
 * The signing key: AUDIT_SIGNING_KEY_FILE (PEM, PKCS#8) when set. Unset: outside production a key
 * is generated once into DATA_DIR/audit-signing-key.pem (`generated` true: the caller warns);
 * in production unset is an error (thrown as a message for the composition root to report).
 */
export function loadSigningKey(opts: { file: string; dataDir: string; production: boolean }): { signer: AuditSigner; path: string; generated: boolean } {
  if (opts.file) return { signer: AuditSigner.fromPem(readFileSync(opts.file)), path: opts.file, generated: false }
  if (opts.production) throw new Error('AUDIT_SIGNING_KEY_FILE must name the PEM file of the audit checkpoint key in production')
  const path = join(opts.dataDir, 'audit-signing-key.pem')
  if (existsSync(path)) return { signer: AuditSigner.fromPem(readFileSync(path)), path, generated: false }
  mkdirSync(dirname(path), { recursive: true })
  const { privateKey } = generateKeyPairSync('ed25519')
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
  try {
    // link() fails if another process created the key first: then both use that one.
    linkSync(tmp, path)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
  } finally {
    unlinkSync(tmp)
  }
  return { signer: AuditSigner.fromPem(readFileSync(path)), path, generated: true }
}
