import { execFile } from 'node:child_process'
import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../helpers/pg.js'
import { createPgDb } from '../../src/store/pg.js'
import { migrate, type Db, type Queryable } from '../../src/store/index.js'
import { AuditWriter } from '../../src/audit/index.js'
import { AuditSigner, verifyAuditLog, type VerifyReport } from '../../src/audit/evidence/index.js'
import { archiveOldSegments } from '../../src/audit/evidence/archive.js'
import { recordHash } from '../../src/audit/evidence/canonical.js'
import { DiskBlobStore } from '../../src/documents/blob-store/index.js'
import { CLIENTS_JSON } from '../helpers/config.js'

/**
 * Tamper tests on real PostgreSQL: a log of 40 records (a signed checkpoint every 10) is altered
 * the way someone with database rights would (disabling the append-only trigger first), and
 * `audit verify` must name the first bad record or checkpoint. Each tampering is done inside a
 * transaction that verification then reads and that is rolled back, so every case starts from
 * the same untouched log.
 */
const N = 40
const dir = mkdtempSync(join(tmpdir(), 'audit-tamper-'))
const keyFile = join(dir, 'audit-key.pem')
writeFileSync(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }))
const signer = AuditSigner.fromPem(readFileSync(keyFile))
const archive = new DiskBlobStore(join(dir, 'archive'), { fsync: false })

let t: Awaited<ReturnType<typeof createTestDatabase>>
let db: Db
/** audit_log.id by chain position, and checkpoint ids. */
let ids: string[] = []
let checkpointIds: string[] = []

const verify = (q: Queryable) => verifyAuditLog(q, { publicKeys: [signer.publicKey], archive })

/** Runs `tamper` then verification in one transaction, and rolls it back. */
async function tampered(tamper: (q: Queryable) => Promise<unknown>): Promise<VerifyReport> {
  let report: VerifyReport | undefined
  await db
    .tx(async (q) => {
      await q.exec('ALTER TABLE audit_log DISABLE TRIGGER USER; ALTER TABLE audit_checkpoint DISABLE TRIGGER USER')
      await tamper(q)
      report = await verify(q)
      throw new Error('rollback')
    })
    .catch((e: Error) => {
      if (e.message !== 'rollback') throw e
    })
  return report!
}

beforeAll(async () => {
  t = await createTestDatabase()
  db = createPgDb({ url: t.url })
  await migrate(db)
  const audit = new AuditWriter(db, 'test-audit-hash-key-0123', () => undefined, { signer, checkpointRecords: 10 })
  // Four rounds of 10 concurrent writers: the group commit chains each round in some order (each
  // promise resolved after COMMIT) and signs a checkpoint once 10 records are unsigned.
  for (let round = 0; round < N / 10; round++) {
    await Promise.all(
      Array.from({ length: 10 }, (_, k) => round * 10 + k).map((i) =>
        audit.write({
          clientId: i % 3 ? 'province-test' : 'district-a',
          service: 'population',
          action: 'citizen.lookup',
          subjectId: `0010990${String(i).padStart(5, '0')}`,
          purpose: 'HS-2026-0001',
          outcome: i % 5 ? 'found' : 'not_found',
          status: 200,
          latencyMs: 12.4 + i,
          ...(i % 4 === 0 ? { detail: { upstream: 'population', n: 1.5, nested: { b: 1, a: 'xã Đông Hòa' } } } : {}),
        }),
      ),
    )
  }
  await audit.close()
  ids = (await db.query<{ id: number }>('SELECT id FROM audit_log ORDER BY seq')).rows.map((r) => String(r.id))
  checkpointIds = (await db.query<{ id: number }>('SELECT id FROM audit_checkpoint ORDER BY tree_size')).rows.map((r) => String(r.id))
}, 60_000)

afterAll(async () => {
  await db?.close()
  await t?.drop()
})

describe('the audit log on PostgreSQL is append-only and tamper-evident', () => {
  it('an untouched log verifies: every record chained, 4 signed checkpoints', async () => {
    expect(ids).toHaveLength(N)
    expect(checkpointIds).toHaveLength(4)
    const r = await verify(db)
    expect(r).toMatchObject({ ok: true, records: N, checkpoints: 4, headSize: N })
    expect(r.problem).toBeUndefined()
  })

  it('the database refuses UPDATE, DELETE and TRUNCATE of audit rows and checkpoints', async () => {
    await expect(db.query("UPDATE audit_log SET outcome = 'x' WHERE seq = 3")).rejects.toThrow(/append-only/)
    await expect(db.query('DELETE FROM audit_log WHERE seq = 3')).rejects.toThrow(/append-only/)
    await expect(db.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/)
    await expect(db.query("UPDATE audit_checkpoint SET root_hash = 'x'")).rejects.toThrow(/append-only/)
    await expect(db.query('DELETE FROM audit_checkpoint')).rejects.toThrow(/append-only/)
    expect((await db.query<{ n: number }>('SELECT count(*) AS n FROM audit_log')).rows[0]!.n).toBe(N)
  })

  it('changing one field of one record: modified, naming that record', async () => {
    const r = await tampered((q) => q.query("UPDATE audit_log SET purpose = 'HS-2026-9999' WHERE seq = 17"))
    expect(r.ok).toBe(false)
    expect(r.problem).toMatchObject({ kind: 'modified', recordId: ids[17], seq: 17 })
  })

  it('changing a field of the detail (jsonb) of a record: modified', async () => {
    const r = await tampered((q) => q.query(`UPDATE audit_log SET detail = jsonb_set(detail, '{n}', '2') WHERE seq = 8`))
    expect(r.problem).toMatchObject({ kind: 'modified', recordId: ids[8] })
  })

  it('deleting a record: deleted, naming the missing position and the record after it', async () => {
    const r = await tampered((q) => q.query('DELETE FROM audit_log WHERE seq = 17'))
    expect(r.problem).toMatchObject({ kind: 'deleted', seq: 17, recordId: ids[18] })
  })

  it('deleting a record and renumbering the rest to hide the gap: deleted, naming the record after it', async () => {
    const r = await tampered(async (q) => {
      await q.query('DELETE FROM audit_log WHERE seq = 17')
      await q.query('UPDATE audit_log SET seq = seq - 1 WHERE seq > 17')
    })
    expect(r.problem).toMatchObject({ kind: 'deleted', recordId: ids[18] })
  })

  it('deleting the newest record: truncated', async () => {
    const r = await tampered((q) => q.query(`DELETE FROM audit_log WHERE seq = ${N - 1}`))
    expect(r.problem).toMatchObject({ kind: 'truncated', seq: N - 1 })
  })

  it('inserting a forged record outside the chain: inserted, naming it', async () => {
    let forged = ''
    const r = await tampered(async (q) => {
      const { rows } = await q.query<{ id: number }>(
        "INSERT INTO audit_log (client_id, service, action, outcome, at) VALUES ('province-test', 'population', 'citizen.lookup', 'found', now() - interval '1 day') RETURNING id",
      )
      forged = String(rows[0]!.id)
    })
    expect(r.problem).toMatchObject({ kind: 'inserted', recordId: forged })
  })

  it('inserting a forged record inside the chain, correctly hashed and linked to its predecessor: inserted, naming it', async () => {
    let forged = ''
    const r = await tampered(async (q) => {
      const { rows: prev } = await q.query<{ hash: string }>('SELECT hash FROM audit_log WHERE seq = 16')
      await q.query('UPDATE audit_log SET seq = seq + 1000000 WHERE seq >= 17')
      await q.query('UPDATE audit_log SET seq = seq - 999999 WHERE seq >= 1000000')
      const at = new Date('2026-11-30T10:00:00.000Z')
      const content = {
        v: 1 as const,
        at: at.toISOString(),
        requestId: null,
        clientId: 'province-test',
        service: 'population',
        action: 'citizen.lookup',
        purpose: 'HS-2026-0001',
        subjectHash: null,
        outcome: 'found',
        status: 200,
        latencyMs: 10,
        detail: null,
        prev: prev[0]!.hash,
      }
      const { rows } = await q.query<{ id: number }>(
        `INSERT INTO audit_log (seq, at, client_id, service, action, purpose, outcome, status, latency_ms, prev_hash, hash)
         VALUES (17, $1, 'province-test', 'population', 'citizen.lookup', 'HS-2026-0001', 'found', 200, 10, $2, $3) RETURNING id`,
        [at, content.prev, recordHash(content)],
      )
      forged = String(rows[0]!.id)
    })
    expect(r.problem).toMatchObject({ kind: 'inserted', recordId: forged, seq: 17 })
  })

  it('swapping two records: reordered, naming the first of them', async () => {
    const r = await tampered(async (q) => {
      await q.query('UPDATE audit_log SET seq = -1 WHERE seq = 17')
      await q.query('UPDATE audit_log SET seq = 17 WHERE seq = 18')
      await q.query('UPDATE audit_log SET seq = 18 WHERE seq = -1')
    })
    expect(r.problem).toMatchObject({ kind: 'reordered', recordId: ids[18], seq: 17 })
  })

  it('altering a checkpoint (its tree size, or its root): bad signature, naming it', async () => {
    const a = await tampered((q) => q.query('UPDATE audit_checkpoint SET tree_size = tree_size - 1 WHERE id = $1', [checkpointIds[1]]))
    expect(a.problem).toMatchObject({ kind: 'bad-signature', checkpointId: checkpointIds[1] })
    const b = await tampered((q) => q.query(`UPDATE audit_checkpoint SET root_hash = repeat('0', 64) WHERE id = $1`, [checkpointIds[2]]))
    expect(b.problem).toMatchObject({ kind: 'bad-signature', checkpointId: checkpointIds[2] })
  })

  it('re-chaining after a modification (every later hash recomputed) still fails on the signed checkpoint', async () => {
    const r = await tampered(async (q) => {
      await q.query("UPDATE audit_log SET outcome = 'mismatch' WHERE seq = 25")
      // Recompute hash and link of 25…39 the way the hub would.
      const { rows } = await q.query<Record<string, unknown>>('SELECT * FROM audit_log WHERE seq >= 24 ORDER BY seq')
      let prev = String(rows[0]!['hash'])
      for (const row of rows.slice(1)) {
        const c = {
          v: 1 as const,
          at: (row['at'] as Date).toISOString(),
          requestId: (row['request_id'] as string | null) ?? null,
          clientId: String(row['client_id']),
          service: String(row['service']),
          action: String(row['action']),
          purpose: (row['purpose'] as string | null) ?? null,
          subjectHash: (row['subject_hash'] as string | null) ?? null,
          outcome: String(row['outcome']),
          status: row['status'] as number | null,
          latencyMs: row['latency_ms'] as number | null,
          detail: (row['detail'] as Record<string, unknown> | null) ?? null,
          prev,
        }
        prev = recordHash(c)
        await q.query('UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3', [c.prev, prev, row['seq']])
      }
      await q.query('UPDATE audit_head SET head_hash = $1', [prev])
    })
    expect(r.problem).toMatchObject({ kind: 'checkpoint-mismatch', checkpointId: checkpointIds[2] })
  })

  it('`lgsp-hub audit verify` exits 1 and names the first bad record; 0 on the untouched log', async () => {
    const env = { ...process.env, DATABASE_URL: t.url, AUDIT_SIGNING_KEY_FILE: keyFile, DATA_DIR: dir, CLIENTS_JSON, LOG_LEVEL: 'silent', NODE_ENV: 'test' }
    const run = (args: string[]) =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'audit', ...args], { env }).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      )
    const ok = await run(['verify'])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, records: N })
    // Committed tampering this time (as a superuser would), then the real command.
    await db.exec(
      "ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET client_id = 'someone-else' WHERE seq = 5; ALTER TABLE audit_log ENABLE TRIGGER USER",
    )
    const bad = await run(['verify'])
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.stdout).problem).toMatchObject({ kind: 'modified', recordId: ids[5] })
    expect(bad.stderr).toContain(`record ${ids[5]}`)
    // Put it back (the trigger off once more) for the archive test.
    await db.exec(
      "ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET client_id = 'province-test' WHERE seq = 5; ALTER TABLE audit_log ENABLE TRIGGER USER",
    )
    expect((await verify(db)).ok).toBe(true)
  }, 60_000)

  it('retention archives whole checkpoint segments through the privileged path; verify reads the archive, and a damaged archive is reported', async () => {
    const later = new Date(Date.now() + 3 * 86_400_000)
    const res = await archiveOldSegments(db, archive, 2, later, 2)
    expect(res).toEqual({ segments: 2, records: 20 })
    expect((await db.query<{ n: number }>('SELECT count(*) AS n FROM audit_log WHERE seq IS NOT NULL')).rows[0]!.n).toBe(N - 20)
    // Outside the archiver's transaction, DELETE is still refused.
    await expect(db.query('DELETE FROM audit_log WHERE seq = 25')).rejects.toThrow(/append-only/)
    const r = await verify(db)
    expect(r).toMatchObject({ ok: true, records: N, archivedRecords: 20, checkpoints: 4 })
    // An archived record still has its inclusion proof, checked with the public key alone.
    const proof = await new AuditWriter(db, 'test-audit-hash-key-0123', () => undefined, { signer, archive }).prove(ids[3]!)
    expect(proof).toMatchObject({ leafIndex: 3, treeSize: 10 })
    writeFileSync(join(dir, 'proof.json'), JSON.stringify(proof))
    writeFileSync(join(dir, 'published.pem'), signer.publicKeyPem())
    const checked = await promisify(execFile)(process.execPath, ['scripts/verify-audit-proof.mjs', join(dir, 'proof.json'), join(dir, 'published.pem')])
    expect(checked.stdout).toContain(`record ${ids[3]} is leaf 3`)
    const { rows } = await db.query<{ blob_sha256: string }>('SELECT blob_sha256 FROM audit_archive ORDER BY from_seq LIMIT 1')
    const path = archive.pathOf(rows[0]!.blob_sha256)
    const original = readFileSync(path)
    writeFileSync(path, original.toString('utf8').replace('"outcome":"found"', '"outcome":"not_found"'))
    try {
      expect((await verify(db)).problem).toMatchObject({ kind: 'archive-corrupt', seq: 0 })
    } finally {
      writeFileSync(path, original)
    }
    // An archive row removed (its segment deleted without trace): the positions are missing.
    const gone = await tampered(async (q) => {
      await q.exec('ALTER TABLE audit_archive DISABLE TRIGGER USER')
      await q.query('DELETE FROM audit_archive WHERE from_seq = 10')
    })
    expect(gone.problem).toMatchObject({ kind: 'deleted', seq: 10, recordId: ids[20] })
  })
})
