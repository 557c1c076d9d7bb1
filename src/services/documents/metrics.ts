import { Counter, Gauge } from 'prom-client'
import type { HubMetrics } from '../../metrics.js'
import type { DocumentRepository } from './repository.js'

/** Document exchange metrics: sent, received, acknowledged, by status; the oldest unacknowledged received document. */
export function documentMetrics(m: HubMetrics, repo: DocumentRepository) {
  const registers = [m.registry]
  return {
    sent: new Counter({
      name: 'lgsp_hub_documents_sent_total',
      help: 'Messages delivered to the VDXP axis (document or status)',
      labelNames: ['kind'] as const,
      registers,
    }),
    parked: new Counter({
      name: 'lgsp_hub_documents_parked_total',
      help: 'Outgoing messages parked after a permanent refusal',
      labelNames: ['kind'] as const,
      registers,
    }),
    retries: new Counter({
      name: 'lgsp_hub_documents_send_retries_total',
      help: 'Failed send attempts that will be retried',
      labelNames: ['kind'] as const,
      registers,
    }),
    received: new Counter({
      name: 'lgsp_hub_documents_received_total',
      help: 'Messages taken from the axis by outcome (stored, duplicate, failed) and type (edoc, status)',
      labelNames: ['type', 'outcome'] as const,
      registers,
    }),
    axisAcks: new Counter({
      name: 'lgsp_hub_documents_axis_acks_total',
      help: 'Transport acknowledgements sent to the axis',
      labelNames: ['status'] as const,
      registers,
    }),
    acked: new Counter({
      name: 'lgsp_hub_documents_acknowledged_total',
      help: 'Received documents acknowledged by the provincial system (first time)',
      registers,
    }),
    webhook: new Counter({ name: 'lgsp_hub_documents_webhook_total', help: 'Webhook deliveries by outcome', labelNames: ['outcome'] as const, registers }),
    byState: new Gauge({
      name: 'lgsp_hub_documents',
      help: 'Documents by direction and state',
      labelNames: ['direction', 'state'] as const,
      registers,
      async collect() {
        this.reset()
        for (const r of await repo.counts()) this.labels(r.direction, r.state).set(r.n)
      },
    }),
    byStatus: new Gauge({
      name: 'lgsp_hub_document_statuses',
      help: 'Business statuses recorded, by direction (out: posted here, in: received) and code',
      labelNames: ['direction', 'code'] as const,
      registers,
      async collect() {
        this.reset()
        for (const r of await repo.statusCounts()) this.labels(r.direction, r.code).set(r.n)
      },
    }),
    unacked: new Gauge({
      name: 'lgsp_hub_documents_unacknowledged',
      help: 'Received documents not yet acknowledged by the provincial system: count and age of the oldest (seconds)',
      labelNames: ['measure'] as const,
      registers,
      async collect() {
        const { n, age } = await repo.oldestUnacked()
        this.labels('count').set(n)
        this.labels('oldest_age_seconds').set(age ?? 0)
      },
    }),
  }
}

export type DocumentMetrics = ReturnType<typeof documentMetrics>
