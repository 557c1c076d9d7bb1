import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, startTestHub, waitFor, type TestHub, type TestSandbox } from '../helpers/hub.js'
import { KEYS, uniqueId } from '../helpers/config.js'

const OPERATOR = { 'x-api-key': KEYS.operator }

interface Run {
  id: number
  state: string
}

async function requestSync(t: TestHub): Promise<number> {
  const res = await fetch(`${t.url}/admin/catalog/sync`, { method: 'POST', headers: OPERATOR })
  expect(res.status).toBe(202)
  return ((await res.json()) as { runId: number }).runId
}

async function runState(t: TestHub, id: number): Promise<string | undefined> {
  const res = await fetch(`${t.url}/admin/catalog/runs`, { headers: OPERATOR })
  return ((await res.json()) as { items: Run[] }).items.find((r) => r.id === id)?.state
}

/**
 * Issue 16, acceptance 5: with ./data wiped and Redis kept, a catalog sync starts at once.
 * The new database numbers its runs from 1 again while Redis still holds the finished
 * coordinator job of the old run 1 (kept an hour); before job ids carried the database's
 * instance tag, the new run's enqueue was a no-op and it waited for the orphan probe.
 */
describe('catalog sync after the database is wiped and Redis kept', () => {
  let sandbox: TestSandbox
  const prefix = `t${uniqueId()}`
  const dataDir = mkdtempSync(join(tmpdir(), 'lgsp-fresh-db-'))
  const env = { QUEUE_PREFIX: prefix, DATA_DIR: dataDir, CATALOG_POLL_MS: 100 }

  beforeAll(async () => {
    sandbox = await startSandbox()
    sandbox.sims.catalog.reset({ size: 20 })
  })
  afterAll(async () => {
    await sandbox.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('the new run 1 gets a coordinator within 2 s, though Redis still holds the old run 1', async () => {
    const first = await startTestHub({ sandbox, env })
    let firstId: number
    try {
      firstId = await requestSync(first)
      await waitFor(async () => (await runState(first, firstId)) === 'completed', 30_000)
      // the finished coordinator job stays in Redis
      expect((await first.hub.queues.queue('catalog-sync').getCompletedCount()) >= 1).toBe(true)
    } finally {
      await first.close()
    }

    rmSync(dataDir, { recursive: true, force: true })
    const second = await startTestHub({ sandbox, env })
    try {
      expect(await second.hub.queues.queue('catalog-sync').getCompletedCount()).toBeGreaterThanOrEqual(1) // Redis kept
      const started = Date.now()
      const id = await requestSync(second)
      expect(id).toBe(firstId) // the serial starts again: the same number as the run Redis remembers
      const state = await waitFor(
        async () => {
          const s = await runState(second, id)
          return s && s !== 'pending' ? s : undefined
        },
        10_000,
        50,
      )
      const startedWithinMs = Date.now() - started
      expect(['running', 'completed']).toContain(state)
      expect(startedWithinMs).toBeLessThan(2000)
      await waitFor(async () => (await runState(second, id)) === 'completed', 30_000)
    } finally {
      await second.close()
    }
  }, 90_000)
})
