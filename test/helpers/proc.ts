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
