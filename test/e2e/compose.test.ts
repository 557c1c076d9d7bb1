import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Queue } from 'bullmq'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { ConfigSchema } from '../../src/config/schema.js'
import {
  dependsOn,
  dockerStages,
  environmentOf,
  interpolate,
  loadCompose,
  requiredVariables,
  runHealthcheck,
  startOrder,
  volumesOf,
  type ComposeFile,
} from '../helpers/compose.js'
import { CLIENTS_JSON, KEYS, REDIS_URL, uniqueId } from '../helpers/config.js'
import { dossierBody } from '../helpers/dossiers.js'
import { waitFor } from '../helpers/hub.js'
import { createTestDatabase } from '../helpers/pg.js'
import { freePort, spawnHub, type HubProcess } from '../helpers/proc.js'

const COMPOSE = 'docker-compose.yml'
const DOCKERFILE = 'Dockerfile'
// Warehouse reads declare a purpose (a code of the purpose catalogue, docs/audit-coverage.md).
const PROVINCE = { 'x-api-key': KEYS.province, 'x-purpose': 'TTHC' }
const OPERATOR = { 'x-api-key': KEYS.operator, 'content-type': 'application/json' }
/** Env keys holding a port a role listens on, and addresses to keep on loopback. */
const PORT_KEYS = ['PORT', 'SANDBOX_PORT', 'WORKER_HEALTH_PORT', 'METRICS_PORT']
const HOST_KEYS = ['HOST', 'SANDBOX_HOST', 'WORKER_HEALTH_HOST', 'METRICS_HOST']
/** Services the host provides (real Redis and PostgreSQL): not started, their URLs rewritten. */
const INFRA = ['redis', 'postgres']

const root = mkdtempSync(join(tmpdir(), 'lgsp-compose-'))
const cleanups: (() => Promise<unknown>)[] = []
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined)
  rmSync(root, { recursive: true, force: true })
})

/** The variables an operator puts in .env (the secrets compose requires). */
function operatorVars(trustAnchors: string, auditKey = '/tmp/audit-signing-key.pem'): Record<string, string> {
  return {
    POSTGRES_PASSWORD: 'compose-test-password',
    CLIENTS_JSON,
    AUDIT_HASH_KEY: randomBytes(24).toString('hex'),
    CONSOLE_SESSION_SECRET: randomBytes(24).toString('base64url'),
    DVCQG_BASE_URL: 'http://sandbox:8090/dvcqg',
    DVCQG_USERNAME: 'sandbox',
    DVCQG_PASSWORD: 'sandbox',
    TRUST_ANCHORS_PEM: trustAnchors,
    AUDIT_SIGNING_KEY_PEM: auditKey,
    QUEUE_PREFIX: `cmp${uniqueId()}`,
  }
}

interface Instance {
  service: string
  replica: number
  env: Record<string, string>
}

/**
 * What a container would see, translated to this host: the image's ENV under the
 * service's environment; compose service names in URLs → loopback ports (Redis and
 * PostgreSQL → the host's); container paths → a volume's host folder (shared by every
 * service mounting it) or a private folder per container.
 */
async function instances(file: ComposeFile, order: string[], imageEnv: Record<string, string>, dbUrl: string): Promise<Instance[]> {
  const out: Instance[] = []
  const ports = new Map<string, number>() // `${service}:${containerPort}` → host port (first replica)
  for (const name of order.filter((n) => !INFRA.includes(n))) {
    const s = file.services[name]!
    for (let r = 0; r < (s.deploy?.replicas ?? 1); r++) {
      const env = { ...imageEnv, ...environmentOf(s) }
      for (const k of PORT_KEYS) {
        if (env[k] === undefined || env[k] === '0') continue
        const host = await freePort()
        if (r === 0) ports.set(`${name}:${env[k]}`, host)
        env[k] = String(host)
      }
      out.push({ service: name, replica: r, env })
    }
  }
  for (const inst of out) {
    const s = file.services[inst.service]!
    const own = join(root, `${inst.service}-${inst.replica}`)
    for (const [k, v] of Object.entries(inst.env)) {
      if (HOST_KEYS.includes(k) && v === '0.0.0.0') inst.env[k] = '127.0.0.1'
      const url = /^(\w+):\/\/(?:[^@/]*@)?([a-z0-9-]+):(\d+)(.*)$/.exec(v)
      if (url) {
        const [, scheme, host, port, rest] = url
        if (host === 'redis') inst.env[k] = REDIS_URL
        else if (host === 'postgres') inst.env[k] = dbUrl
        else if (ports.has(`${host}:${port}`)) inst.env[k] = `${scheme}://127.0.0.1:${ports.get(`${host}:${port}`)}${rest}`
        else throw new Error(`${inst.service}: ${k} names ${host}:${port}, which no service listens on`)
      }
      if (v.startsWith('/')) {
        const vol = volumesOf(s).find((m) => v === m.target || v.startsWith(`${m.target}/`))
        // In a volume: its host folder (a named one shared by every service mounting it); else the container's own filesystem.
        const volumeRoot = vol && (vol.named ? join(root, 'volumes', vol.source) : resolve(vol.source))
        inst.env[k] = vol ? volumeRoot + v.slice(vol.target.length) : join(own, v)
        if (k.endsWith('_DIR')) mkdirSync(inst.env[k], { recursive: true })
      }
    }
    // Nothing from the test runner's own environment reaches the role: only what compose and the image set.
    for (const key of Object.keys(ConfigSchema.properties)) inst.env[key] ??= ''
    inst.env['HUB_CONFIG_FILE'] ??= ''
  }
  return out
}

describe('docker-compose.yml, run on the host without a Docker engine', () => {
  it('declares what production needs: required secrets, one blob volume, TZ, trust anchors, real healthchecks, Node LTS image', () => {
    expect(requiredVariables(COMPOSE)).toEqual(
      [
        'AUDIT_HASH_KEY',
        'AUDIT_SIGNING_KEY_PEM',
        'CLIENTS_JSON',
        'CONSOLE_SESSION_SECRET',
        'DVCQG_BASE_URL',
        'DVCQG_PASSWORD',
        'DVCQG_USERNAME',
        'POSTGRES_PASSWORD',
        'TRUST_ANCHORS_PEM',
      ].sort(),
    )
    const vars = operatorVars('/tmp/anchors.pem')
    for (const v of requiredVariables(COMPOSE)) expect(() => loadCompose(COMPOSE, { ...vars, [v]: undefined }), v).toThrow(`required variable ${v}`)
    expect(interpolate('a${X:-b}c$${Y}', {})).toBe('abc${Y}')

    const file = loadCompose(COMPOSE, vars)
    for (const role of ['api', 'worker']) {
      const s = file.services[role]!
      const env = environmentOf(s)
      expect(env, role).toMatchObject({ NODE_ENV: 'production', TZ: 'Asia/Ho_Chi_Minh', AUDIT_HASH_KEY: vars.AUDIT_HASH_KEY, CONNECTORS_ENABLED: 'dvcqg' })
      expect(volumesOf(s), role).toEqual(
        expect.arrayContaining([
          { source: 'blobs', target: env['BLOB_DIR'], named: true, readOnly: false },
          { source: vars.TRUST_ANCHORS_PEM, target: env['WAREHOUSE_TRUST_ANCHORS_FILE'], named: false, readOnly: true },
          { source: vars.AUDIT_SIGNING_KEY_PEM, target: env['AUDIT_SIGNING_KEY_FILE'], named: false, readOnly: true },
          { source: 'audit-archive', target: env['AUDIT_ARCHIVE_DIR'], named: true, readOnly: false },
        ]),
      )
      expect(s.healthcheck?.test.join(' '), role).toContain('/health/ready')
    }
    expect(Object.keys(file.volumes ?? {})).toContain('blobs')
    const stages = dockerStages(DOCKERFILE)
    for (const st of stages) expect(st.from).toMatch(/^node:(22|24)[.-]/)
    expect(stages.at(-1)!.entrypoint).toEqual(['node', 'dist/src/cli.js'])
  })

  it('migrate, sandbox, api and two workers start from it; a document uploaded through the api is pushed by a worker; a dossier is delivered', async () => {
    const db = await createTestDatabase()
    cleanups.push(db.drop)
    const anchors = join(root, 'trust-anchors.pem')
    const auditKey = join(root, 'audit-signing-key.pem')
    writeFileSync(auditKey, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }))
    const vars = operatorVars(anchors, auditKey)
    const file = loadCompose(COMPOSE, vars)
    const order = startOrder(file, ['sandbox'])
    expect(order.filter((n) => !INFRA.includes(n))).toEqual(expect.arrayContaining(['sandbox', 'migrate', 'api', 'worker']))
    const all = await instances(file, order, dockerStages(DOCKERFILE).at(-1)!.env, db.url)

    const procs: { inst: Instance; p: HubProcess }[] = []
    cleanups.push(async () => {
      for (const { p } of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL')
    })
    const completedBeforeOthers = new Set(
      Object.values(file.services).flatMap((s) =>
        Object.entries(dependsOn(s))
          .filter(([, c]) => c === 'service_completed_successfully')
          .map(([n]) => n),
      ),
    )
    // Each probe is a process (as in Docker): polled every 1.5 s, not to load the machine the roles start on.
    const healthy = async (inst: Instance, p: HubProcess) => {
      const test = file.services[inst.service]!.healthcheck?.test
      if (!test) return
      await waitFor(
        async () => {
          if (p.child.exitCode !== null) throw new Error(`exited with ${p.child.exitCode}`)
          return runHealthcheck(test, inst.env)
        },
        90_000,
        1500,
      ).catch((e: Error) => {
        throw new Error(`${inst.service} never became healthy: ${e.message}\n${p.output().slice(-3000)}`)
      })
    }
    // Like `docker compose up`: a service starts once what it depends on is done (migrate) or healthy; siblings start together.
    const started = Date.now()
    const phases: Record<string, number> = {}
    const ready = new Set<string>(INFRA)
    while (ready.size < order.length) {
      const wave = order.filter((n) => !ready.has(n) && Object.keys(dependsOn(file.services[n]!)).every((d) => ready.has(d) || !order.includes(d)))
      expect(wave.length, `services that can never start: ${order.filter((n) => !ready.has(n)).join(', ')}`).toBeGreaterThan(0)
      await Promise.all(
        wave.map(async (service) => {
          const [cmd] = file.services[service]!.command!
          const group = all.filter((i) => i.service === service).map((inst) => ({ inst, p: spawnHub(cmd!, inst.env) }))
          procs.push(...group)
          for (const { inst, p } of group) {
            if (completedBeforeOthers.has(service)) expect(await p.exited, `${service}: ${p.output().slice(-2000)}`).toEqual({ code: 0, signal: null })
            else await healthy(inst, p)
          }
          phases[service] = Date.now() - started
        }),
      )
      wave.forEach((n) => ready.add(n))
      if (wave.includes('sandbox')) {
        const sb = all.find((i) => i.service === 'sandbox')!
        writeFileSync(anchors, await (await fetch(`http://127.0.0.1:${sb.env['SANDBOX_PORT']}/warehouse/_sandbox/trust-anchors`)).text())
      }
    }
    const api = `http://127.0.0.1:${all.find((i) => i.service === 'api')!.env['PORT']}`
    const sandbox = `http://127.0.0.1:${all.find((i) => i.service === 'sandbox')!.env['SANDBOX_PORT']}`
    expect((await fetch(`${api}/health/ready`)).status).toBe(200)
    expect(all.filter((i) => i.service === 'worker')).toHaveLength(2)
    // TZ reaches the workers: the 02:00 catalog cron is 02:00 in Vietnam (UTC+7), 19:00 UTC.
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null })
    const catalogQueue = new Queue('catalog-sync', { connection: redis, prefix: vars.QUEUE_PREFIX })
    cleanups.push(async () => {
      await catalogQueue.close()
      redis.disconnect()
    })
    const next = new Date((await catalogQueue.getJobScheduler('catalog-scheduled'))!.next!)
    expect([next.getUTCHours(), next.getUTCMinutes()]).toEqual([19, 0])

    // A signed document from the national warehouse (mirrored by a worker), stored again as a local one.
    const [owner] = (await (await fetch(`${sandbox}/warehouse/_sandbox/owners?limit=1`)).json()) as string[]
    expect((await fetch(`${api}/admin/warehouse/backfill`, { method: 'POST', headers: OPERATOR, body: JSON.stringify({ ownerIds: [owner] }) })).status).toBe(
      202,
    )
    type Doc = {
      id: string
      documentCode?: string
      file?: { sha256: string }
      signature?: { status: string }
      pushState: string
      pushError?: string
      nationalId?: string
    }
    const mirrored = await waitFor(
      async () => {
        const r = (await (await fetch(`${api}/v1/warehouse/owners/${owner}/documents`, { headers: PROVINCE })).json()) as { documents?: Doc[] }
        return r.documents?.find((d) => d.file && d.signature?.status === 'valid')
      },
      30_000,
      300,
    )
    // The file a worker mirrored, read by the api: the blob volume is shared.
    const content = await fetch(`${api}/v1/warehouse/documents/${mirrored.id}/content`, { headers: PROVINCE })
    expect(content.status, 'the api reads the file a worker stored').toBe(200)
    const pdf = Buffer.from(await content.arrayBuffer())
    const sha256 = createHash('sha256').update(pdf).digest('hex')
    const documentId = `compose-${uniqueId()}`
    const upload = await fetch(`${api}/v1/warehouse/documents`, {
      method: 'POST',
      headers: { ...PROVINCE, 'content-type': 'application/json' },
      body: JSON.stringify({
        documentId,
        ownerId: owner,
        ownerName: 'Nguyễn Văn Thử',
        documentCode: mirrored.documentCode ?? 'GT.KS.001',
        title: 'Bản sao điện tử',
        issuedOn: '2026-01-15',
        permanent: true,
        digitisationKind: '1',
        file: { name: 'ban-sao.pdf', contentBase64: pdf.toString('base64'), sha256 },
      }),
    })
    const accepted = (await upload.json()) as Doc
    expect([upload.status, accepted.pushState, accepted.signature?.status]).toEqual([202, 'pending', 'valid']) // valid: the mounted trust anchors
    const pushed = await waitFor(
      async () => {
        const d = (await (await fetch(`${api}/v1/warehouse/documents/${accepted.id}`, { headers: PROVINCE })).json()) as Doc
        if (d.pushState === 'failed') throw new Error(`push failed: ${d.pushError}`)
        return d.pushState === 'pushed' ? d : undefined
      },
      30_000,
      300,
    )
    const uploads = (await (await fetch(`${sandbox}/warehouse/_sandbox/uploads`)).json()) as { ma: string; nationalId: string }[]
    expect(uploads.find((u) => u.nationalId === pushed.nationalId)).toBeDefined()

    // A dossier through the api, delivered to the portal by a worker.
    const body = dossierBody(7)
    const res = await fetch(`${api}/v1/dossiers`, { method: 'POST', headers: { ...PROVINCE, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    expect(res.status).toBe(202)
    await waitFor(
      async () => {
        const s = (await (await fetch(`${api}/v1/dossiers/${body.dossierCode}/sync`, { headers: PROVINCE })).json()) as { events?: { state: string }[] }
        return s.events?.length && s.events.every((e) => e.state === 'delivered')
      },
      30_000,
      300,
    )
    expect((await fetch(`${sandbox}/dvcqg/_sandbox/dossiers/${body.dossierCode}`)).status).toBe(200)
    const elapsedMs = Date.now() - started

    // docker compose down: SIGTERM, graceful exit 0 from every long-running role.
    const running = procs.filter(({ inst }) => !completedBeforeOthers.has(inst.service))
    for (const { p } of running) p.child.kill('SIGTERM')
    for (const { inst, p } of running) expect(await p.exited, `${inst.service}-${inst.replica}`).toEqual({ code: 0, signal: null })
    console.log(JSON.stringify({ composeTest: { services: order, processes: procs.length, healthyAtMs: phases, upToDeliveredMs: elapsedMs } }))
  }, 240_000)
})
