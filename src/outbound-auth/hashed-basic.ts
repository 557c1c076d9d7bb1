import { createHash } from 'node:crypto'
import type { AuthStrategy } from './strategy.js'
import { SKIP_AUTH_HEADER } from './combine.js'

export interface HashedBasicOptions {
  /** The URL the population service expects in the hash (its auth URL / endpoint). */
  authUrl: string
  username: string
  secretKey: string
  now?: () => number
}

/** `sha256(authUrl + user + timestamp + secretKey)` as lowercase hex. */
export function hashedBasicDigest(authUrl: string, username: string, timestamp: string, secretKey: string): string {
  return createHash('sha256')
    .update(authUrl + username + timestamp + secretKey, 'utf8')
    .digest('hex')
}

/**
 * The population service's header pair (NATIONAL-ENDPOINTS §2): `Timestamp` (epoch ms)
 * and `Authorization: Basic base64(user:sha256(authUrl+user+timestamp+secretKey))`,
 * computed afresh for every request (nothing cached, nothing to refresh).
 */
export function hashedBasicAuth(o: HashedBasicOptions): AuthStrategy {
  const now = o.now ?? Date.now
  return {
    name: 'hashed-basic',
    apply(config) {
      if (config.headers.get(SKIP_AUTH_HEADER)) return
      const timestamp = String(now())
      const digest = hashedBasicDigest(o.authUrl, o.username, timestamp, o.secretKey)
      config.headers.set('Timestamp', timestamp)
      config.headers.set('authorization', `Basic ${Buffer.from(`${o.username}:${digest}`, 'utf8').toString('base64')}`)
    },
  }
}
