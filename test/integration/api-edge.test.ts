import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHub, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { captureLogger } from '../helpers/logs.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'

describe('the API edge: authentication, validation, problem+json, docs, log redaction', () => {
  let t: TestHub
  const logs = captureLogger('debug')
  beforeAll(async () => {
    t = await startTestHub({ logger: logs.logger, workers: false })
  })
  afterAll(async () => {
    await t?.close()
  })

  const post = (path: string, body: string, key?: string) =>
    fetch(t.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) }, body })

  it('no key → 401 problem+json', async () => {
    const res = await post('/v1/dossiers', JSON.stringify(dossierBody(1)))
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toContain('application/problem+json')
    expect(await res.json()).toMatchObject({ status: 401, code: 'HUB_ERR_UNAUTHENTICATED', type: expect.stringContaining('/problems/') })
  })

  it('an unknown key → 401; admin routes invite Basic auth for browsers', async () => {
    expect((await post('/v1/dossiers', '{}', 'not-a-key')).status).toBe(401)
    const admin = await fetch(`${t.url}/admin/queues`)
    expect(admin.status).toBe(401)
    expect(admin.headers.get('www-authenticate')).toContain('Basic')
  })

  it('a known client without the grant → 403, and nothing is stored', async () => {
    const res = await post('/v1/dossiers', JSON.stringify(dossierBody(2)), KEYS.limited)
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ code: 'HUB_ERR_FORBIDDEN' })
    const op = await fetch(`${t.url}/admin/dossiers`, { headers: { 'x-api-key': KEYS.province } })
    expect(op.status).toBe(403) // '*' never includes admin
    const { rows } = await t.hub.db.query('SELECT 1 FROM dossiers WHERE code = $1', [dossierCode(2)])
    expect(rows).toHaveLength(0)
  })

  it('operators reach the queue dashboard with Basic auth', async () => {
    const res = await fetch(`${t.url}/admin/queues`, { headers: { authorization: `Basic ${Buffer.from(`ops:${KEYS.operator}`).toString('base64')}` } })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('lgsp-hub queues')
  })

  it('a malformed JSON body → 400 with code and field', async () => {
    const res = await post('/v1/dossiers', '{"eventId": "x", ', KEYS.province)
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ code: 'HUB_ERR_VALIDATION', errors: [{ field: '/body' }] })
  })

  it('a body breaking the schema → 400 naming every offending field', async () => {
    const bad = { ...dossierBody(3), dossierCode: 'H56-2023-1', receivedAt: '2026-11-20 08:30', extra: true }
    const res = await post('/v1/dossiers', JSON.stringify(bad), KEYS.province)
    expect(res.status).toBe(400)
    const body = (await res.json()) as { code: string; errors: { field: string }[] }
    expect(body.code).toBe('HUB_ERR_VALIDATION')
    const fields = body.errors.map((e) => e.field)
    expect(fields).toEqual(expect.arrayContaining(['/body/dossierCode', '/body/receivedAt', '/body/extra']))
  })

  it('an oversized body → 413', async () => {
    const res = await post('/v1/dossiers', JSON.stringify({ ...dossierBody(4), summary: 'x'.repeat(2_000_000) }), KEYS.province)
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ code: 'HUB_ERR_PAYLOAD_TOO_LARGE' })
  })

  it('serves the OpenAPI document and the docs UI', async () => {
    const spec = (await (await fetch(`${t.url}/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown> }
    expect(spec.openapi).toMatch(/^3\./)
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/v1/dossiers', '/v1/dossiers/{dossierCode}/events', '/health/ready']))
    expect((await fetch(`${t.url}/docs`)).status).toBeLessThan(400)
  })

  it('request ids are echoed (given or generated)', async () => {
    const res = await fetch(`${t.url}/health/live`, { headers: { 'x-request-id': 'desk-42.abc' } })
    expect(res.headers.get('x-request-id')).toBe('desk-42.abc')
  })

  it('no CCCD, name or phone number of a request appears in clear in any log line', async () => {
    const cccd = '079190004567'
    const name = 'Phạm Thị Hồng Nhung'
    const phone = '0987654321'
    const body = dossierBody(5, 'log-test-5', { applicant: { kind: 'citizen', name, idType: 'cccd', idNumber: cccd, phone } })
    expect((await post('/v1/dossiers', JSON.stringify(body), KEYS.province)).status).toBe(202)
    // A refused request echoes its values in validation errors: those must be masked too.
    await post('/v1/dossiers', JSON.stringify({ ...body, applicant: { ...body.applicant, idNumber: `${cccd}X` } }), KEYS.province)
    await fetch(`${t.url}/v1/dossiers/${dossierCode(5)}/sync?cccd=${cccd}&phone=${phone}`, { headers: { 'x-api-key': KEYS.province } })
    t.hub.logger.info({ applicant: body.applicant }, `looked up citizen ${cccd}`)
    const text = logs.text()
    expect(logs.lines().length).toBeGreaterThan(5)
    expect(text).toContain('province-test') // the client id is on the request lines
    for (const clear of [cccd, phone, name, 'Nhung']) expect(text).not.toContain(clear)
  })
})
