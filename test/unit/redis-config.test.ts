import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../../src/config/load.js'
import { redisTarget } from '../../src/queue/redis.js'

/** Redis settings (issue 13): sentinels, credentials, TLS and the Cluster-safe prefix, each refused with one line naming it. */
const config = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', ...env })
const refusal = (build: () => unknown): ConfigError => {
  try {
    build()
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError)
    return e as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('Redis configuration', () => {
  it('a plain URL becomes host, port, database and credentials; REDIS_PASSWORD and REDIS_USERNAME win over the URL', () => {
    const t = redisTarget(config({ REDIS_URL: 'redis://app:from-url@redis.internal:6380/3' }))
    expect(t.options).toMatchObject({ host: 'redis.internal', port: 6380, db: 3, username: 'app', password: 'from-url' })
    expect(t.options.tls).toBeUndefined()
    expect(t.describe).not.toContain('from-url')
    const o = redisTarget(config({ REDIS_URL: 'redis://app:from-url@redis.internal:6380', REDIS_PASSWORD: 's3cret', REDIS_USERNAME: 'hub' })).options
    expect(o).toMatchObject({ username: 'hub', password: 's3cret' })
  })

  it('REDIS_SENTINELS: the sentinels, the master name and their own password; the URL host is not used', () => {
    const t = redisTarget(
      config({
        REDIS_URL: 'redis://:data-pw@ignored:1',
        REDIS_SENTINELS: 's1.local:26379,10.0.0.2:26380',
        REDIS_SENTINEL_MASTER: 'hub-primary',
        REDIS_SENTINEL_PASSWORD: 'sentinel-pw',
      }),
    )
    expect(t.options.sentinels).toEqual([
      { host: 's1.local', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
    ])
    expect(t.options).toMatchObject({ name: 'hub-primary', role: 'master', sentinelPassword: 'sentinel-pw', password: 'data-pw' })
    expect(t.options.host).toBeUndefined()
    expect(t.describe).toBe('sentinel hub-primary via s1.local:26379,10.0.0.2:26380')
  })

  it('TLS: rediss:// or a CA file turns it on, for the sentinels too; certificate files are read at boot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'))
    const ca = join(dir, 'ca.pem')
    writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n')
    expect(redisTarget(config({ REDIS_URL: 'rediss://r.local:6380' })).options.tls).toEqual({})
    const t = redisTarget(config({ REDIS_TLS_CA_FILE: ca, REDIS_TLS_SERVERNAME: 'redis.hub.local', REDIS_SENTINELS: 'a:26379' }))
    expect(String(t.options.tls?.ca)).toContain('BEGIN CERTIFICATE')
    expect(t.options.tls?.servername).toBe('redis.hub.local')
    expect(t.options).toMatchObject({ enableTLSForSentinelMode: true, sentinelTLS: t.options.tls })
  })

  it('bad values are one ConfigError naming the variable', () => {
    expect(refusal(() => config({ REDIS_SENTINELS: 'only-a-host' })).variable).toBe('REDIS_SENTINELS')
    expect(refusal(() => config({ REDIS_SENTINELS: 'a:26379,,b:1' })).variable).toBe('REDIS_SENTINELS')
    expect(refusal(() => redisTarget(config({ REDIS_SENTINELS: 'a:70000' }))).message).toContain('a:70000')
    expect(refusal(() => redisTarget(config({ REDIS_SENTINELS: 'a:0' }))).variable).toBe('REDIS_SENTINELS')
    expect(refusal(() => config({ REDIS_SENTINEL_MASTER: 'bad name' })).variable).toBe('REDIS_SENTINEL_MASTER')
    expect(refusal(() => config({ REDIS_URL: 'http://x' })).variable).toBe('REDIS_URL')
    expect(refusal(() => redisTarget(config({ REDIS_URL: 'redis://x:6379/abc' }))).variable).toBe('REDIS_URL')
    const missing = refusal(() => redisTarget(config({ REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' })))
    expect(missing.variable).toBe('REDIS_TLS_CA_FILE')
    expect(missing.message).toContain('/nonexistent/ca.pem')
    const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'))
    writeFileSync(join(dir, 'not.pem'), 'hello')
    expect(refusal(() => redisTarget(config({ REDIS_TLS_CA_FILE: join(dir, 'not.pem') }))).message).toContain('not a PEM file')
    expect(refusal(() => redisTarget(config({ REDIS_TLS_CERT_FILE: join(dir, 'not.pem') }))).variable).toBe('REDIS_TLS_KEY_FILE')
    // REDIS_URL may carry a password: a bad one is named, never echoed.
    expect(refusal(() => config({ REDIS_URL: 'redis://:pw-in-url@a b' })).message).not.toContain('pw-in-url')
  })

  it('QUEUE_PREFIX: plain or one {hash tag} (Redis Cluster), never a colon or unbalanced braces', () => {
    for (const ok of ['lgsp', '{lgsp}', 'hub-{h56}', '{h56}_queues', 'a_b-C9']) expect(config({ QUEUE_PREFIX: ok }).QUEUE_PREFIX).toBe(ok)
    for (const bad of ['a:b', '{lgsp', 'lgsp}', '{}', '{a}{b}', '{a:b}', 'x'.repeat(65), 'sp ace'])
      expect(refusal(() => config({ QUEUE_PREFIX: bad })).variable).toBe('QUEUE_PREFIX')
  })
})
