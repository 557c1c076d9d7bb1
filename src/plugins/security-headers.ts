import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'
import type { FastifyInstance } from 'fastify'

type Directives = Record<string, string[]>

/** API answers (JSON, files): nothing may load, nothing may frame them. */
export const API_CSP: Directives = { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] }

/** A CSP header value from directives (for plugins that take a string, e.g. swagger-ui's staticCSP). */
export const cspHeader = (d: Directives) =>
  Object.entries(d)
    .map(([k, v]) => `${k} ${v.join(' ')}`)
    .join('; ')

/** The HTML pages the hub serves use only their own same-origin scripts, styles, images and API calls. */
const PAGE_BASE: Directives = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
}

/** /docs (swagger-ui): no inline script or style at all (its csp.json lists none). */
export const DOCS_CSP: Directives = PAGE_BASE

/**
 * /admin/queues (bull-board): scripts only from the hub. Styles also inline: the page
 * has an inline <style>/style attributes, and its bundled editor (CodeMirror) and modal
 * scroll lock insert <style> elements at run time without a nonce. CSS only; its Google
 * Fonts link is taken out of the page (withoutExternalAssets in src/routes/admin/queues.ts)
 * and would stay blocked here (the dashboard uses a system font).
 */
export const DASHBOARD_CSP: Directives = { ...PAGE_BASE, 'style-src': ["'self'", "'unsafe-inline'"] }

/**
 * /console/ (the operator console, issue 15): its own bundled script and stylesheet only, API
 * calls to the hub itself; no inline script or style element, never framed. Charts set
 * element styles from script (CSSOM), which a CSP does not restrict.
 */
export const CONSOLE_CSP: Directives = { ...PAGE_BASE, 'default-src': ["'self'"], 'img-src': ["'self'", 'data:', 'blob:'] }

/** Per-route helmet options (route `config.helmet`) with another CSP than the API's. */
export const routeHelmet = (directives: Directives) => ({ contentSecurityPolicy: { useDefaults: false, directives } })

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route's helmet options, merged over the hub's (see routeHelmet). */
    helmet?: HelmetOptions
  }
}

/** The hub's helmet options (every route without its own `config.helmet`). */
const HUB_HELMET: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  // The hub serves no cross-origin isolated pages; COEP would only break embedding its own assets.
  crossOriginEmbedderPolicy: false,
}

/**
 * Security headers on every answer (helmet): nosniff, no framing, no referrer, and the
 * API's `default-src 'none'` CSP; a route's `config.helmet` (routeHelmet) is merged over
 * them, as @fastify/helmet does. They are written on the raw response in onRequest, so a
 * header a handler sets itself (a download's own CSP, swagger-ui's page CSP) takes
 * precedence when the answer is written. Helmet's middleware is built once per
 * configuration (@fastify/helmet rebuilt it, CSP parsing included, on every request).
 */
export default fp(
  async function securityHeaders(app: FastifyInstance) {
    const hub = helmet(HUB_HELMET)
    const perRoute = new WeakMap<HelmetOptions, ReturnType<typeof helmet>>()
    const middlewareFor = (own: HelmetOptions) => {
      let mw = perRoute.get(own)
      if (!mw) perRoute.set(own, (mw = helmet({ ...HUB_HELMET, ...own } as HelmetOptions)))
      return mw
    }
    app.addHook('onRequest', (request, reply, done) => {
      const own = request.routeOptions.config.helmet
      ;(own ? middlewareFor(own) : hub)(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined))
    })
  },
  { name: 'hub-security-headers' },
)
