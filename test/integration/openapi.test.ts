import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHub, type TestHub } from '../helpers/hub.js'
import { dossierBody } from '../helpers/dossiers.js'
import { ERRORS } from '../../src/errors.js'

const run = promisify(execFile)
const require = createRequire(import.meta.url)
const bin = (pkg: string, file: string) => join(require.resolve(`${pkg}/package.json`).replace(/package\.json$/, ''), file)
// No update check, telemetry or notices: the tests run where the network may be closed.
const quiet = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', REDOCLY_SUPPRESS_NOTIFICATIONS: 'true', NO_COLOR: '1' }

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options']

/**
 * The integrator's first contact: the document served at /docs/json validates under
 * Redocly's recommended rules (its CLI, as an integrator runs it), and a client generated
 * from it with openapi-typescript type-checks typed calls (and refuses wrong ones).
 */
describe('the OpenAPI document', () => {
  let t: TestHub
  let doc: Json
  let dir: string
  beforeAll(async () => {
    t = await startTestHub({ workers: false })
    const res = await fetch(`${t.url}/docs/json`)
    expect(res.status).toBe(200)
    doc = (await res.json()) as Json
    dir = mkdtempSync(join(tmpdir(), 'lgsp-openapi-'))
    writeFileSync(join(dir, 'openapi.json'), JSON.stringify(doc))
  }, 60_000)
  afterAll(async () => {
    await t?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const operations = () =>
    Object.entries(doc.paths as Json).flatMap(([path, item]) =>
      Object.entries(item as Json)
        .filter(([m]) => METHODS.includes(m))
        .map(([method, op]) => ({ path, method, op: op as Json })),
    )

  it('is OpenAPI 3.1 with a server, and redocly lint (recommended) reports 0 errors', async () => {
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.servers).toEqual([expect.objectContaining({ url: expect.any(String) })])
    const { stdout } = await run(
      process.execPath,
      [bin('@redocly/cli', 'bin/cli.js'), 'lint', '--extends', 'recommended', '--format', 'json', join(dir, 'openapi.json')],
      { env: quiet, maxBuffer: 16 << 20 },
    ).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr }))
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as {
      totals: { errors: number; warnings: number }
      problems: { ruleId: string; message: string; severity: string }[]
    }
    const errors = report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message}`)
    console.log(`redocly lint --extends recommended: ${report.totals.errors} errors, ${report.totals.warnings} warnings`)
    expect(errors).toEqual([])
    expect(report.totals.errors).toBe(0)
  }, 60_000)

  it('every operation has a unique camelCase operationId', () => {
    const ids = operations().map(({ op }) => op.operationId as string)
    expect(ids.length).toBeGreaterThanOrEqual(30)
    for (const id of ids) expect(id).toMatch(/^[a-z][A-Za-z0-9]*$/)
    expect(new Set(ids).size).toBe(ids.length)
    // Stable names (a generated client's method names): derived from method and path.
    const byPath = (p: string, m: string) => (doc.paths as Json)[p][m].operationId
    expect(byPath('/v1/dossiers', 'post')).toBe('postDossiers')
    expect(byPath('/v1/citizens/{idNumber}', 'get')).toBe('getCitizensByIdNumber')
    expect(byPath('/admin/dossiers/{dossierCode}/replay', 'post')).toBe('postAdminDossiersReplayByDossierCode')
  })

  it('documents the problem answers of every operation as problem+json, with the HUB_ERR codes of each status', () => {
    const responses = doc.components.responses as Json
    const resolve = (r: Json) => (r.$ref ? responses[(r.$ref as string).split('/').pop()!] : r) as Json
    for (const { path, method, op } of operations()) {
      const label = `${method.toUpperCase()} ${path}`
      const statuses = Object.keys(op.responses as Json).map(Number)
      const isPublic = Array.isArray(op.security) && op.security.length === 0
      // Every request crosses the edge: timeouts, URL and header size, internal errors.
      expect(statuses, label).toEqual(expect.arrayContaining([408, 414, 431, 500]))
      if (!isPublic) expect(statuses, label).toEqual(expect.arrayContaining([401, 403, 503]))
      // Rate limits: every route but the probes (a throttled probe would take the hub out of service).
      if (!path.startsWith('/health/')) expect(statuses, label).toContain(429)
      if (op.requestBody) expect(statuses, label).toEqual(expect.arrayContaining([400, 413, 415]))
      if ((op.parameters ?? []).length) expect(statuses, label).toContain(400)
      for (const s of statuses.filter((s) => s >= 400)) {
        const r = resolve((op.responses as Json)[String(s)])
        expect(Object.keys(r.content), `${label} ${s}`).toEqual(['application/problem+json'])
        expect(r.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' })
        // The description names every code of that status in the error catalogue.
        for (const [code, e] of Object.entries(ERRORS)) if (e.status === s) expect(r.description, `${label} ${s}`).toContain(code)
      }
    }
    expect(doc.components.schemas.Problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'code']))
  })

  it('declares each route’s security: none on probes, Basic also for operators', () => {
    expect(doc.paths['/health/ready'].get.security).toEqual([])
    expect(doc.paths['/admin/dossiers'].get.security).toEqual(expect.arrayContaining([{ basic: [] }, { apiKey: [] }]))
    expect(doc.paths['/v1/dossiers'].post.security).toEqual(expect.arrayContaining([{ apiKey: [] }]))
    expect(doc.paths['/v1/dossiers'].post.security).not.toContainEqual({ basic: [] })
  })

  it('describes the multipart upload beside the JSON form', () => {
    const content = doc.paths['/v1/warehouse/documents'].post.requestBody.content as Json
    expect(Object.keys(content).sort()).toEqual(['application/json', 'multipart/form-data'])
    const form = content['multipart/form-data'].schema as Json
    expect(form.required).toEqual(['metadata', 'file'])
    expect(form.properties.file).toMatchObject({ type: 'string' })
    expect(form.properties.metadata).toMatchObject({ type: 'string', contentMediaType: 'application/json' })
  })

  it('a client generated with openapi-typescript type-checks typed calls (strict) and refuses wrong ones', async () => {
    await run(process.execPath, [bin('openapi-typescript', 'bin/cli.js'), join(dir, 'openapi.json'), '-o', join(dir, 'api.ts')], { env: quiet })
    const sample = dossierBody(1)
    writeFileSync(
      join(dir, 'calls.ts'),
      `import type { paths, operations, components } from './api.js'

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never
type Op<P extends keyof paths, M extends keyof paths[P]> = paths[P][M]
type Body<O> = O extends { requestBody: { content: { 'application/json': infer B } } } ? B : never
type Reply<O, S extends number> = O extends { responses: { [K in S]: infer R } } ? Json<R> : never

/** A tiny typed client over fetch: the path, method and body checked against the document. */
export async function call<P extends keyof paths, M extends keyof paths[P] & string>(base: string, key: string, path: P, method: M, body?: Body<Op<P, M>>) {
  const res = await fetch(base + String(path), { method: method.toUpperCase(), headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  return (await res.json()) as Reply<Op<P, M>, 200> | Reply<Op<P, M>, 202>
}

export async function demo(base: string, key: string): Promise<string[]> {
  const accepted = await call(base, key, '/v1/dossiers', 'post', ${JSON.stringify(sample)})
  const seq: number = (accepted as Reply<Op<'/v1/dossiers', 'post'>, 202>).seq
  const list = (await call(base, key, '/v1/catalog/procedures', 'get')) as Reply<Op<'/v1/catalog/procedures', 'get'>, 200>
  const names: string[] = list.items.map((p) => p.name)
  const query: NonNullable<operations['getCatalogProcedures']['parameters']['query']> = { q: 'giay phep xay dung', limit: 10 }
  const problem: components['schemas']['Problem'] = { type: 'about:blank', title: 'x', status: 400, code: 'HUB_ERR_VALIDATION' }
  const citizen: operations['getCitizensByIdNumber']['parameters']['path'] = { idNumber: '001090000001' }
  // @ts-expect-error a wrong channel is refused by the generated types
  const bad: Body<Op<'/v1/dossiers', 'post'>> = { ...${JSON.stringify(sample)}, channel: 'fax' }
  // @ts-expect-error an unknown path is refused
  await call(base, key, '/v1/nowhere', 'get')
  return [String(seq), ...names, String(query.q), problem.code, citizen.idNumber, String(bad)]
}
`,
    )
    const tsc = bin('typescript', 'bin/tsc')
    const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--lib', 'es2022,dom']
    const out = await run(process.execPath, [tsc, ...args, join(dir, 'calls.ts')], { maxBuffer: 16 << 20 }).catch((e: { stdout: string }) => ({
      stdout: e.stdout,
      failed: true,
    }))
    expect(out.stdout).toBe('')
    expect('failed' in out).toBe(false)
  }, 60_000)

  it('lists every API route of the route table, with the security its access declaration implies', () => {
    // The pages (docs UI, queue dashboard, the console's static files) and the scrape endpoint are not API operations.
    const api = t.app.routeAccess().filter((r) => r.method !== 'HEAD' && !/^\/(docs|admin\/queues|metrics|console(?!\/api\/))(\/|$)/.test(r.url))
    const documented = new Map(operations().map(({ path, method, op }) => [`${method.toUpperCase()} ${path}`, op]))
    expect(api.length).toBeGreaterThanOrEqual(30)
    expect(documented.size).toBe(api.length)
    for (const r of api) {
      const op = documented.get(`${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`)
      expect(op, `${r.method} ${r.url}`).toBeDefined()
      const schemes = (op!.security as Json[]).flatMap((s) => Object.keys(s))
      if (r.access === 'public') expect(schemes).toEqual([])
      else if (String(r.access).startsWith('admin')) expect(schemes).toEqual(expect.arrayContaining(['apiKey', 'basic']))
      else expect(schemes).toEqual(expect.arrayContaining(['apiKey']))
    }
  })
})
