/** The hub's admin API from the page: JSON, same origin, session cookie; CSRF token on state changes; 401 → sign-in. */
export interface Session {
  client: string
  role: 'admin' | 'admin:read'
  csrfToken: string
  idleSeconds?: number
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message)
  }
}

let session: Session | null = null
let onUnauthorized: () => void = () => {}

export const currentSession = (): Session | null => session
export const canAct = (): boolean => session?.role === 'admin'
const HINT = 'lgsp-console-signed-in'

export function setSession(s: Session | null): void {
  session = s
  try {
    if (s) localStorage.setItem(HINT, '1')
    else localStorage.removeItem(HINT)
  } catch {
    // Private mode: no hint, no early request.
  }
}

/**
 * Whether this browser was signed in when last seen (a hint, no secret: the cookie is
 * HttpOnly). Without a session cookie an /admin/* request would meet the hub's Basic
 * challenge, which browsers answer with a password prompt: the page asks nothing early then.
 */
export function maybeSignedIn(): boolean {
  try {
    return localStorage.getItem(HINT) === '1'
  } catch {
    return false
  }
}
export function whenUnauthorized(fn: () => void): void {
  onUnauthorized = fn
}

type Query = Record<string, string | number | boolean | undefined | null>

/** `/path?a=1` from the non-empty query values. */
export function url(path: string, query: Query = {}): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `${path}?${s}` : path
}

export async function api<T>(path: string, opts: { method?: string; body?: unknown; query?: Query; signInCall?: boolean } = {}): Promise<T> {
  const method = opts.method ?? 'GET'
  const headers: Record<string, string> = { accept: 'application/json' }
  if (opts.body !== undefined) headers['content-type'] = 'application/json'
  if (!['GET', 'HEAD', 'OPTIONS'].includes(method) && session) headers['x-csrf-token'] = session.csrfToken
  const res = await fetch(url(path, opts.query), {
    method,
    headers,
    credentials: 'same-origin',
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  })
  if (res.status === 401 && !opts.signInCall) {
    setSession(null)
    onUnauthorized()
  }
  if (!res.ok) {
    let message = `HTTP ${res.status}`
    let code: string | undefined
    try {
      const p = (await res.json()) as { title?: string; detail?: string; code?: string }
      message = p.detail || p.title || message
      code = p.code
    } catch {
      // Not JSON: keep the status.
    }
    throw new ApiError(res.status, message, code)
  }
  if (res.status === 204) return undefined as T
  return (await res.json()) as T
}
