#!/usr/bin/env node
// Standalone check of an lgsp-hub audit inclusion proof (`lgsp-hub audit proof <recordId>`),
// with node:crypto only: no hub code, no database. See docs/audit.md.
//
//   node scripts/verify-audit-proof.mjs proof.json [published-public-key.pem]
//
// 1. The record's content, in canonical JSON (RFC 8785: keys sorted, no spaces), hashes
//    (SHA-256) to the record hash; the leaf is SHA-256(0x00 || record hash bytes) (RFC 6962).
// 2. The audit path leads from that leaf at leafIndex to the checkpoint's Merkle root
//    (RFC 9162 §2.1.3.2, tree of checkpoint.treeSize leaves).
// 3. The checkpoint's signature verifies with the public key (the published one when given;
//    else the key in the proof, which only shows the proof is self-consistent).
// Exit 0 and "OK …" when all hold; exit 1 and the first failed check otherwise.
import { createHash, createPublicKey, verify } from 'node:crypto'
import { readFileSync } from 'node:fs'

const canonical = (v) => {
  if (v === null || typeof v !== 'object') return JSON.stringify(v)
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`
  const keys = Object.keys(v)
    .filter((k) => v[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`
}
const sha256 = (...parts) => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p)
  return h.digest()
}
const node = (l, r) => sha256(Buffer.from([1]), l, r)

function rootFromPath(leaf, index, size, path) {
  if (!(index >= 0 && index < size)) return null
  let fn = index
  let sn = size - 1
  let r = leaf
  for (const p of path) {
    if (sn === 0) return null
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      r = node(r, p)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return sn === 0 ? r : null
}

function check(proof, publishedPem) {
  if (proof.format !== 'lgsp-hub-audit-proof/1') return 'not an lgsp-hub audit proof (format)'
  const recordHash = sha256(Buffer.from(canonical(proof.record.content), 'utf8')).toString('hex')
  if (recordHash !== proof.record.hash) return `the record content hashes to ${recordHash}, not to the record hash ${proof.record.hash}`
  const cp = proof.checkpoint
  if (proof.treeSize !== cp.treeSize) return 'the proof and the checkpoint disagree on the tree size'
  const leaf = sha256(Buffer.from([0]), Buffer.from(proof.record.hash, 'hex'))
  const root = rootFromPath(
    leaf,
    proof.leafIndex,
    cp.treeSize,
    proof.auditPath.map((h) => Buffer.from(h, 'hex')),
  )
  if (!root) return 'the audit path has the wrong length for this index and tree size'
  if (root.toString('hex') !== cp.rootHash) return `the audit path leads to ${root.toString('hex')}, not to the signed root ${cp.rootHash}`
  const key = createPublicKey(publishedPem ?? proof.publicKey)
  const keyId = sha256(key.export({ type: 'spki', format: 'der' }))
    .toString('hex')
    .slice(0, 32)
  if (keyId !== cp.keyId) return `the checkpoint names key ${cp.keyId}; this public key is ${keyId}`
  const body = { v: cp.v, type: cp.type, treeSize: cp.treeSize, rootHash: cp.rootHash, headHash: cp.headHash, at: cp.at, keyId: cp.keyId }
  const alg = key.asymmetricKeyType === 'ed25519' ? null : 'sha256'
  if (!verify(alg, Buffer.from(canonical(body), 'utf8'), key, Buffer.from(cp.signature, 'base64'))) return 'the checkpoint signature does not verify'
  return null
}

const [file, keyFile] = process.argv.slice(2)
if (!file) {
  process.stderr.write('usage: node scripts/verify-audit-proof.mjs proof.json [published-public-key.pem]\n')
  process.exit(64)
}
const proof = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'))
const problem = check(proof, keyFile ? readFileSync(keyFile, 'utf8') : undefined)
if (problem) {
  process.stderr.write(`FAILED: ${problem}\n`)
  process.exit(1)
}
process.stdout.write(
  `OK: record ${proof.record.id} is leaf ${proof.leafIndex} of the ${proof.checkpoint.treeSize}-record audit log signed at ${proof.checkpoint.at} by key ${proof.checkpoint.keyId}${keyFile ? '' : ' (key taken from the proof: compare it with the published one)'}\n`,
)
