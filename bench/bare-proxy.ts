/**
 * A bare pass-through HTTP proxy (the fair limit for the hub's lookup hop): every request
 * is forwarded as it came (method, path, headers, body) to one upstream over a keep-alive
 * undici pool, and the answer streamed back. No auth, validation, audit or mapping.
 *
 *   BARE_PROXY_PORT=18070 BARE_PROXY_UPSTREAM=http://127.0.0.1:18090 node --import tsx bench/bare-proxy.ts
 */
import http from 'node:http'
import { pipeline } from 'node:stream'
import { Pool } from 'undici'

const port = Number(process.env['BARE_PROXY_PORT'] ?? 18_070)
const upstream = new Pool(process.env['BARE_PROXY_UPSTREAM'] ?? 'http://127.0.0.1:18090', { connections: 128, pipelining: 1, keepAliveTimeout: 30_000 })
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer'])

const server = http.createServer((req, res) => {
  const headers: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  upstream.request({ path: req.url ?? '/', method: req.method as 'GET', headers, body: hasBody ? req : null }).then(
    ({ statusCode, headers: h, body }) => {
      const out: Record<string, string | string[]> = {}
      for (const [k, v] of Object.entries(h)) if (v !== undefined && !HOP.has(k)) out[k] = v
      res.writeHead(statusCode, out)
      pipeline(body, res, () => {})
    },
    () => {
      res.writeHead(502).end()
    },
  )
})
server.keepAliveTimeout = 30_000
server.listen(port, '127.0.0.1')
process.on('SIGTERM', () => {
  server.close()
  void upstream.close().then(() => process.exit(0))
})
