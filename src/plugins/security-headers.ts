import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
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
 * Fonts stylesheet stays blocked (the dashboard falls back to a system font).
 */
export const DASHBOARD_CSP: Directives = { ...PAGE_BASE, 'style-src': ["'self'", "'unsafe-inline'"] }

/** Per-route helmet options (route `config.helmet`) with another CSP than the API's. */
export const routeHelmet = (directives: Directives) => ({ contentSecurityPolicy: { useDefaults: false, directives } })

/**
 * Security headers on every answer (@fastify/helmet): nosniff, no framing, no
 * referrer, and the API's `default-src 'none'` CSP. Helmet writes them on the raw
 * response in onRequest, so a header a handler sets itself (a download's own CSP,
 * swagger-ui's page CSP) takes precedence when the answer is written.
 */
export default fp(
  async function securityHeaders(app: FastifyInstance) {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
      // The hub serves no cross-origin isolated pages; COEP would only break embedding its own assets.
      crossOriginEmbedderPolicy: false,
    })
  },
  { name: 'hub-security-headers' },
)
