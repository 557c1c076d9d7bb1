import { Counter, Gauge, Histogram } from 'prom-client'
import type { HubMetrics } from '../../metrics.js'
import type { Queue } from 'bullmq'

/** `undelivered` reads the count and oldest age (seconds) of undelivered events (the repository). */
export function dossierMetrics(m: HubMetrics, undelivered: () => Promise<{ n: number; age: number | null }>, queue: Queue) {
  const registers = [m.registry]
  return {
    accepted: new Counter({
      name: 'lgsp_hub_dossier_events_accepted_total',
      help: 'Dossier events stored and answered 202',
      labelNames: ['kind'] as const,
      registers,
    }),
    replayed: new Counter({ name: 'lgsp_hub_dossier_events_idempotent_replays_total', help: 'Requests answered from an earlier identical eventId', registers }),
    delivered: new Counter({ name: 'lgsp_hub_dossier_events_delivered_total', help: 'Dossier events delivered to DVCQG', registers }),
    failed: new Counter({
      name: 'lgsp_hub_dossier_delivery_failures_total',
      help: 'Failed delivery attempts by error code',
      labelNames: ['code'] as const,
      registers,
    }),
    parked: new Counter({ name: 'lgsp_hub_dossiers_parked_total', help: 'Dossiers parked after a permanent rejection', registers }),
    latency: new Histogram({
      name: 'lgsp_hub_dossier_delivery_latency_seconds',
      help: 'From acceptance (202) to delivery at DVCQG',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    }),
    undelivered: new Gauge({
      name: 'lgsp_hub_dossier_undelivered_events',
      help: 'Accepted events not yet delivered, and the age of the oldest (seconds)',
      labelNames: ['measure'] as const,
      registers,
      async collect() {
        const { n, age } = await undelivered()
        this.labels('count').set(Number(n))
        this.labels('oldest_age_seconds').set(age ?? 0)
      },
    }),
    queueDepth: new Gauge({
      name: 'lgsp_hub_queue_jobs',
      help: 'Jobs in the dossier-sync queue by state',
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        try {
          const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized')
          for (const [state, n] of Object.entries(counts)) this.labels(queue.name, state).set(n)
        } catch {
          /* Redis down: /health/ready says so; keep the last values */
        }
      },
    }),
  }
}
export type DossierMetrics = ReturnType<typeof dossierMetrics>
