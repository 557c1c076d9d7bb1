import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.js'
import { KEYS } from '../helpers/config.js'
import { startPrivateRedis } from '../helpers/proc.js'
import { dossierBody, dossierCode } from '../helpers/dossiers.js'

type Json = Record<string, unknown>
const SESSION = '/console/api/session'
const json = { 'content-type': 'application/json' }

/** The cookie pair (name=value) of a Set-Cookie header. */
const cookieOf = (res: Response) => res.headers.get('set-cookie')?.split(';', 1)[0] ?? ''

describe('operator console session (issue 15)', () => {
  let t: TestHub
  const SECRET = 'console-session-secret-for-the-test-0123456789'

  beforeAll(async () => {
    t = await startTestHub({ env: { CONSOLE_SESSION_SECRET: SECRET, CONSOLE_SIGNIN_PER_MINUTE: 1000 } })
  })
  afterAll(async () => {
    await t?.close()
  })

  const signIn = (key: string, base = t.url) => fetch(base + SESSION, { method: 'POST', headers: json, body: JSON.stringify({ key }) })
  const auditRows = async (event: string) =>
    (
      await t.hub.db.query<{ client_id: string; outcome: string; detail: Json }>(
        `SELECT client_id, outcome, detail FROM audit_log WHERE action LIKE '% /console/api/session' AND detail->>'event' = $1 ORDER BY seq`,
        [event],
      )
    ).rows

  it('sign-in sets an HttpOnly, SameSite=Strict cookie on / and answers the role and a CSRF token; it is audited', async () => {
    const res = await signIn(KEYS.operator)
    expect(res.status).toBe(200)
    const body = (await res.json()) as Json
    expect(body).toMatchObject({ client: 'operator-test', role: 'admin', idleSeconds: 30 * 60 })
    expect(typeof body['csrfToken']).toBe('string')
    expect((body['csrfToken'] as string).length).toBeGreaterThanOrEqual(32)
    const setCookie = res.headers.get('set-cookie')!
    expect(setCookie).toMatch(/^lgsp_console=[^;]+;/)
    expect(setCookie).toContain('Path=/')
    expect(setCookie).toContain('HttpOnly')
    expect(setCookie).toContain('SameSite=Strict')
    expect(setCookie).not.toContain('Secure') // NODE_ENV=test, CONSOLE_COOKIE_SECURE=auto
    // The key itself is nowhere in the audit record.
    const rows = await auditRows('sign-in')
    expect(rows.some((r) => r.client_id === 'operator-test' && r.outcome === 'done' && r.detail['role'] === 'admin')).toBe(true)
    expect(JSON.stringify(rows)).not.toContain(KEYS.operator)
  })

  it('a wrong key and a service key get one generic 401 without a cookie, audited as failed sign-ins', async () => {
    const before = (await auditRows('sign-in-failed')).length
    const details: unknown[] = []
    for (const key of ['not-a-key-at-all-0123456789', KEYS.province, KEYS.metrics]) {
      const res = await signIn(key)
      expect(res.status, key).toBe(401)
      expect(res.headers.get('set-cookie'), key).toBeNull()
      expect(res.headers.get('content-type')).toContain('application/problem+json')
      const p = (await res.json()) as Json
      expect(p['code']).toBe('HUB_ERR_UNAUTHENTICATED')
      details.push(p['detail'])
    }
    expect(new Set(details).size).toBe(1)
    const rows = await auditRows('sign-in-failed')
    expect(rows.length - before).toBe(3)
    expect(rows.slice(before).map((r) => r.client_id)).toEqual(['unknown', 'province-test', 'metrics-test'])
  })

  it('bad sign-in bodies are 400 problems naming the field', async () => {
    for (const body of [{}, { key: '' }, { key: 'x'.repeat(513) }, { key: KEYS.operator, extra: 1 }]) {
      const res = await fetch(t.url + SESSION, { method: 'POST', headers: json, body: JSON.stringify(body) })
      expect(res.status, JSON.stringify(body).slice(0, 40)).toBe(400)
      expect(res.headers.get('set-cookie')).toBeNull()
      expect(((await res.json()) as Json)['code']).toBe('HUB_ERR_VALIDATION')
    }
  })

  it('GET session returns the same CSRF token while live, 401 without a session', async () => {
    const res = await signIn(KEYS.viewer)
    const body = (await res.json()) as Json
    const cookie = cookieOf(res)
    const again = await fetch(t.url + SESSION, { headers: { cookie } })
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual(body)
    const none = await fetch(t.url + SESSION)
    expect(none.status).toBe(401)
    const forged = await fetch(t.url + SESSION, { headers: { cookie: `${cookie.slice(0, -3)}abc` } })
    expect(forged.status).toBe(401)
  })

  it('a viewer session reads /admin routes and is refused a replay (403), nothing replayed', async () => {
    const cookie = cookieOf(await signIn(KEYS.viewer))
    const list = await fetch(`${t.url}/admin/dossiers?state=parked`, { headers: { cookie } })
    expect(list.status).toBe(200)
    const session = (await (await fetch(t.url + SESSION, { headers: { cookie } })).json()) as Json
    const replay = await fetch(`${t.url}/admin/dossiers/replay`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': session['csrfToken'] as string, ...json },
      body: '{}',
    })
    expect(replay.status).toBe(403)
    expect(((await replay.json()) as Json)['code']).toBe('HUB_ERR_FORBIDDEN')
  })

  it('the cookie is no credential for /v1 service routes nor /metrics', async () => {
    const cookie = cookieOf(await signIn(KEYS.operator))
    const v1 = await fetch(`${t.url}/v1/dossiers/${dossierCode(1)}/sync`, { headers: { cookie } })
    expect(v1.status).toBe(401)
    const metrics = await fetch(`${t.url}/metrics`, { headers: { cookie } })
    expect(metrics.status).toBe(401)
    // A console page gets no Basic prompt over its 401s; a plain client still does.
    expect(metrics.headers.get('www-authenticate')).toBeNull()
    expect((await fetch(`${t.url}/metrics`)).headers.get('www-authenticate')).toContain('Basic')
  })

  it('an operator state change needs the session CSRF token: without it or with a wrong one 403 HUB_ERR_CSRF and nothing changes', async () => {
    // A dossier created by the province and delivered, then parked by hand (the test is about the refusal, not the parking).
    const code = dossierCode(7701)
    const created = await fetch(`${t.url}/v1/dossiers`, {
      method: 'POST',
      headers: { 'x-api-key': KEYS.province, ...json },
      body: JSON.stringify(dossierBody(7701)),
    })
    expect(created.status).toBe(202)
    await waitFor(async () => (await t.hub.db.query('SELECT 1 FROM dossiers WHERE code = $1 AND delivered_seq = last_seq', [code])).rows.length)
    await t.hub.db.query(`UPDATE dossiers SET state = 'parked', parked_reason = 'test', parked_at = now() WHERE code = $1`, [code])
    const signedIn = await signIn(KEYS.operator)
    const { csrfToken } = (await signedIn.json()) as { csrfToken: string }
    const cookie = cookieOf(signedIn)
    const state = async () => (await t.hub.db.query<{ state: string }>('SELECT state FROM dossiers WHERE code = $1', [code])).rows[0]?.state
    const attempts: Record<string, string>[] = [{ cookie }, { cookie, 'x-csrf-token': 'wrong' }, { cookie, 'x-csrf-token': `${csrfToken.slice(1)}x` }]
    for (const headers of attempts) {
      const res = await fetch(`${t.url}/admin/dossiers/${code}/replay`, { method: 'POST', headers: { ...headers, ...json }, body: '{}' })
      expect(res.status).toBe(403)
      const p = (await res.json()) as Json
      expect(p['code']).toBe('HUB_ERR_CSRF')
      expect(JSON.stringify(p['errors'])).toContain('/headers/x-csrf-token')
      expect(await state()).toBe('parked')
    }
    const ok = await fetch(`${t.url}/admin/dossiers/${code}/replay`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken, ...json }, body: '{}' })
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ replayed: [code] })
    expect(await state()).toBe('active')
  })

  it('sign-out needs the CSRF token, ends the session and the same cookie is then refused', async () => {
    const signedIn = await signIn(KEYS.operator)
    const { csrfToken } = (await signedIn.json()) as { csrfToken: string }
    const cookie = cookieOf(signedIn)
    expect((await fetch(t.url + SESSION, { method: 'DELETE', headers: { cookie } })).status).toBe(403)
    expect((await fetch(`${t.url}/admin/dossiers`, { headers: { cookie } })).status).toBe(200)
    const out = await fetch(t.url + SESSION, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrfToken } })
    expect(out.status).toBe(204)
    expect(out.headers.get('set-cookie')).toMatch(/^lgsp_console=;/)
    expect((await fetch(`${t.url}/admin/dossiers`, { headers: { cookie } })).status).toBe(401)
    expect((await fetch(t.url + SESSION, { headers: { cookie } })).status).toBe(401)
    expect((await auditRows('sign-out')).some((r) => r.client_id === 'operator-test')).toBe(true)
  })

  it('every use sends the cookie again with a later expiry (rolling); a /v1 call with the cookie neither reads nor sends it', async () => {
    const res = await signIn(KEYS.operator)
    const cookie = cookieOf(res)
    const expiresOf = (r: Response) => Date.parse(/Expires=([^;]+)/i.exec(r.headers.get('set-cookie') ?? '')?.[1] ?? '')
    const first = expiresOf(res)
    expect(first).toBeGreaterThan(Date.now() + 29 * 60_000)
    await new Promise((r) => setTimeout(r, 1100))
    const used = await fetch(`${t.url}/admin/dossiers`, { headers: { cookie } })
    expect(used.status).toBe(200)
    expect(cookieOf(used)).toBe(cookie)
    expect(used.headers.get('set-cookie')).toContain('HttpOnly')
    expect(used.headers.get('set-cookie')).toContain('SameSite=Strict')
    expect(expiresOf(used)).toBeGreaterThan(first)
    const api = await fetch(`${t.url}/v1/catalog/fields`, { headers: { cookie, 'x-api-key': KEYS.province } })
    expect(api.status).toBe(200)
    expect(api.headers.get('set-cookie')).toBeNull()
  })

  it('sign-in starts a new session: the id the browser came with ends (no session fixation)', async () => {
    const before = cookieOf(await signIn(KEYS.operator))
    const again = await fetch(t.url + SESSION, { method: 'POST', headers: { ...json, cookie: before }, body: JSON.stringify({ key: KEYS.operator }) })
    expect(again.status).toBe(200)
    const after = cookieOf(again)
    expect(after).toMatch(/^lgsp_console=.+/)
    expect(after).not.toBe(before)
    expect((await fetch(`${t.url}/admin/dossiers`, { headers: { cookie: before } })).status).toBe(401)
    expect((await fetch(`${t.url}/admin/dossiers`, { headers: { cookie: after } })).status).toBe(200)
  })

  it('a session past its absolute lifetime is refused even when used all along', async () => {
    const sessions = t.app.consoleSessions!
    // A session as the store holds it, signed in `createdAt`, its cookie still within the idle time.
    const seed = (createdAt: number) =>
      new Promise<string>((resolve, reject) => {
        const id = randomBytes(24).toString('base64url')
        const cookie = { originalMaxAge: 30 * 60_000, expires: new Date(Date.now() + 30 * 60_000), path: '/', httpOnly: true, sameSite: 'strict' }
        const session = { clientId: 'operator-test', csrfToken: randomBytes(32).toString('base64url'), createdAt, cookie }
        sessions.store.set(id, session as never, (e) => (e ? reject(e as Error) : resolve(`lgsp_console=${encodeURIComponent(sessions.signedId(id))}`)))
      })
    // CONSOLE_SESSION_MAX_HOURS defaults to 12.
    expect((await fetch(`${t.url}/admin/dossiers`, { headers: { cookie: await seed(Date.now() - 12 * 3_600_000 - 1000) } })).status).toBe(401)
    const fresh = await seed(Date.now() - 11 * 3_600_000)
    expect((await fetch(`${t.url}/admin/dossiers`, { headers: { cookie: fresh } })).status).toBe(200)
    // Its key in Redis never outlives the absolute lifetime, whatever the idle time left.
    const ttl = await t.hub.queues.producer.pttl(`${t.config.QUEUE_PREFIX}:console:session:${decodeURIComponent(fresh.split('=')[1]!).split('.')[0]}`)
    expect(ttl).toBeGreaterThan(0)
    expect(ttl).toBeLessThanOrEqual(3_600_000)
  })

  it('a session made by one hub process is accepted by another sharing Redis, and sign-out there ends it here', async () => {
    const other = await startTestHub({ sandbox: t.sandbox, workers: false, env: { CONSOLE_SESSION_SECRET: SECRET, QUEUE_PREFIX: t.config.QUEUE_PREFIX } })
    try {
      const signedIn = await signIn(KEYS.operator)
      const { csrfToken } = (await signedIn.json()) as { csrfToken: string }
      const cookie = cookieOf(signedIn)
      expect((await fetch(`${other.url}/admin/dossiers`, { headers: { cookie } })).status).toBe(200)
      expect((await fetch(other.url + SESSION, { method: 'DELETE', headers: { cookie, 'x-csrf-token': csrfToken } })).status).toBe(204)
      expect((await fetch(`${t.url}/admin/dossiers`, { headers: { cookie } })).status).toBe(401)
    } finally {
      await other.close()
    }
  })
})

describe('operator console session: idle expiry and sign-in limit', () => {
  let t: TestHub
  beforeAll(async () => {
    // 0.03 min = 1.8 s idle; 3 sign-in attempts a minute.
    t = await startTestHub({ workers: false, env: { CONSOLE_IDLE_MINUTES: 0.03, CONSOLE_SIGNIN_PER_MINUTE: 3 } })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('a session used within the idle time lives on (rolling); left idle longer it ends', async () => {
    const res = await fetch(t.url + SESSION, { method: 'POST', headers: json, body: JSON.stringify({ key: KEYS.operator }) })
    expect(res.status).toBe(200)
    const cookie = cookieOf(res)
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1000))
      expect((await fetch(`${t.url}/admin/dossiers`, { headers: { cookie } })).status, `use ${i}`).toBe(200)
    }
    await new Promise((r) => setTimeout(r, 2600))
    expect((await fetch(`${t.url}/admin/dossiers`, { headers: { cookie } })).status).toBe(401)
  })

  it('sign-in is limited per address: past the limit 429 with Retry-After, even with a right key', async () => {
    // One attempt was used by the test above (same minute window or not): spend the rest with wrong keys.
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const res = await fetch(t.url + SESSION, { method: 'POST', headers: json, body: JSON.stringify({ key: `wrong-${i}-0123456789` }) })
      statuses.push(res.status)
      if (res.status === 429) break
    }
    expect(statuses.at(-1)).toBe(429)
    const res = await fetch(t.url + SESSION, { method: 'POST', headers: json, body: JSON.stringify({ key: KEYS.operator }) })
    expect(res.status).toBe(429)
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(res.headers.get('set-cookie')).toBeNull()
  })
})

describe('operator console session: Redis down', () => {
  let t: TestHub
  let redis: Awaited<ReturnType<typeof startPrivateRedis>>
  beforeAll(async () => {
    redis = await startPrivateRedis()
    t = await startTestHub({ workers: false, env: { REDIS_URL: redis.url } })
  })
  afterAll(async () => {
    await t?.close()
    await redis?.stop()
  })

  it('a session route answers 503 HUB_ERR_DEPENDENCY_DOWN (never 500); public routes and key callers still work', async () => {
    const res = await fetch(t.url + SESSION, { method: 'POST', headers: json, body: JSON.stringify({ key: KEYS.operator }) })
    expect(res.status).toBe(200)
    const cookie = cookieOf(res)
    await redis.stop()
    for (const [method, path] of [
      ['GET', '/admin/dossiers'],
      ['GET', SESSION],
      ['POST', SESSION],
    ] as const) {
      const r = await fetch(t.url + path, {
        method,
        headers: { cookie, ...json },
        ...(method === 'POST' ? { body: JSON.stringify({ key: KEYS.operator }) } : {}),
      })
      expect(r.status, `${method} ${path}`).toBe(503)
      expect(((await r.json()) as Json)['code'], `${method} ${path}`).toBe('HUB_ERR_DEPENDENCY_DOWN')
    }
    // Routes that take no session never read it, cookie or not.
    expect((await fetch(`${t.url}/health/live`, { headers: { cookie } })).status, 'a public route').toBe(200)
    const keyed = await fetch(`${t.url}/admin/audit/verify`, { headers: { 'x-api-key': KEYS.operator } })
    expect(keyed.status, JSON.stringify(await keyed.clone().json())).toBe(200)
    // Back (this private Redis restarts empty, so the session is gone): signing in works again.
    redis = await startPrivateRedis(redis.port)
    await waitFor(
      async () => (await fetch(t.url + SESSION, { method: 'POST', headers: json, body: JSON.stringify({ key: KEYS.operator }) })).status === 200,
      20_000,
      200,
    )
  })
})
