import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.unref()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export interface HubProcess {
  child: ChildProcess
  output: () => string
  /** Resolves with the exit code (or signal name) and how long after `since` it came. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/**
 * Runs `lgsp-hub <role>` from source in a child process (real process, real signals).
 * `cwd` runs another checkout (benchmark A/B); `nodeArgs` adds Node flags (e.g. `--cpu-prof`).
 */
export function spawnHub(role: string, env: Record<string, string>, opts: { cwd?: string; nodeArgs?: string[] } = {}): HubProcess {
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', 'src/cli.ts', role], {
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout?.on('data', (d) => (out += d.toString()))
  child.stderr?.on('data', (d) => (out += d.toString()))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  return { child, output: () => out, exited }
}

/** A private redis-server on its own port (for tests that stop Redis or flush it). */
export async function startPrivateRedis(port?: number): Promise<{ port: number; url: string; stop: () => Promise<void> }> {
  const p = port ?? (await freePort())
  const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  const url = `redis://127.0.0.1:${p}`
  const { Redis } = await import('ioredis')
  for (let i = 0; i < 100; i++) {
    const c = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    c.on('error', () => undefined)
    try {
      await c.connect()
      await c.ping()
      c.disconnect()
      break
    } catch {
      c.disconnect()
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  return {
    port: p,
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGKILL')
      }),
  }
}

/**
 * An `api` process on `env.PORT`, stopped with SIGTERM by the cleanup registered in `cleanups`;
 * resolves once `/health/live` answers 200 (throws with the process's output if it exits first).
 */
export async function startApiProcess(env: Record<string, string>, cleanups: (() => Promise<unknown>)[], timeoutMs = 60_000): Promise<HubProcess> {
  const p = spawnHub('api', env)
  cleanups.push(async () => {
    if (p.child.exitCode === null) {
      p.child.kill('SIGTERM')
      await p.exited
    }
  })
  const until = Date.now() + timeoutMs
  for (;;) {
    if (p.child.exitCode !== null) throw new Error(`api process exited:\n${p.output().slice(-2000)}`)
    const status = (await fetch(`http://127.0.0.1:${env['PORT']}/health/live`).catch(() => ({ status: 0 }))).status
    if (status === 200) return p
    if (Date.now() > until) throw new Error(`api process not live within ${timeoutMs} ms:\n${p.output().slice(-2000)}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}
