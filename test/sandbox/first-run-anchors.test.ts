import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadTrustAnchors, sandboxTrustAnchorsPath } from '../../src/documents/trust-anchors.js'
import { createLogger } from '../../src/log.js'
import { startRole } from '../../src/server.js'
import { testConfig } from '../helpers/config.js'

describe('first run: the sandbox writes its signing root, the hub reads it', () => {
  it('the `sandbox` role writes DATA_DIR/sandbox-trust-anchors.pem, which loadTrustAnchors then uses by default', async () => {
    const config = testConfig({ SANDBOX_WAREHOUSE_OWNERS: 1 })
    const file = sandboxTrustAnchorsPath(config)
    expect(file).toBe(join(config.DATA_DIR, 'sandbox-trust-anchors.pem'))
    expect(existsSync(file)).toBe(false)
    expect(loadTrustAnchors(config)).toEqual({ pems: [], source: 'none' })
    const running = await startRole('sandbox', config, createLogger('silent'))
    try {
      const res = await fetch(`http://127.0.0.1:${(running.sandbox!.server.address() as { port: number }).port}/warehouse/_sandbox/trust-anchors`)
      const served = await res.text()
      expect(readFileSync(file, 'utf8').trim()).toBe(served.trim())
      const anchors = loadTrustAnchors(config)
      expect(anchors.source).toBe(file)
      expect(anchors.pems).toHaveLength(1)
      expect(served).toContain(anchors.pems[0])
      // Production never falls back to the sandbox's file.
      expect(loadTrustAnchors({ ...config, NODE_ENV: 'production' })).toEqual({ pems: [], source: 'none' })
    } finally {
      await running.close()
    }
  })
})
