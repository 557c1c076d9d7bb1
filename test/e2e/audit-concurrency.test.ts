import { generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestDatabase } from '../helpers/pg.js'
import { freePort, startApiProcess, type HubProcess } from '../helpers/proc.js'
import { CLIENTS_JSON, KEYS, REDIS_URL, uniqueId } from '../helpers/config.js'
import { startSandbox } from '../helpers/hub.js'
import { lookupEnv } from '../helpers/lookups.js'
import { createPgDb } from '../../src/store/pg.js'
import { AuditSigner, verifyAuditLog } from '../../src/audit/evidence/index.js'

/**
 * Acceptance 2: two API processes serving real citizen lookups (against the sandbox) at the same
 * time for 60 s, each lookup audited, append to ONE chain: positions 0…n-1 without gaps or forks,
 * every link and checkpoint (signed by both processes' timers) verifying, and the two processes'
 * records interleaved in it.
 */
const DURATION_MS = Number(process.env['AUDIT_E2E_MS'] ?? 60_000)
const PURPOSE = '000.00.06.H56-231027-0361'
const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined)
})

const startApi = (env: Record<string, string>): Promise<HubProcess> => startApiProcess(env, cleanups)

describe('two API processes auditing concurrently', () => {
  it(
    `keep one unbroken, verifiable chain over ${DURATION_MS / 1000} s of lookups`,
    async () => {
      const sb = await startSandbox(11)
      cleanups.push(() => sb.close())
      const db = await createTestDatabase()
      cleanups.push(db.drop)
      const dir = mkdtempSync(join(tmpdir(), 'audit-e2e-'))
      const keyFile = join(dir, 'audit-key.pem')
      const key = generateKeyPairSync('ed25519').privateKey
      writeFileSync(keyFile, key.export({ type: 'pkcs8', format: 'pem' }))
      const [portA, portB] = [await freePort(), await freePort()]
      const common: Record<string, string> = {
        ...(Object.fromEntries(Object.entries(lookupEnv(sb.url, { LOOKUP_BREAKER_VOLUME: 10000 })).map(([k, v]) => [k, String(v)])) as Record<string, string>),
        NODE_ENV: 'test',
        DATABASE_URL: db.url,
        REDIS_URL,
        QUEUE_PREFIX: `ac${uniqueId()}`,
        CLIENTS_JSON,
        DATA_DIR: dir,
        AUDIT_SIGNING_KEY_FILE: keyFile,
        AUDIT_CHECKPOINT_INTERVAL_MS: '1500',
        AUDIT_CHECKPOINT_RECORDS: '400',
        RATE_LIMIT_PER_MINUTE: '10000000',
        RATE_LIMIT_IP_PER_MINUTE: '10000000',
        MAX_EVENT_LOOP_DELAY_MS: '0',
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
      }
      // The first applies the migrations; the second then starts on an up-to-date schema.
      const a = await startApi({ ...common, PORT: String(portA) })
      const b = await startApi({ ...common, PORT: String(portB) })
      const ids = sb.sims.lookups.seed.people.map((p) => p.citizen.idNumber)

      const served = { a: 0, b: 0 }
      const failed: string[] = []
      const until = Date.now() + DURATION_MS
      const loop = async (proc: 'a' | 'b', port: number, worker: number) => {
        for (let i = 0; Date.now() < until; i++) {
          const rid = `${proc}-${worker}-${i}`
          const res = await fetch(`http://127.0.0.1:${port}/v1/citizens/${ids[(worker * 31 + i) % ids.length]}`, {
            headers: { 'x-api-key': KEYS.province, 'x-purpose': PURPOSE, 'x-request-id': rid },
          })
          await res.arrayBuffer()
          if (res.status === 200 || res.status === 404) served[proc]++
          else if (failed.length < 5) failed.push(`${rid}: ${res.status}`)
        }
      }
      await Promise.all([0, 1, 2, 3].flatMap((w) => [loop('a', portA, w), loop('b', portB, w)]))
      // SIGTERM: each process commits what it still has queued before it exits.
      for (const p of [a, b]) p.child.kill('SIGTERM')
      const exits = await Promise.all([a.exited, b.exited])
      expect(exits.map((e) => e.code)).toEqual([0, 0])

      const pg = createPgDb({ url: db.url })
      cleanups.push(() => pg.close())
      const report = await verifyAuditLog(pg, { publicKeys: [new AuditSigner(key).publicKey] })
      const { rows } = await pg.query<{ seq: number; request_id: string | null }>('SELECT seq, request_id FROM audit_log WHERE seq IS NOT NULL ORDER BY seq')
      const fromA = rows.filter((r) => r.request_id?.startsWith('a-')).length
      const fromB = rows.filter((r) => r.request_id?.startsWith('b-')).length
      let switches = 0
      for (let i = 1; i < rows.length; i++) if (rows[i]!.request_id?.[0] !== rows[i - 1]!.request_id?.[0]) switches++
      console.log(
        `audit chain under two API processes, ${DURATION_MS / 1000} s: ${served.a} + ${served.b} lookups answered, ${rows.length} chained records (${fromA} from A, ${fromB} from B, ${switches} switches between processes), ${report.checkpoints} checkpoints verified in ${report.ms} ms; failures: ${failed.join(', ') || 'none'}`,
      )
      expect(failed).toEqual([])
      expect(report.problem).toBeUndefined()
      expect(report.ok).toBe(true)
      expect(report.records).toBe(rows.length)
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i))
      // Every answered lookup has its record, from the process that served it.
      expect(fromA).toBe(served.a)
      expect(fromB).toBe(served.b)
      expect(served.a).toBeGreaterThan(100)
      expect(served.b).toBeGreaterThan(100)
      // Genuinely concurrent: the two processes' records alternate many times in the one chain.
      expect(switches).toBeGreaterThan(50)
      expect(report.checkpoints).toBeGreaterThan(5)
    },
    DURATION_MS + 120_000,
  )
})
