import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { execSync } from 'node:child_process'
import { Agent, request } from 'node:http'
import { KEYS } from '../test/helpers/config.js'

/** Percentile of a sorted-or-not list of numbers (nearest rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!
}

export function machine() {
  let commit = 'unknown'
  try {
    commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim()
  } catch {
    /* not a checkout */
  }
  return {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    commit,
    at: new Date().toISOString(),
  }
}

/** Writes `bench/results/<name>.json` and `<name>.md`. */
export function writeResults(name: string, json: unknown, markdown: string): void {
  mkdirSync('bench/results', { recursive: true })
  writeFileSync(`bench/results/${name}.json`, JSON.stringify(json, null, 2) + '\n')
  writeFileSync(`bench/results/${name}.md`, markdown.trim() + '\n')
  console.log(markdown)
}

/** The short commit of the checkout at `cwd`. */
export function commitOf(cwd: string): string {
  try {
    return execSync('git rev-parse --short HEAD', { cwd, encoding: 'utf8' }).trim()
  } catch {
    return 'unknown'
  }
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux; NaN elsewhere).
 * On a shared machine, CPU per request is steadier than requests per second.
 */
export function cpuMsOf(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // Fields 14 and 15 (utime, stime) in clock ticks; after the comm they are at 11 and 12.
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS
  } catch {
    return NaN
  }
}
const CLOCK_TICKS = (() => {
  try {
    return Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100
  } catch {
    return 100
  }
})()

/** Keep-alive agent of the intake load generators (bench:dossiers, bench:indicators); destroy it at the end. */
export const intakeAgent = new Agent({ keepAlive: true, maxSockets: 256 })

/**
 * POSTs JSON to the hub on 127.0.0.1 as the province's client; answers the status code, or 0
 * when the request failed (a kept-alive socket the server closed while idle resets: a failed request).
 */
export function postAsProvince(port: number, path: string, body: unknown): Promise<number> {
  const data = JSON.stringify(body)
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: intakeAgent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), 'x-api-key': KEYS.province },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', () => resolve(0))
    req.end(data)
  })
}
