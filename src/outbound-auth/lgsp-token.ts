import type { AuthStrategy } from './strategy.js'

export interface LgspAccessTokenFields {
  AccessKey: string
  SecretKey: string
  AppName: string
  PartnerCode: string
  PartnerCodeCus: string
}

/** `base64(JSON{AccessKey, SecretKey, AppName, PartnerCode, PartnerCodeCus})`, in this key order. */
export function encodeLgspAccessToken(f: LgspAccessTokenFields): string {
  const ordered = { AccessKey: f.AccessKey, SecretKey: f.SecretKey, AppName: f.AppName, PartnerCode: f.PartnerCode, PartnerCodeCus: f.PartnerCodeCus }
  return Buffer.from(JSON.stringify(ordered), 'utf8').toString('base64')
}

/**
 * The VNPT LGSP header (NATIONAL-ENDPOINTS §6): `lgspaccesstoken` on every request,
 * usually combined with a bearer token (`combineAuth(lgspAccessTokenAuth(…), oauth2…)`).
 * The value is static: encoded once.
 */
export function lgspAccessTokenAuth(fields: LgspAccessTokenFields): AuthStrategy {
  const value = encodeLgspAccessToken(fields)
  return {
    name: 'lgspaccesstoken',
    apply(config) {
      config.headers.set('lgspaccesstoken', value)
    },
  }
}
