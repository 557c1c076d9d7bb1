import type { InternalAxiosRequestConfig } from 'axios'

/**
 * An outbound authentication strategy, one small module each (OAuth2 client
 * credentials, hashed Basic, lgspaccesstoken, static key, session login…).
 * The transport calls `apply` before every request and, on a 401 (or a connector's
 * own "session expired" signal), `refresh` once before retrying.
 */
export interface AuthStrategy {
  readonly name: string
  apply(config: InternalAxiosRequestConfig): void | Promise<void>
  /**
   * Forget cached credentials and obtain new ones (single-flight). `since`: when the
   * refused call started (epoch ms); credentials obtained after it are already fresh,
   * so a strategy may keep them instead of refreshing again.
   */
  refresh?(ctx?: { since: number }): Promise<void>
}

/** Static API key in a header (e.g. `x-api-key`). */
export function staticKeyAuth(header: string, key: string): AuthStrategy {
  return {
    name: 'static-key',
    apply(config) {
      config.headers.set(header, key)
    },
  }
}
