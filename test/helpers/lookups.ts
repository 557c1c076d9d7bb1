/** Hub configuration pointing every lookup connector at a running sandbox. */
export function lookupEnv(sandboxUrl: string, extra: Record<string, string | number | undefined> = {}): Record<string, string | number | undefined> {
  return {
    CONNECTORS_ENABLED: 'dvcqg,population,business-registry,tax,bhxh,civil-status',
    DVCQG_BASE_URL: `${sandboxUrl}/dvcqg`,
    POPULATION_BASE_URL: `${sandboxUrl}/population`,
    BUSINESS_REGISTRY_BASE_URL: `${sandboxUrl}/business-registry`,
    TAX_BASE_URL: `${sandboxUrl}/tax`,
    BHXH_BASE_URL: `${sandboxUrl}/bhxh`,
    CIVIL_STATUS_BASE_URL: `${sandboxUrl}/civil-status`,
    AUDIT_HASH_KEY: 'test-audit-key-0123456789',
    ...extra,
  }
}
