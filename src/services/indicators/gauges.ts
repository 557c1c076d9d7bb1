import { Gauge } from 'prom-client'
import type { HubMetrics } from '../../metrics.js'
import type { Logger } from '../../log.js'
import type { Metric } from './types.js'

/**
 * `lgsp_hub_indicator_ratio{agency, code}`: the current month's ratios per top-level agency
 * (the children of each province, at most INDICATOR_GAUGE_MAX_AGENCIES, largest first: a
 * bounded label set). A scrape reads the last values; they are recomputed (one aggregate,
 * single flight) when older than INDICATOR_GAUGE_REFRESH_MS, so scrapes never storm the database.
 */
export function indicatorGauges(m: HubMetrics, compute: () => Promise<{ agency: string; metrics: Metric[] }[]>, refreshMs: number, logger: Logger) {
  let at = 0
  let inflight: Promise<void> | undefined
  const gauge = new Gauge({
    name: 'lgsp_hub_indicator_ratio',
    help: 'Service-quality indicator ratios (issue 14) of the current month per top-level agency; refreshed at most every INDICATOR_GAUGE_REFRESH_MS',
    labelNames: ['agency', 'code'] as const,
    registers: [m.registry],
    async collect() {
      if (Date.now() - at < refreshMs) return
      inflight ??= (async () => {
        try {
          const rows = await compute()
          this.reset()
          for (const r of rows) for (const x of r.metrics) if (x.ratio !== null && x.code !== 'AVG_PROCESSING_DAYS') this.labels(r.agency, x.code).set(x.ratio)
          at = Date.now()
        } catch (e) {
          // Keep the last values; the database being down shows on /health/ready.
          logger.warn({ err: { type: (e as Error).name, message: String((e as Error).message).slice(0, 200) } }, 'indicator gauges not refreshed')
        } finally {
          inflight = undefined
        }
      })()
      await inflight
    },
  })
  return gauge
}
