import { execFile } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { storageEngines } from '../helpers/pg.js'
import { migrate } from '../../src/store/index.js'
import { AuditWriter } from '../../src/audit/index.js'
import { AuditSigner } from '../../src/audit/evidence/index.js'

/**
 * Acceptance 5: the inclusion proof of an audit record verifies with the published public key
 * and the checkpoint alone, by scripts/verify-audit-proof.mjs (node:crypto only, no hub code).
 */
const dir = mkdtempSync(join(tmpdir(), 'audit-proof-'))
const signer = new AuditSigner(generateKeyPairSync('ed25519').privateKey)
const otherKey = new AuditSigner(generateKeyPairSync('ed25519').privateKey)
const pubFile = join(dir, 'published.pem')
const otherPubFile = join(dir, 'other.pem')
writeFileSync(pubFile, signer.publicKeyPem())
writeFileSync(otherPubFile, otherKey.publicKeyPem())

async function checkProof(proof: unknown, keyFile = pubFile): Promise<{ code: number; out: string }> {
  const file = join(dir, `proof-${Math.random().toString(36).slice(2)}.json`)
  writeFileSync(file, JSON.stringify(proof))
  return promisify(execFile)(process.execPath, ['scripts/verify-audit-proof.mjs', file, keyFile]).then(
    (r) => ({ code: 0, out: r.stdout }),
    (e: { code: number; stderr: string }) => ({ code: e.code, out: e.stderr }),
  )
}

const { engines, closeEngines } = storageEngines()
afterAll(closeEngines)

describe.each(engines)('audit chain and inclusion proofs (%s)', (_name, open) => {
  it('concurrent writes form one chain; every proof checks out with the public key alone; altered proofs and other keys fail', async () => {
    const db = await open()
    await migrate(db)
    const audit = new AuditWriter(db, 'test-audit-hash-key-0123', () => undefined, { signer, checkpointRecords: 7 })
    const N = 23
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        audit.write({
          clientId: 'province-test',
          service: 'population',
          action: 'citizen.lookup',
          subjectId: `00109900${i}`,
          outcome: 'found',
          requestId: `req-${i}`,
        }),
      ),
    )
    // Written after the last checkpoint: `prove` signs one covering it.
    await audit.write({ clientId: 'operator-test', service: 'admin', action: 'replay', outcome: 'ok', detail: { target: 'dossier/1' } })
    const verified = await audit.verify()
    expect(verified).toMatchObject({ ok: true, records: N + 1 })
    const { rows } = await db.query<{ id: number; seq: number }>('SELECT id, seq FROM audit_log ORDER BY seq')
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: N + 1 }, (_, i) => i))
    for (const pick of [0, 7, N]) {
      const proof = await audit.prove(String(rows[pick]!.id))
      expect(proof.leafIndex).toBe(pick)
      const ok = await checkProof(proof)
      expect(ok.out).toContain(`record ${rows[pick]!.id} is leaf ${pick}`)
      expect(ok.code).toBe(0)
    }
    const proof = await audit.prove(String(rows[13]!.id))
    const altered = structuredClone(proof)
    altered.record.content.outcome = 'not_found'
    expect(await checkProof(altered)).toMatchObject({ code: 1, out: expect.stringContaining('hashes to') })
    const moved = structuredClone(proof)
    moved.leafIndex = 12
    expect((await checkProof(moved)).code).toBe(1)
    const resigned = structuredClone(proof)
    resigned.checkpoint.treeSize += 1
    resigned.treeSize += 1
    expect((await checkProof(resigned)).code).toBe(1)
    expect(await checkProof(proof, otherPubFile)).toMatchObject({ code: 1, out: expect.stringContaining('this public key') })
    await audit.close()
  }, 60_000)
})
