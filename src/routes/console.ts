import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import fastifyStatic from '@fastify/static'
import type { HubApp } from './types.js'
import { HubError } from '../errors.js'
import { sendProblem } from '../plugins/errors.js'
import { CONSOLE_CSP, routeHelmet } from '../plugins/security-headers.js'

/** The folder holding package.json above this file (the repository, or /app in the image). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}

/** CONSOLE_DIR, or dist/console in the package folder (where `npm run build` writes it). */
export const consoleDir = (configured: string) => (configured ? resolve(configured) : join(packageRoot(), 'dist', 'console'))

/**
 * The operator console's static files at /console/ (issue 15, docs/console.md). The files
 * carry no data (every figure comes from the admin API, behind sign-in), so their routes
 * are public; their CSP allows the hub's own script, style and API only. `/console`
 * redirects to `/console/` (the page names its assets relatively). Without a built
 * console the routes answer 503 problem+json saying how to build it.
 */
export default async function consoleRoutes(app: HubApp) {
  const root = consoleDir(app.hub.config.CONSOLE_DIR)
  const built = existsSync(join(root, 'index.html'))
  await app.register(async function consolePages(scope) {
    scope.addHook('onRoute', (route) => {
      route.config = { access: 'public', helmet: routeHelmet(CONSOLE_CSP), ...route.config }
    })
    if (!built) {
      const notBuilt = new HubError(
        'HUB_ERR_DEPENDENCY_DOWN',
        'The operator console is not built on this hub: run `npm run build` (it writes dist/console), or set CONSOLE_DIR to the built folder',
      )
      for (const url of ['/console', '/console/*']) scope.get(url, { schema: { hide: true } }, (request, reply) => sendProblem(request, reply, notBuilt))
      return
    }
    // The router ignores trailing slashes: `/console` and `/console/` both reach this route; the first is redirected
    // (the page names its assets relatively), the second is the page, read at each visit (a rebuild renames the bundles).
    scope.get('/console', { schema: { hide: true } }, async (request, reply) => {
      const [path, query] = request.url.split('?', 2)
      if (path === '/console') return reply.redirect(`/console/${query === undefined ? '' : `?${query}`}`, 301)
      const html = await readFile(join(root, 'index.html'), 'utf8')
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html)
    })
    await scope.register(fastifyStatic, {
      root,
      prefix: '/console/',
      decorateReply: false,
      index: false,
      dotfiles: 'deny',
      // Bundles are content-hashed: cached for good; the page itself is revalidated.
      cacheControl: false,
      setHeaders: (res, path) => res.setHeader('cache-control', path.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable'),
    })
  })
}
