import { spawnSync } from 'node:child_process'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, configReference, loadConfig } from '../../src/config/load.js'
import { createHub, DEV_AUDIT_KEY } from '../../src/hub.js'
import { createConnectors } from '../../src/connectors/index.js'
import { registerBuiltins } from '../../src/builtins.js'
import { createLogger } from '../../src/log.js'
import { createMetrics } from '../../src/metrics.js'
import { createTransport } from '../../src/http/transport.js'

describe('configuration', () => {
  it('applies documented defaults', () => {
    const c = loadConfig({})
    expect(c.PORT).toBe(8080)
    expect(c.REDIS_URL).toBe('redis://127.0.0.1:6379')
    expect(c.DATABASE_URL).toBeUndefined()
    expect(c.DVCQG_STYLE).toBe('adapter')
  })

  it('coerces numbers from the environment and lets env override the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'))
    const file = join(dir, 'hub.json')
    writeFileSync(file, JSON.stringify({ PORT: 9100, LOG_LEVEL: 'warn' }))
    const c = loadConfig({ HUB_CONFIG_FILE: file, LOG_LEVEL: 'debug' })
    expect(c.PORT).toBe(9100)
    expect(c.LOG_LEVEL).toBe('debug')
  })

  it.each([
    ['REDIS_URL', 'notaurl'],
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DVCQG_STYLE', 'soap'],
    ['QUEUE_PREFIX', 'has:colon'],
  ])('rejects %s=%s with an error naming the variable', (key, value) => {
    let err: unknown
    try {
      loadConfig({ [key]: value })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).variable).toBe(key)
    expect((err as Error).message).toContain(key)
    expect((err as Error).message).not.toContain('\n')
  })

  it('never echoes a secret value', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x' })).toThrow(/DATABASE_URL.*hidden/)
    try {
      loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/x' })
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2')
    }
  })

  it('documents every variable with a description', () => {
    for (const c of configReference()) expect(c.description.length).toBeGreaterThan(5)
  })

  it('the CLI exits non-zero with one line naming the variable on bad config', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'all'], {
      env: { ...process.env, REDIS_URL: 'notaurl' },
      encoding: 'utf8',
      timeout: 20_000,
    })
    expect(r.status).toBe(78)
    const lines = r.stderr
      .trim()
      .split('\n')
      .filter((l) => !l.includes('ExperimentalWarning'))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^config error: REDIS_URL /)
  })

  const cli = (args: string[], env: Record<string, string | undefined>) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 })
  const stderrLines = (r: ReturnType<typeof cli>) =>
    r.stderr
      .trim()
      .split('\n')
      .filter((l) => l && !l.includes('ExperimentalWarning'))

  it('the CLI without a role prints the usage and exits 64 (EX_USAGE)', () => {
    const r = cli([], {})
    expect(r.status).toBe(64)
    expect(r.stderr).toContain('usage: lgsp-hub <role>')
  })

  it('a boot-time misconfiguration found by the composition root is one line and exit 78 too', () => {
    const r = cli(['api'], { DATABASE_URL: undefined, HUB_CONFIG_FILE: undefined, LOG_LEVEL: 'silent' })
    expect(r.status).toBe(78)
    const lines = stderrLines(r)
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^config error: role "api" needs PostgreSQL/)
  })

  describe('createHub refuses misconfiguration with ConfigError naming the variable', () => {
    const base = { NODE_ENV: 'test', LOG_LEVEL: 'silent', CONNECTORS_ENABLED: 'dvcqg' }
    const refused = async (env: Record<string, string>, role: 'api' | 'worker' | 'all' = 'all'): Promise<ConfigError> => {
      const err = await createHub(loadConfig({ ...base, ...env }), role).then(
        async (h) => {
          await h.close()
          return undefined
        },
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(ConfigError)
      expect((err as Error).message).not.toContain('\n')
      return err as ConfigError
    }
    it.each(['api', 'worker'] as const)('role %s without DATABASE_URL', async (role) => {
      expect((await refused({}, role)).variable).toBe('DATABASE_URL')
    })
    it('the development AUDIT_HASH_KEY in production', async () => {
      const clients = JSON.stringify({ clients: [{ id: 'prod-client', keySha256: 'a'.repeat(64), services: ['*'] }] })
      expect((await refused({ NODE_ENV: 'production', AUDIT_HASH_KEY: DEV_AUDIT_KEY, CLIENTS_JSON: clients })).variable).toBe('AUDIT_HASH_KEY')
    })
    it('an unreadable clients document', async () => {
      expect((await refused({ CLIENTS_JSON: '{not json' })).variable).toBe('CLIENTS_JSON')
    })
  })

  it('an unknown connector in CONNECTORS_ENABLED is a ConfigError', () => {
    registerBuiltins()
    const logger = createLogger('silent')
    const metrics = createMetrics()
    const config = loadConfig({})
    let err: unknown
    try {
      createConnectors({ config, logger, metrics, transport: (o) => createTransport({ ...o, logger, metrics }) }, ['no-such-system'])
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as ConfigError).variable).toBe('CONNECTORS_ENABLED')
    expect((err as Error).message).toContain('no-such-system')
  })
})
