import { spawnSync } from 'node:child_process'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, configReference, loadConfig } from '../../src/config/load.js'

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
    const lines = r.stderr.trim().split('\n').filter((l) => !l.includes('ExperimentalWarning'))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^config error: REDIS_URL /)
  })
})
