import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

/**
 * Just enough of the Compose specification to run docker-compose.yml's services on the
 * host (test/e2e/compose.test.ts): variable interpolation, merge keys, profiles,
 * depends_on, short-syntax volumes, CMD healthchecks; and the runtime stage of the Dockerfile.
 */

export interface ComposeService {
  build?: unknown
  image?: string
  command?: string[]
  environment?: Record<string, string | number | boolean | null> | string[]
  volumes?: string[]
  depends_on?: Record<string, { condition: string }> | string[]
  healthcheck?: { test: string[] }
  profiles?: string[]
  deploy?: { replicas?: number }
  ports?: string[]
}

export interface ComposeFile {
  services: Record<string, ComposeService>
  volumes?: Record<string, unknown>
}

const VAR = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g

/** Compose interpolation: `${V}`, `${V:-default}`, `${V-default}`, `${V:?error}`, `${V?error}`, `$V`, `$$`. */
export function interpolate(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(VAR, (match, name: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
    if (match === '$$') return '$'
    const key = (name ?? bare)!
    const value = vars[key]
    if (!op) return value ?? ''
    const missing = op.startsWith(':') ? value === undefined || value === '' : value === undefined
    if (op.endsWith('-')) return missing ? (arg ?? '') : value!
    if (missing) throw new Error(`required variable ${key} is missing a value: ${arg ?? ''}`)
    return value!
  })
}

function interpolateDeep(node: unknown, vars: Record<string, string | undefined>): unknown {
  if (typeof node === 'string') return interpolate(node, vars)
  if (Array.isArray(node)) return node.map((n) => interpolateDeep(n, vars))
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateDeep(v, vars)]))
  return node
}

/** The compose file parsed (YAML merge keys on), then interpolated like `docker compose` does. */
export function loadCompose(path: string, vars: Record<string, string | undefined>): ComposeFile {
  return interpolateDeep(parse(readFileSync(path, 'utf8'), { merge: true }), vars) as ComposeFile
}

/** Names of the variables the file requires (`${V:?…}` or `${V?…}`). */
export function requiredVariables(path: string): string[] {
  const text = readFileSync(path, 'utf8').replace(/^\s*#.*$/gm, '')
  const names = [...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)].map((m) => m[1]!)
  return [...new Set(names)].sort()
}

/** A service's environment as strings (map or `KEY=value` list). */
export function environmentOf(s: ComposeService): Record<string, string> {
  const env = s.environment ?? {}
  if (Array.isArray(env)) return Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]))
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]))
}

export function dependsOn(s: ComposeService): Record<string, string> {
  const d = s.depends_on ?? {}
  return Array.isArray(d) ? Object.fromEntries(d.map((n) => [n, 'service_started'])) : Object.fromEntries(Object.entries(d).map(([n, c]) => [n, c.condition]))
}

/** Short-syntax volumes: `source:target[:mode]`; a source that is not a path names a volume. */
export function volumesOf(s: ComposeService): { source: string; target: string; named: boolean; readOnly: boolean }[] {
  return (s.volumes ?? []).map((v) => {
    const [source, target, mode] = v.split(':')
    return { source: source!, target: target!, named: !/^[./~]/.test(source!), readOnly: mode === 'ro' }
  })
}

/** Services in start order (dependencies first); those outside the active profiles left out. */
export function startOrder(file: ComposeFile, profiles: string[]): string[] {
  const active = Object.entries(file.services).filter(([, s]) => !s.profiles || s.profiles.some((p) => profiles.includes(p)))
  const names = new Set(active.map(([n]) => n))
  const done: string[] = []
  const visit = (n: string, path: string[]) => {
    if (done.includes(n)) return
    if (path.includes(n)) throw new Error(`dependency cycle: ${[...path, n].join(' → ')}`)
    for (const d of Object.keys(dependsOn(file.services[n]!))) if (names.has(d)) visit(d, [...path, n])
    done.push(n)
  }
  for (const n of names) visit(n, [])
  return done
}

export interface DockerStage {
  from: string
  env: Record<string, string>
  entrypoint: string[]
}

/** The stages of a Dockerfile: base image, ENV (`k=v` form) and exec-form ENTRYPOINT of each. */
export function dockerStages(path: string): DockerStage[] {
  const lines = readFileSync(path, 'utf8')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
  const stages: DockerStage[] = []
  for (const line of lines) {
    const [instr, ...rest] = line.split(/\s+/)
    const args = rest.join(' ')
    if (instr === 'FROM') stages.push({ from: rest[0]!, env: {}, entrypoint: [] })
    const stage = stages[stages.length - 1]
    if (!stage) continue
    if (instr === 'ENV') for (const kv of rest) stage.env[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1)
    if (instr === 'ENTRYPOINT') stage.entrypoint = JSON.parse(args) as string[]
  }
  return stages
}

/** Runs a `['CMD', …]` healthcheck on the host with the service's environment; true when it exits 0. */
export function runHealthcheck(test: string[], env: Record<string, string>): Promise<boolean> {
  if (test[0] !== 'CMD') throw new Error(`only exec-form (CMD) healthchecks run on the host: ${test[0]}`)
  const [cmd, ...args] = test.slice(1)
  const child = spawn(cmd === 'node' ? process.execPath : cmd!, args, { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: 'ignore' })
  return new Promise((resolve) => {
    child.on('error', () => resolve(false))
    child.on('exit', (code) => resolve(code === 0))
  })
}
