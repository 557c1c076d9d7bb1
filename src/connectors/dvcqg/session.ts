import type { HubConfig } from '../../config/schema.js'
import type { AuthStrategy } from '../../outbound-auth/strategy.js'
import { singleFlight } from '../../lib/single-flight.js'
import { UpstreamError } from '../../http/errors.js'
import type { Transport } from '../../http/transport.js'
import { parseDvcqgReply } from '../../mappings/dvcqg/from-dvcqg.js'

/**
 * Adapter-style session: `POST {authPath}` with username/password and the `dstcode`
 * header, cached; injected into every body; refreshed once on an auth failure
 * (single flight: one login however many calls fail together).
 */
export function dvcqgSessionAuth(
  cfg: Pick<HubConfig, 'DVCQG_AUTH_PATH' | 'DVCQG_USERNAME' | 'DVCQG_PASSWORD'>,
  getTransport: () => Transport,
): AuthStrategy & { session(): Promise<string>; logins: number } {
  let session: string | undefined
  const state = { logins: 0 }
  const login = singleFlight(async () => {
    const t = getTransport()
    state.logins++
    const res = await t.axios.post(cfg.DVCQG_AUTH_PATH, { username: cfg.DVCQG_USERNAME, password: cfg.DVCQG_PASSWORD }, { headers: { 'x-hub-login': '1' } })
    const outcome = parseDvcqgReply(res.status, String(res.headers['content-type'] ?? ''), res.data)
    const token = (res.data as { session?: unknown })?.session
    if (outcome.kind !== 'ok' || typeof token !== 'string' || !token) {
      throw new UpstreamError('dvcqg', 'auth', `DVCQG login refused: ${'message' in outcome ? outcome.message : 'no session'}`)
    }
    session = token
    return token
  })
  return {
    name: 'dvcqg-session',
    get logins() {
      return state.logins
    },
    session: async () => session ?? login(),
    async apply(config) {
      if (config.headers.get('x-hub-login')) {
        config.headers.delete('x-hub-login')
        return
      }
      const s = session ?? (await login())
      if (config.data && typeof config.data === 'object') config.data = { ...(config.data as object), session: s }
    },
    async refresh() {
      session = undefined
      await login()
    },
  }
}
