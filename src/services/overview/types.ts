/** The operator console's overview (GET /admin/overview, docs/console-api.md). */
export interface OverviewSystem {
  /** Connector id: `dvcqg`, each lookup connector's id (src/connectors/lookups.ts), `vdxp`. */
  system: string
  enabled: boolean
  breaker: 'closed' | 'open' | 'half-open' | 'unknown'
  /** When the breaker state was last published by a process (absent: never). */
  breakerAt?: string
  calls: number
  errors: number
  errorRate: number | null
  p95Ms: number | null
  lastSuccessAt: string | null
  windowMinutes: number
}

export interface Overview {
  at: string
  systems: OverviewSystem[]
  statusSync: {
    series: { at: string; accepted: number; delivered: number; backlog: number }[]
    backlog: number
    oldestReadyAgeSeconds: number | null
    retryWaiting: { dossiers: number; oldestAgeSeconds: number | null }
    parked: number
  }
  catalog: { lastRun: { id: number; state: string; startedAt: string; finishedAt: string | null; counts: Record<string, number> } | null }
  warehouse: { mirror: Record<string, number>; push: Record<string, number> }
  documents: { awaitingAck: number; failed: number }
}
