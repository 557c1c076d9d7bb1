import type { AuthStrategy } from './strategy.js'

/**
 * A request carrying this header is the authentication's own (a token request): the
 * strategies leave it alone and the header is removed before it is sent.
 */
export const SKIP_AUTH_HEADER = 'x-hub-skip-auth'

/** Several strategies on one upstream (e.g. VNPT: `lgspaccesstoken` next to a bearer token). */
export function combineAuth(...strategies: AuthStrategy[]): AuthStrategy {
  const refreshers = strategies.filter((s) => s.refresh)
  return {
    name: strategies.map((s) => s.name).join('+'),
    async apply(config) {
      for (const s of strategies) await s.apply(config)
      config.headers.delete(SKIP_AUTH_HEADER)
    },
    ...(refreshers.length
      ? {
          async refresh(ctx?: { since: number }) {
            await Promise.all(refreshers.map((s) => s.refresh!(ctx)))
          },
        }
      : {}),
  }
}
