import { LOOKUP_CONNECTORS } from '../../src/connectors/lookups.js'

/** Hub configuration pointing DVCQG and every lookup connector (src/connectors/lookups.ts) at a running sandbox. */
export function lookupEnv(sandboxUrl: string, extra: Record<string, string | number | undefined> = {}): Record<string, string | number | undefined> {
  const env: Record<string, string | number | undefined> = {
    CONNECTORS_ENABLED: ['dvcqg', ...LOOKUP_CONNECTORS.map((c) => c.id)].join(','),
    DVCQG_BASE_URL: `${sandboxUrl}/dvcqg`,
    AUDIT_HASH_KEY: 'test-audit-key-0123456789',
  }
  for (const c of LOOKUP_CONNECTORS) env[`${c.upstream.prefix}_BASE_URL`] = `${sandboxUrl}/${c.id}`
  return { ...env, ...extra }
}
