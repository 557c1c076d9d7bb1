import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LOOKUP_CONNECTORS, LOOKUP_ENDPOINTS } from '../../src/connectors/lookups.js'
import { SERVICES } from '../../src/inbound-auth/clients.js'
import { startSandbox, startTestHub, type TestHub, type TestSandbox } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { lookupEnv } from '../helpers/lookups.js'

/**
 * What the lookup declarations (src/connectors/<id>/lookup.ts) drive: one route per
 * declared endpoint with its grant, schemas in OpenAPI, and a connector left out of
 * CONNECTORS_ENABLED answering the one 503 HUB_ERR_CONNECTOR_DISABLED (audited).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>
let sb: TestSandbox
let t: TestHub
const PURPOSE = '000.00.06.H56-231027-0361'

beforeAll(async () => {
  sb = await startSandbox(5)
  // Everything but the tax authority.
  const enabled = ['dvcqg', ...LOOKUP_CONNECTORS.map((c) => c.id).filter((id) => id !== 'tax')].join(',')
  t = await startTestHub({ sandbox: sb, env: lookupEnv(sb.url, { CONNECTORS_ENABLED: enabled, DOCS_ENABLED: 'true' }), workers: false })
})
afterAll(async () => {
  await t?.close()
  await sb?.close()
})

describe('lookup declarations', () => {
  it('every declared endpoint is a route requiring its service grant, and every grant is a known service', () => {
    const table = t.app.routeAccess()
    const endpoints = LOOKUP_ENDPOINTS.map((x) => x.endpoint)
    expect(endpoints.length).toBe(6)
    for (const e of endpoints) {
      expect(table.find((r) => r.method === e.method && r.url === e.url)?.access, `${e.method} ${e.url}`).toBe(e.service)
      expect(SERVICES as readonly string[]).toContain(e.service)
    }
    expect(new Set(LOOKUP_CONNECTORS.map((c) => c.id)).size).toBe(LOOKUP_CONNECTORS.length)
    expect(new Set(LOOKUP_CONNECTORS.map((c) => c.upstream.prefix)).size).toBe(LOOKUP_CONNECTORS.length)
  })

  it('OpenAPI documents each lookup with its summary, the purpose header and its reply schema', async () => {
    const res = await fetch(`${t.url}/docs/json`, { headers: { 'x-api-key': KEYS.operator } })
    expect(res.status).toBe(200)
    const doc = (await res.json()) as Json
    for (const { endpoint: e } of LOOKUP_ENDPOINTS) {
      const path = e.url.replace(/:(\w+)/g, '{$1}')
      const op = doc.paths[path]?.[e.method.toLowerCase()] as Json | undefined
      expect(op, `${e.method} ${path}`).toBeDefined()
      expect(op!.summary).toBe(e.summary)
      expect(op!.tags).toEqual(['lookups'])
      expect(op!.parameters.some((p: Json) => p.in === 'header' && p.name === 'x-purpose')).toBe(true)
      const reply = op!.responses['200'].content['application/json'].schema as Json
      expect(Object.keys(reply.properties)).toEqual(['data', 'source'])
    }
  })

  it('a connector not enabled answers 503 HUB_ERR_CONNECTOR_DISABLED naming it, and the lookup is audited', async () => {
    const taxCode = sb.sims.lookups.seed.businesses[1]!.taxCode
    const res = await fetch(`${t.url}/v1/taxpayers/${taxCode}`, { headers: { 'x-api-key': KEYS.province, 'x-purpose': PURPOSE } })
    const body = (await res.json()) as Json
    expect(res.status).toBe(503)
    expect(body).toMatchObject({ code: 'HUB_ERR_CONNECTOR_DISABLED', upstream: 'tax' })
    expect(res.headers.get('retry-after')).toBe('60')
    expect(sb.kit.recorder.query({ sim: 'tax' })).toHaveLength(0)
    const page = await t.hub.services.lookups.auditQuery({ limit: 10, service: 'taxpayers' } as never)
    expect(page.items[0]).toMatchObject({
      service: 'taxpayers',
      action: 'taxpayer.lookup',
      outcome: 'HUB_ERR_CONNECTOR_DISABLED',
      status: 503,
      upstream: 'tax',
    })
  })

  it('identifiers are still checked first (400), whatever the connector state', async () => {
    const res = await fetch(`${t.url}/v1/taxpayers/0100109107`, { headers: { 'x-api-key': KEYS.province, 'x-purpose': PURPOSE } })
    expect(res.status).toBe(400)
    expect(((await res.json()) as Json).errors[0].rule).toBe('HUB_ID_MST_CHECK_DIGIT')
  })
})
