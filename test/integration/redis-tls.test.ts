import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Redis } from 'ioredis'
import { loadConfig } from '../../src/config/load.js'
import { createRedis, redisTarget } from '../../src/queue/redis.js'
import { QueueRuntime } from '../../src/queue/runtime.js'
import { createLogger } from '../../src/log.js'
import { uniqueId } from '../helpers/config.js'
import { waitFor } from '../helpers/hub.js'
import { freePort } from '../helpers/proc.js'

/**
 * Redis over TLS (REDIS_TLS_*): a private redis-server that speaks only TLS, with a
 * certificate from a CA made here, requiring client certificates. The hub's connections
 * (a queue and its worker) work with the CA and a client certificate, and are refused
 * without the CA (untrusted server) or without the client certificate.
 */
const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'))
const f = (n: string) => join(dir, n)
const ossl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' })
const children: ChildProcess[] = []
const clients: Redis[] = []
afterAll(async () => {
  for (const c of clients) c.disconnect()
  for (const c of children) c.kill('SIGKILL')
})

function issue(name: string, subject: string, ext?: string) {
  ossl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`), '-subj', subject)
  const args = ['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f(`${name}.pem`), '-days', '1']
  if (ext) {
    writeFileSync(f(`${name}.ext`), ext)
    args.push('-extfile', f(`${name}.ext`))
  }
  ossl(...args)
}

async function tlsRedis(): Promise<number> {
  ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '1', '-subj', '/CN=hub-test-ca')
  issue('server', '/CN=localhost', 'subjectAltName=DNS:localhost,IP:127.0.0.1\n')
  issue('client', '/CN=lgsp-hub')
  const port = await freePort()
  // Only the TLS port (port 0: no plain listener); clients must present a certificate of the CA.
  const c = spawn(
    'redis-server',
    [
      ...['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      ...['--tls-cert-file', f('server.pem'), '--tls-key-file', f('server.key'), '--tls-ca-cert-file', f('ca.pem'), '--tls-auth-clients', 'yes'],
    ],
    { stdio: 'ignore' },
  )
  children.push(c)
  return port
}

const settle = async (c: Redis) => {
  clients.push(c)
  await new Promise((r) => setTimeout(r, 1500))
  return c.ping().then(
    () => 'ok',
    () => c.status,
  )
}

describe('Redis over TLS', () => {
  it('queues and workers run over TLS with the CA and a client certificate; refused without either', async () => {
    const port = await tlsRedis()
    const env = { NODE_ENV: 'test', REDIS_URL: `rediss://localhost:${port}`, REDIS_TLS_CA_FILE: f('ca.pem') }
    const mtls = { ...env, REDIS_TLS_CERT_FILE: f('client.pem'), REDIS_TLS_KEY_FILE: f('client.key') }
    const target = redisTarget(loadConfig(mtls))
    await waitFor(async () => (await settle(createRedis(target, 'probe'))) === 'ok', 20_000, 100)

    const runtime = new QueueRuntime(target, `{tls${uniqueId()}}`, createLogger('silent'))
    const seen: unknown[] = []
    runtime.startWorker({ name: 'housekeeping', processor: async (job) => void seen.push(job.data) }, 1)
    await runtime.queue('housekeeping').add('sweep', { n: 1 })
    await waitFor(() => seen.length === 1, 10_000, 20)
    expect(seen).toEqual([{ n: 1 }])
    await runtime.close()

    // No client certificate: the server refuses the handshake.
    expect(await settle(createRedis(redisTarget(loadConfig(env)), 'probe'))).not.toBe('ok')
    // No CA: the server's certificate is not trusted.
    const { REDIS_TLS_CA_FILE: _ca, ...noCa } = mtls
    expect(await settle(createRedis(redisTarget(loadConfig(noCa)), 'probe'))).not.toBe('ok')
    // And the plain protocol gets nothing from a TLS port.
    expect(await settle(createRedis(`redis://127.0.0.1:${port}`, 'probe'))).not.toBe('ok')
  }, 60_000)
})
