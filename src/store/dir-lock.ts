import { openSync, writeSync, closeSync, readFileSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'

/**
 * An exclusive lock on a data folder for one process (PGlite cannot be shared).
 * A lock left by a dead process is taken over. Returns the release function.
 */
export function acquireDirLock(dir: string): () => void {
  const file = join(dir, 'hub.lock')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return () => {
        try {
          if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file)
        } catch {
          /* already gone */
        }
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      const pid = Number(readFileSync(file, 'utf8'))
      if (pid && isAlive(pid)) {
        throw new Error(
          `the embedded database in ${dir} is in use by process ${pid}${pid === process.pid ? ' (this one)' : ''}; PGlite serves one process: run one 'all' process, or set DATABASE_URL to use PostgreSQL`,
        )
      }
      unlinkSync(file)
    }
  }
  throw new Error(`cannot lock ${dir}`)
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
