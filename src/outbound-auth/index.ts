export { combineAuth, SKIP_AUTH_HEADER } from './combine.js'
export { oauth2ClientCredentials, type OAuth2Strategy, type OAuth2ClientCredentialsOptions } from './oauth2.js'
export { hashedBasicAuth, hashedBasicDigest, type HashedBasicOptions } from './hashed-basic.js'
export { lgspAccessTokenAuth, encodeLgspAccessToken, type LgspAccessTokenFields } from './lgsp-token.js'
export {
  mutualTlsAuth,
  loadClientCertificate,
  clientCertExpiryGauge,
  ClientCertificateError,
  type ClientCertificate,
  type ClientCertificateSource,
  type MutualTlsStrategy,
} from './mtls.js'
export { staticKeyAuth, type AuthStrategy } from './strategy.js'
