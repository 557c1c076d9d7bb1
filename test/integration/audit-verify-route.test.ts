import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHub, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'

/** `GET /admin/audit/verify`: operators (admin:read) get the verification report; others are refused. */
let t: TestHub
beforeAll(async () => {
  t = await startTestHub({ workers: false })
}, 60_000)
afterAll(async () => {
  await t?.close()
})

const verify = (key?: string) => fetch(`${t.url}/admin/audit/verify`, { headers: key ? { 'x-api-key': key } : {} })

describe('GET /admin/audit/verify', () => {
  it('is refused without a key (401) and to a client without admin:read (403)', async () => {
    expect((await verify()).status).toBe(401)
    expect((await verify(KEYS.province)).status).toBe(403)
  })

  it('reports an untouched log as verified, then names the record changed behind the hub’s back', async () => {
    for (let i = 0; i < 5; i++)
      await t.hub.audit.write({ clientId: 'operator-test', service: 'admin', action: 'replay', outcome: 'ok', detail: { target: `dossier/${i}` } })
    await t.hub.audit.checkpoint()
    const ok = await verify(KEYS.viewer)
    expect(ok.status).toBe(200)
    const report = (await ok.json()) as { ok: boolean; records: number; checkpoints: number }
    expect(report).toMatchObject({ ok: true, checkpoints: 1 })
    expect(report.records).toBeGreaterThanOrEqual(5)
    const { rows } = await t.hub.db.query<{ id: number; seq: number }>("SELECT id, seq FROM audit_log WHERE detail->>'target' = 'dossier/2'")
    await t.hub.db.exec(
      `ALTER TABLE audit_log DISABLE TRIGGER USER; UPDATE audit_log SET outcome = 'failed' WHERE id = ${rows[0]!.id}; ALTER TABLE audit_log ENABLE TRIGGER USER`,
    )
    const bad = (await (await verify(KEYS.operator)).json()) as { ok: boolean; problem: Record<string, unknown> }
    expect(bad.ok).toBe(false)
    expect(bad.problem).toMatchObject({ kind: 'modified', recordId: String(rows[0]!.id), seq: rows[0]!.seq })
  })
})
