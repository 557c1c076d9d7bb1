import type { AddressInfo } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { createHub, type Hub, type Role } from '../../src/hub.js'
import { buildApp, type HubApp } from '../../src/app.js'
import { createSandbox } from '../../src/sandbox/index.js'
import { createLogger, type Logger } from '../../src/log.js'
import type { HubConfig } from '../../src/config/schema.js'
import { testConfig } from './config.js'

export interface TestSandbox {
  app: FastifyInstance
  kit: Awaited<ReturnType<typeof createSandbox>>['kit']
  sims: Awaited<ReturnType<typeof createSandbox>>['sims']
  url: string
  close(): Promise<void>
}

/** The sandbox (simulated national systems) listening on a random loopback port. */
export async function startSandbox(seed = 42): Promise<TestSandbox> {
  const sb = await createSandbox(seed, createLogger('silent'))
  await sb.app.listen({ host: '127.0.0.1', port: 0 })
  const url = `http://127.0.0.1:${(sb.app.server.address() as AddressInfo).port}`
  return { ...sb, url, close: () => sb.app.close() }
}

export interface TestHub {
  hub: Hub
  app: HubApp
  config: HubConfig
  sandbox: TestSandbox
  /** Base URL of the hub's API (listening on a random port). */
  url: string
  close(): Promise<void>
}

export interface StartTestHubOptions {
  /** Config overrides (env names). DVCQG_BASE_URL defaults to the sandbox. */
  env?: Record<string, string | number | undefined>
  role?: Role
  /** Start queue workers (default true). */
  workers?: boolean
  logger?: Logger
  /** Reuse a running sandbox instead of starting one. */
  sandbox?: TestSandbox
}

/**
 * A whole hub on real Redis and a real database (PGlite in a temp folder unless
 * env.DATABASE_URL is given), its API listening on a random port, talking to the
 * sandbox over real HTTP.
 */
export async function startTestHub(opts: StartTestHubOptions = {}): Promise<TestHub> {
  const sandbox = opts.sandbox ?? (await startSandbox())
  const config = testConfig({ DVCQG_BASE_URL: `${sandbox.url}/dvcqg`, ...opts.env })
  const hub = await createHub(config, opts.role ?? 'all', { logger: opts.logger ?? createLogger('silent') })
  const app = await buildApp(hub, { logger: opts.logger })
  await app.listen({ host: '127.0.0.1', port: 0 })
  if (opts.workers !== false) await hub.startWorkers()
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  return {
    hub,
    app,
    config,
    sandbox,
    url,
    async close() {
      await app.close()
      await hub.close()
      if (!opts.sandbox) await sandbox.close()
    },
  }
}

/** Polls `fn` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false | 0 | ''> | T | undefined | null | false | 0 | '',
  timeoutMs = 20_000,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const v = await fn()
      if (v) return v as T
    } catch (e) {
      last = e
    }
    if (Date.now() > until) throw new Error(`waitFor timed out after ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}
