import { afterAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { createTestDatabase } from '../helpers/pg.js'
import { freePort } from '../helpers/proc.js'
import { dossierBody } from '../helpers/dossiers.js'
import { createPgDb } from '../../src/store/pg.js'
import { migrate, isDatabaseUnavailable, type Db } from '../../src/store/index.js'

/**
 * DATABASE_READ_URL (issue 13): the read endpoints (catalog lists, the warehouse reuse
 * owner query) read the replica, every write goes to the primary. The "replica" here is a
 * second database whose content differs from the primary's, so where a read went shows
 * in its answer; its sessions are read-only, so a write sent through it fails.
 */
const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined)
})

const H = { 'x-api-key': KEYS.province, 'content-type': 'application/json' }
const OWNER = '001090000777'

async function database(agency: [string, string], withDocument: boolean): Promise<{ url: string; db: Db }> {
  const t = await createTestDatabase()
  cleanups.push(t.drop)
  const db = createPgDb({ url: t.url, poolSize: 2 })
  cleanups.push(() => db.close())
  await migrate(db)
  await db.query(`INSERT INTO catalog_agencies (code, name, name_folded, level) VALUES ($1, $2, lower($2), '2')`, agency)
  if (withDocument)
    await db.query(
      `INSERT INTO warehouse_documents (owner_id_type, owner_id, document_code, title, source, agency_code, fetch_state, permanent, blob_sha256, size)
       VALUES ('cccd', $1, 'GT-REPLICA', 'Giấy tờ trên bản sao', 'national', '000.00.06.H56', 'stored', true, repeat('ab', 32), 10)`,
      [OWNER],
    )
  return { url: t.url, db }
}

const count = async (db: Db, table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${table}`)).rows[0]!.n
const agencies = async (t: TestHub) => ((await (await fetch(`${t.url}/v1/catalog/agencies`, { headers: H })).json()) as { items?: { code: string }[] }).items

describe('DATABASE_READ_URL: read endpoints on a replica, writes on the primary', () => {
  it('catalog and reuse reads answer from the replica; intake and audit records land on the primary only', async () => {
    const primary = await database(['000.11.11.H56', 'Sở chỉ trên bản chính'], false)
    const replica = await database(['000.99.99.H56', 'Sở chỉ trên bản sao'], true)
    const sandbox = await startSandbox()
    cleanups.push(sandbox.close)
    const t = await startTestHub({ sandbox, workers: false, env: { DATABASE_URL: primary.url, DATABASE_READ_URL: replica.url } })
    cleanups.push(t.close)
    expect(t.hub.readDb).not.toBe(t.hub.db)

    expect((await agencies(t))?.map((a) => a.code)).toEqual(['000.99.99.H56'])
    const auditedBefore = await count(primary.db, 'audit_log')
    const docs = await fetch(`${t.url}/v1/warehouse/owners/${OWNER}/documents`, { headers: { ...H, 'x-purpose': 'TAI-SU-DUNG-GIAY-TO' } })
    expect(docs.status).toBe(200)
    expect(((await docs.json()) as { documents: { documentCode: string }[] }).documents.map((d) => d.documentCode)).toEqual(['GT-REPLICA'])

    // The reuse read was audited (durably, before the answer): on the primary.
    await t.hub.audit.flush()
    expect(await count(primary.db, 'audit_log')).toBeGreaterThan(auditedBefore)
    expect(await count(replica.db, 'audit_log')).toBe(0)
    expect((await fetch(`${t.url}/v1/dossiers`, { method: 'POST', headers: H, body: JSON.stringify(dossierBody(3, 'rr-3')) })).status).toBe(202)
    expect(await count(primary.db, 'dossier_events')).toBe(1)
    expect(await count(replica.db, 'dossier_events')).toBe(0)

    // The replica's sessions are read-only: a write through readDb fails (SQLSTATE 25006) and nothing lands there.
    const write = await t.hub.readDb.query(`INSERT INTO catalog_agencies (code, name, name_folded) VALUES ('000.98.98.H56', 'x', 'x')`).catch((e: unknown) => e)
    expect((write as { code?: string }).code).toBe('25006')
    expect(await count(replica.db, 'catalog_agencies')).toBe(1)
    expect(await count(primary.db, 'catalog_agencies')).toBe(1)
  }, 60_000)

  it('a replica that cannot be reached: reads fall back to the primary; unset: readDb is the primary', async () => {
    const primary = await database(['000.11.11.H56', 'Sở chỉ trên bản chính'], false)
    const sandbox = await startSandbox()
    cleanups.push(sandbox.close)
    const nowhere = `postgres://postgres@127.0.0.1:${await freePort()}/none`
    const down = await startTestHub({ sandbox, workers: false, env: { DATABASE_URL: primary.url, DATABASE_READ_URL: nowhere } })
    cleanups.push(down.close)
    expect((await agencies(down))?.map((a) => a.code)).toEqual(['000.11.11.H56'])
    const plain = await startTestHub({ sandbox, workers: false, env: { DATABASE_URL: primary.url } })
    cleanups.push(plain.close)
    expect(plain.hub.readDb).toBe(plain.hub.db)
    expect((await agencies(plain))?.map((a) => a.code)).toEqual(['000.11.11.H56'])
  }, 60_000)

  it('what counts as "the database is unavailable" (503) and what does not (a bug or a refusal)', () => {
    for (const e of [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      Object.assign(new Error('sorry, too many clients already'), { code: '53300' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]),
    ])
      expect(isDatabaseUnavailable(e)).toBe(true)
    for (const e of [
      Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }),
      Object.assign(new Error('syntax error at or near'), { code: '42601' }),
      new Error('boom'),
      undefined,
    ])
      expect(isDatabaseUnavailable(e)).toBe(false)
  })
})
