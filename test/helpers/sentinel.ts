import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { freePort } from './proc.js'

export interface SentinelSet {
  master: string
  /** Data nodes by port: the first is the primary at start, the second its replica. */
  nodes: { port: number; child: ChildProcess }[]
  sentinels: { port: number; child: ChildProcess }[]
  /** REDIS_SENTINELS for the hub. */
  sentinelList: string
  /** Port of the primary the sentinels announce now. */
  primaryPort(): Promise<number>
  stop(): Promise<void>
}

const kill = (c: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve()
    c.once('exit', () => resolve())
    c.kill('SIGKILL')
  })

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (await check().catch(() => false)) return
    if (Date.now() > end) throw new Error(`sentinel set: ${what} not reached in ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function ask<T>(port: number, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  r.on('error', () => undefined)
  try {
    await r.connect()
    return await fn(r)
  } finally {
    r.disconnect()
  }
}

/**
 * A real Redis high-availability set on loopback: a primary, one replica and three
 * sentinels (`redis-server --sentinel`, quorum 2) with generated config files in a temp
 * folder. Resolves once the replica is in sync and every sentinel sees the replica and
 * the two other sentinels, so a failover can happen as soon as the primary dies.
 */
export async function startSentinelSet(opts: { downAfterMs?: number; failoverTimeoutMs?: number } = {}): Promise<SentinelSet> {
  const dir = mkdtempSync(join(tmpdir(), 'lgsp-sentinel-'))
  const master = 'hubprimary'
  const children: ChildProcess[] = []
  const server = (port: number, extra: string[]) => {
    const c = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra], {
      stdio: 'ignore',
    })
    children.push(c)
    return { port, child: c }
  }
  const primary = server(await freePort(), [])
  await until('primary up', () => ask(primary.port, async (r) => (await r.ping()) === 'PONG'))
  const replica = server(await freePort(), ['--replicaof', '127.0.0.1', String(primary.port)])
  await until('replica in sync', () => ask(replica.port, async (r) => (await r.info('replication')).includes('master_link_status:up')))

  const sentinels: { port: number; child: ChildProcess }[] = []
  for (let i = 0; i < 3; i++) {
    const port = await freePort()
    const file = join(dir, `sentinel-${port}.conf`)
    // Sentinel rewrites its config file (known peers, epochs): one writable file each.
    writeFileSync(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${master} 127.0.0.1 ${primary.port} 2`,
        `sentinel down-after-milliseconds ${master} ${opts.downAfterMs ?? 1500}`,
        `sentinel failover-timeout ${master} ${opts.failoverTimeoutMs ?? 10_000}`,
        `sentinel parallel-syncs ${master} 1`,
        '',
      ].join('\n'),
    )
    const c = spawn('redis-server', [file, '--sentinel'], { stdio: 'ignore' })
    children.push(c)
    sentinels.push({ port, child: c })
  }
  for (const s of sentinels) {
    await until(`sentinel ${s.port} sees the replica and 2 peers`, () =>
      ask(s.port, async (r) => {
        const flat = (await r.call('SENTINEL', 'MASTER', master)) as string[]
        const info = Object.fromEntries(flat.flatMap((v, i, a) => (i % 2 ? [] : [[v, a[i + 1]]])))
        return info['num-slaves'] === '1' && info['num-other-sentinels'] === '2' && String(info['flags']) === 'master'
      }),
    )
  }
  return {
    master,
    nodes: [primary, replica],
    sentinels,
    sentinelList: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','),
    async primaryPort() {
      for (const s of sentinels) {
        const addr = await ask(s.port, (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', master) as Promise<string[]>).catch(() => undefined)
        if (addr) return Number(addr[1])
      }
      throw new Error('no sentinel answered')
    },
    async stop() {
      await Promise.all(children.map(kill))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
