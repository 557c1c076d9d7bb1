import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chownSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { freePort } from './proc.js'

export interface PrivatePostgres {
  url: string
  port: number
  /** Stops the server (`immediate`: like a crash, no checkpoint; `fast`: clients cut, clean shutdown). */
  stop(mode?: 'immediate' | 'fast'): Promise<void>
  /** Starts it again on the same data folder and port (crash recovery when it was stopped immediately). */
  start(): Promise<void>
  /** Stops it and removes its data folder. */
  destroy(): Promise<void>
}

/** PostgreSQL refuses to run as root: run it as the `postgres` account when the tests run as root. */
function owner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  return { uid: id('-u'), gid: id('-g') }
}

/**
 * A PostgreSQL server of its own (initdb into a temp folder, a free port, trust auth on
 * loopback), for tests that stop and restart the database under a running hub. Needs the
 * `initdb` and `postgres` binaries on PATH.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'lgsp-pg-'))
  const as = owner()
  if (as) chownSync(dir, as.uid, as.gid)
  const data = join(dir, 'data')
  const opts = { ...(as ? { uid: as.uid, gid: as.gid } : {}), env: { ...process.env, LC_ALL: 'C' } }
  execFileSync('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C'], { ...opts, stdio: 'ignore' })
  const port = await freePort()
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`
  let child: ChildProcess | undefined
  let exited: Promise<void> = Promise.resolve()

  const start = async () => {
    const c = spawn(
      'postgres',
      ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=50'],
      {
        ...opts,
        stdio: 'ignore',
      },
    )
    child = c
    exited = new Promise((resolve) => c.once('exit', () => resolve()))
    for (let i = 0; i < 200; i++) {
      const client = new pg.Client({ connectionString: url })
      client.on('error', () => undefined)
      try {
        await client.connect()
        await client.query('SELECT 1')
        await client.end()
        return
      } catch {
        await client.end().catch(() => undefined)
        await new Promise((r) => setTimeout(r, 50))
      }
    }
    throw new Error('private PostgreSQL did not start')
  }
  const stop = async (mode: 'immediate' | 'fast' = 'immediate') => {
    const c = child
    if (!c || c.exitCode !== null) return
    // SIGQUIT: immediate shutdown; SIGINT: fast shutdown.
    c.kill(mode === 'immediate' ? 'SIGQUIT' : 'SIGINT')
    await exited
    child = undefined
  }
  await start()
  return {
    url,
    port,
    stop,
    start,
    async destroy() {
      await stop('fast')
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
