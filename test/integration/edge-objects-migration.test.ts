import { afterAll, describe, expect, it } from 'vitest'
import { migrate, readMigrations } from '../../src/store/migrate.js'
import { storageEngines } from '../helpers/pg.js'

/**
 * Migration 0500_edge_objects on a database holding rows from before it: the rows survive
 * (their hash and client stay NULL), eventIds become unique per client, and a duplicate key
 * of one client is still refused with SQLSTATE 23505 (the intake relies on that code).
 */
const { engines, closeEngines } = storageEngines()
afterAll(closeEngines)

describe.each(engines)('migration 0500_edge_objects on %s', (_name, open) => {
  it('keeps existing dossier events and warehouse documents, then scopes eventIds per client', async () => {
    const db = await open()
    const all = readMigrations()
    const before = all.filter((m) => m.name < '0500')
    expect(before.length).toBeLessThan(all.length)
    await migrate(db, before)
    await db.query(
      `INSERT INTO dossiers (code, procedure_code, agency_code, snapshot, current_status, last_seq) VALUES ('000.00.06.H56-261101-0001', '1.001234', '000.00.06.H56', '{"status":"DA_TIEP_NHAN"}', 'DA_TIEP_NHAN', 2)`,
    )
    await db.query(
      `INSERT INTO dossier_events (dossier_code, seq, event_id, client_id, kind, payload) VALUES
         ('000.00.06.H56-261101-0001', 1, 'evt-1', 'district-a', 'upsert', '{"dossier":{}}'),
         ('000.00.06.H56-261101-0001', 2, 'evt-2', 'district-a', 'event', '{"status":"DANG_XU_LY"}')`,
    )
    await db.query(
      `INSERT INTO warehouse_documents (local_id, owner_id_type, owner_id, document_code, source, agency_code, blob_sha256, size, fetch_state, push_state)
       VALUES ('doc-1', 'cccd', '056085000777', 'GT.KS.001', 'local', '000.00.06.H56', $1, 10, 'stored', 'pending')`,
      ['a'.repeat(64)],
    )
    // Before: the eventId was unique hub-wide.
    await expect(
      db.query(
        `INSERT INTO dossier_events (dossier_code, seq, event_id, client_id, kind, payload) VALUES ('000.00.06.H56-261101-0001', 3, 'evt-1', 'district-b', 'event', '{}')`,
      ),
    ).rejects.toMatchObject({ code: '23505' })

    expect(await migrate(db, all)).toEqual(all.filter((m) => m.name >= '0500').map((m) => m.name))
    const { rows: events } = await db.query<{ seq: number; event_id: string; client_id: string; body_sha256: string | null }>(
      `SELECT seq, event_id, client_id, body_sha256 FROM dossier_events ORDER BY seq`,
    )
    expect(events).toEqual([
      { seq: 1, event_id: 'evt-1', client_id: 'district-a', body_sha256: null },
      { seq: 2, event_id: 'evt-2', client_id: 'district-a', body_sha256: null },
    ])
    const { rows: docs } = await db.query(`SELECT local_id, agency_code, client_id, body_sha256 FROM warehouse_documents`)
    expect(docs).toEqual([{ local_id: 'doc-1', agency_code: '000.00.06.H56', client_id: null, body_sha256: null }])

    // After: another client may use evt-1; the same client may not (23505, which the intake catches).
    await db.query(
      `INSERT INTO dossier_events (dossier_code, seq, event_id, client_id, kind, payload, body_sha256) VALUES ('000.00.06.H56-261101-0001', 3, 'evt-1', 'district-b', 'event', '{}', $1)`,
      ['b'.repeat(64)],
    )
    await expect(
      db.query(
        `INSERT INTO dossier_events (dossier_code, seq, event_id, client_id, kind, payload) VALUES ('000.00.06.H56-261101-0001', 4, 'evt-1', 'district-a', 'event', '{}')`,
      ),
    ).rejects.toMatchObject({ code: '23505' })
    // A malformed hash is refused by the column's check.
    await expect(db.query(`UPDATE dossier_events SET body_sha256 = 'nope' WHERE seq = 1`)).rejects.toMatchObject({ code: '23514' })
    // documentId (the national Ma) stays unique hub-wide.
    await expect(
      db.query(
        `INSERT INTO warehouse_documents (local_id, owner_id_type, owner_id, source, client_id, fetch_state) VALUES ('doc-1', 'cccd', '056085000777', 'local', 'district-b', 'none')`,
      ),
    ).rejects.toMatchObject({ code: '23505' })
  })
})
