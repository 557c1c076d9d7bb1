import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { loadConfig } from '../../src/config/load.js'
import type { HubConfig } from '../../src/config/schema.js'
import { sha256Hex } from '../../src/inbound-auth/clients.js'

/** API keys every test hub accepts. */
export const KEYS = {
  province: 'test-province-key-0123456789',
  operator: 'test-operator-key-0123456789',
  /** A known client granted nothing but `catalog`. */
  limited: 'test-limited-key-0123456789',
  /** An operator who may only look (`admin:read`). */
  viewer: 'test-viewer-key-0123456789',
  /** Prometheus scraping only (`metrics`). */
  metrics: 'test-metrics-key-0123456789',
  /** A district's system: every v1 service, but only for agency 000.00.06.H56. */
  districtA: 'test-district-a-key-0123456789',
  /** Another district's system: only for agency 000.00.07.H56. */
  districtB: 'test-district-b-key-0123456789',
} as const

/** The agencies the district clients serve. */
export const AGENCY_A = '000.00.06.H56'
export const AGENCY_B = '000.00.07.H56'

export const CLIENTS_JSON = JSON.stringify({
  clients: [
    { id: 'province-test', keySha256: sha256Hex(KEYS.province), services: ['*'], agencies: ['*'] },
    { id: 'operator-test', keySha256: sha256Hex(KEYS.operator), services: ['admin'] },
    { id: 'limited-test', keySha256: sha256Hex(KEYS.limited), services: ['catalog'] },
    { id: 'viewer-test', keySha256: sha256Hex(KEYS.viewer), services: ['admin:read'] },
    { id: 'metrics-test', keySha256: sha256Hex(KEYS.metrics), services: ['metrics'] },
    { id: 'district-a', keySha256: sha256Hex(KEYS.districtA), services: ['*'], agencies: ['000.00.06.H56'] },
    { id: 'district-b', keySha256: sha256Hex(KEYS.districtB), services: ['*'], agencies: ['000.00.07.H56'] },
  ],
})

export const PG_ADMIN_URL = process.env['TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'
export const REDIS_URL = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379'

/** A unique, colon-free suffix for queue prefixes and database names. */
export const uniqueId = () => `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`

/**
 * A configuration isolated from every other test file: its own queue prefix (files run
 * in parallel against one Redis), its own data folder, silent logs, fast retries.
 */
export function testConfig(overrides: Record<string, string | number | undefined> = {}): HubConfig {
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    REDIS_URL,
    QUEUE_PREFIX: `t${uniqueId()}`,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'lgsp-hub-')),
    CLIENTS_JSON,
    PORT: '0',
    SANDBOX_PORT: '0',
    READY_CACHE_MS: '0',
    RETRY_BASE_MS: '50',
    RETRY_MAX_MS: '1000',
    RECONCILE_INTERVAL_MS: '500',
    RECONCILE_GRACE_MS: '1000',
    UPSTREAM_TIMEOUT_MS: '2000',
    // Reuse on demand is off unless a test turns it on (test/integration/warehouse-reuse-on-demand.test.ts):
    // the other tests count upstream calls and mirror owners themselves.
    WAREHOUSE_REUSE_MAX_AGE_MS: '0',
    // Only DVCQG unless a test enables more (see lookupEnv): readiness probes what is enabled.
    CONNECTORS_ENABLED: 'dvcqg',
    // Suites drive one hub hard from one address; test/integration/limits.test.ts sets its own limits.
    RATE_LIMIT_PER_MINUTE: '10000000',
    RATE_LIMIT_IP_PER_MINUTE: '10000000',
    // In-process hubs share the test's event loop (PGlite, sandbox, client): no backpressure unless a test asks.
    MAX_EVENT_LOOP_DELAY_MS: '0',
    // No timed audit checkpoints: a checkpoint row appearing mid-test would look like a write by
    // whatever request ran then (fuzz). Tests sign checkpoints explicitly (count threshold, proofs).
    AUDIT_CHECKPOINT_INTERVAL_MS: '0',
  }
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete env[k]
    else env[k] = String(v)
  }
  return loadConfig(env)
}
