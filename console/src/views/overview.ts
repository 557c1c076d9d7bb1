import { api } from '../api.js'
import { chart } from '../chart.js'
import { fill, h, table } from '../dom.js'
import { fmtAge, fmtNum, fmtPct, fmtTime, t } from '../i18n.js'
import { staleCheck } from '../nav.js'
import { badge, heading, section, stat } from '../ui.js'

/** GET /admin/overview (docs/console-api.md). */
export interface Overview {
  at: string
  systems: {
    system: string
    enabled: boolean
    breaker: string
    calls: number
    errors: number
    errorRate: number | null
    p95Ms: number | null
    lastSuccessAt: string | null
    windowMinutes: number
  }[]
  statusSync: {
    series: { at: string; accepted: number; delivered: number; backlog: number }[]
    backlog: number
    oldestReadyAgeSeconds: number | null
    retryWaiting: { dossiers: number; oldestAgeSeconds: number | null }
    parked: number
  }
  catalog: { lastRun: { id: number; state: string; startedAt: string; finishedAt: string | null; counts?: Record<string, unknown> } | null }
  warehouse: { mirror: unknown; push: unknown }
  documents: { awaitingAck: number; failed: number }
}

/** Leaf values of a nested object as a definition list (the warehouse progress objects, whatever their fields). */
function facts(value: unknown, testid: string): HTMLElement {
  const dl = h('dl', { class: 'facts', 'data-testid': testid })
  const walk = (v: unknown, path: string) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k)
    } else if (path) {
      dl.append(h('dt', {}, path), h('dd', { 'data-key': path }, typeof v === 'number' ? fmtNum(v) : Array.isArray(v) ? String(v.length) : String(v ?? '—')))
    }
  }
  walk(value, '')
  if (!dl.childElementCount) dl.append(h('dt', {}, t('none')), h('dd', {}, '—'))
  return dl
}

let early: Promise<Overview> | null = null

/**
 * Asks for the overview while the page is still checking its session (the overview is the
 * first view of most visits): one round trip less before the figures show. A refusal is
 * ignored here (the session check decides); the view asks again then.
 */
export function prefetchOverview(): void {
  early = api<Overview>('/admin/overview', { signInCall: true })
  early.catch(() => undefined)
}

export async function renderOverview(main: HTMLElement): Promise<void> {
  const stale = staleCheck()
  const first = early
  early = null
  const o = first ? await first.catch(() => api<Overview>('/admin/overview')) : await api<Overview>('/admin/overview')
  if (stale()) return
  const s = o.statusSync
  const cards = h(
    'div',
    { class: 'stats', 'data-testid': 'ov-stats' },
    stat(t('backlog'), fmtNum(s.backlog), s.backlog, 'ov-backlog'),
    stat(t('oldestReady'), fmtAge(s.oldestReadyAgeSeconds), s.oldestReadyAgeSeconds, 'ov-oldest-ready'),
    stat(t('retryWaiting'), fmtNum(s.retryWaiting.dossiers), s.retryWaiting.dossiers, 'ov-retry-dossiers'),
    stat(t('retryOldest'), fmtAge(s.retryWaiting.oldestAgeSeconds), s.retryWaiting.oldestAgeSeconds, 'ov-retry-oldest'),
    stat(t('parked'), fmtNum(s.parked), s.parked, 'ov-parked', s.parked > 0 ? 'warn' : ''),
    stat(t('awaitingAck'), fmtNum(o.documents.awaitingAck), o.documents.awaitingAck, 'ov-docs-awaiting'),
    stat(t('docsFailed'), fmtNum(o.documents.failed), o.documents.failed, 'ov-docs-failed', o.documents.failed > 0 ? 'warn' : ''),
  )
  const windowMinutes = o.systems[0]?.windowMinutes ?? 15
  const systems = table(
    t('systems'),
    [
      { label: t('system'), cell: (r) => h('span', { 'data-testid': `sys-${r.system}` }, r.system) },
      { label: t('enabled'), cell: (r) => (r.enabled ? t('yes') : t('no')) },
      { label: t('breaker'), cell: (r) => badge(r.breaker) },
      { label: t('calls'), num: true, cell: (r) => h('span', { 'data-testid': `sys-${r.system}-calls`, 'data-value': r.calls }, fmtNum(r.calls)) },
      { label: t('errors'), num: true, cell: (r) => h('span', { 'data-testid': `sys-${r.system}-errors`, 'data-value': r.errors }, fmtNum(r.errors)) },
      { label: t('errorRate'), num: true, cell: (r) => fmtPct(r.errorRate) },
      { label: t('p95'), num: true, cell: (r) => fmtNum(r.p95Ms) },
      { label: t('lastSuccess'), cell: (r) => fmtTime(r.lastSuccessAt) },
    ],
    o.systems,
    { 'data-testid': 'ov-systems' },
  )
  const run = o.catalog.lastRun
  const catalog = run
    ? h(
        'dl',
        { class: 'facts', 'data-testid': 'ov-catalog' },
        h('dt', {}, '#'),
        h('dd', {}, String(run.id)),
        h('dt', {}, t('state')),
        h('dd', {}, badge(run.state)),
        h('dt', {}, t('startedAt')),
        h('dd', {}, fmtTime(run.startedAt)),
        h('dt', {}, t('finishedAt')),
        h('dd', {}, fmtTime(run.finishedAt)),
      )
    : h('p', { 'data-testid': 'ov-catalog' }, t('noRun'))
  fill(
    main,
    heading(t('overview'), () => void renderOverview(main)),
    h('p', { class: 'muted', 'data-testid': 'ov-at' }, t('updatedAt', { at: fmtTime(o.at) })),
    section(t('statusSync'), cards),
    section(t('systems'), h('p', { class: 'muted' }, t('windowNote', { n: windowMinutes })), systems),
  )
  // The figures are on screen: the browser test measures up to here (acceptance 3 of issue 15).
  performance.mark('console:overview-data')
  const x = s.series.map((p) => Math.floor(Date.parse(p.at) / 1000))
  main.append(
    h(
      'div',
      { class: 'charts' },
      chart(
        t('chartDelivered'),
        x,
        [
          { label: t('accepted'), values: s.series.map((p) => p.accepted), color: '#1d5fa8' },
          { label: t('delivered'), values: s.series.map((p) => p.delivered), color: '#177245' },
        ],
        { testid: 'chart-delivered' },
      ),
      chart(t('chartBacklog'), x, [{ label: t('backlog'), values: s.series.map((p) => p.backlog), color: '#a8431d' }], { testid: 'chart-backlog' }),
    ),
    section(t('catalog'), catalog),
    section(
      t('warehouseProgress'),
      h(
        'div',
        { class: 'cols' },
        h('div', {}, h('h3', {}, t('mirror')), facts(o.warehouse.mirror, 'ov-mirror')),
        h('div', {}, h('h3', {}, t('push')), facts(o.warehouse.push, 'ov-push')),
      ),
    ),
  )
}
