import { api, canAct } from '../api.js'
import { chart } from '../chart.js'
import { announce, field, fill, h, table } from '../dom.js'
import { fmtNum, fmtPct, fmtTime, t } from '../i18n.js'
import { staleCheck } from '../nav.js'
import { errorBox, heading, section } from '../ui.js'

interface Metric {
  code: string
  numerator: number
  denominator: number
  ratio: number | null
  score: number | null
  maxScore: number | null
}
interface Report {
  agency: string | null
  from: string
  to: string
  metrics: Metric[]
}
interface Breakdown {
  by: string
  items: { key: string; report: Report }[]
  total: Report
}
interface DrillItem {
  dossierCode: string
  agency: string
  procedure: string
  receivedAt: string
  dueAt: string
  finishedAt?: string
  inNumerator: boolean
  reason?: string
}
interface ReportFile {
  id: string
  period: string
  agency: string | null
  format: string
  size: number
  generatedAt: string
}
interface Due {
  agencies: {
    agency: string
    overdue: number
    dueSoon: number
    dossiers: { dossierCode: string; procedure: string; effectiveDueAt: string; overdue: boolean }[]
  }[]
}

const AGENCY = '^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}$'

/** This month in Asia/Ho_Chi_Minh: [first day, first day of next month). */
function thisMonth(): [string, string] {
  const now = new Date(Date.now() + 7 * 3600_000)
  const y = now.getUTCFullYear()
  const m = now.getUTCMonth()
  const day = (yy: number, mm: number) => new Date(Date.UTC(yy, mm, 1)).toISOString().slice(0, 10)
  return [day(y, m), day(y, m + 1)]
}

export function renderIndicators(main: HTMLElement): void {
  const [f, to0] = thisMonth()
  const from = h('input', { type: 'date', name: 'from', value: f, required: true, 'data-testid': 'ind-from' })
  const to = h('input', { type: 'date', name: 'to', value: to0, required: true, 'data-testid': 'ind-to' })
  const agency = h('input', { type: 'text', name: 'agency', maxlength: 13, pattern: AGENCY, placeholder: '000.00.06.H56', 'data-testid': 'ind-agency' })
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'ind-out' })
  const drill = h('div', { 'aria-live': 'polite', 'data-testid': 'drill-out' }, h('p', { class: 'muted' }, t('drillHint')))
  const form = h(
    'form',
    { class: 'card filters', 'aria-label': t('scorecard') },
    field(t('from'), from),
    field(t('to'), to),
    field(t('agency'), agency),
    h('button', { type: 'submit', 'data-testid': 'ind-submit' }, t('show')),
  )
  const period = () => ({ from: from.value, to: to.value })

  const openDrill = async (code: string, ag: string | null) => {
    const stale = staleCheck()
    fill(drill, h('p', { class: 'muted' }, t('loading')))
    try {
      const r = await api<{ items: DrillItem[] }>(`/admin/indicators/${encodeURIComponent(code)}/dossiers`, { query: { ...period(), agency: ag, limit: 200 } })
      if (stale()) return
      const title = t('drill', { code, agency: ag ?? t('province') })
      fill(
        drill,
        h('h3', { tabindex: -1, 'data-testid': 'drill-title' }, title),
        h('p', { 'data-testid': 'drill-count', 'data-value': r.items.length }, fmtNum(r.items.length)),
        table(
          title,
          [
            { label: t('dossierCode'), cell: (d) => h('a', { href: `#/dossier/${encodeURIComponent(d.dossierCode)}` }, d.dossierCode) },
            { label: t('agency'), cell: (d) => d.agency },
            { label: t('procedure'), cell: (d) => d.procedure },
            { label: t('receivedAt'), cell: (d) => fmtTime(d.receivedAt) },
            { label: t('dueAt'), cell: (d) => fmtTime(d.dueAt) },
            { label: t('finishedAt'), cell: (d) => fmtTime(d.finishedAt) },
            { label: t('inNumerator'), cell: (d) => (d.inNumerator ? t('yes') : t('no')) },
            { label: t('reason'), cell: (d) => d.reason ?? '' },
          ],
          r.items,
          { 'data-testid': 'drill-table' },
        ),
      )
      drill.querySelector('h3')?.focus()
    } catch (e) {
      if (!stale()) fill(drill, errorBox(e))
    }
  }

  const load = async () => {
    const stale = staleCheck()
    fill(out, h('p', { class: 'muted' }, t('loading')))
    try {
      const b = await api<Breakdown>('/admin/indicators', { query: { ...period(), agency: agency.value.trim(), by: 'agency' } })
      if (stale()) return
      const codes = b.total.metrics.map((m) => m.code)
      const rows = [
        ...b.items.map((i) => ({ key: i.key, agency: i.key as string | null, report: i.report })),
        { key: 'total', agency: agency.value.trim() || null, report: b.total },
      ]
      const cell = (row: (typeof rows)[number], code: string) => {
        const m = row.report.metrics.find((x) => x.code === code)
        if (!m) return '—'
        return h(
          'button',
          {
            type: 'button',
            class: 'link',
            'data-testid': `ind-cell-${row.key}-${code}`,
            'data-value': m.numerator,
            'aria-label': `${code} ${row.key === 'total' ? t('total') : row.key}: ${fmtNum(m.numerator, 2)} / ${fmtNum(m.denominator)}`,
            onclick: () => void openDrill(code, row.agency),
          },
          `${fmtNum(m.numerator, 2)} / ${fmtNum(m.denominator)} (${fmtPct(m.ratio)})`,
        )
      }
      fill(
        out,
        table(
          t('scorecard'),
          [
            { label: t('agency'), cell: (r) => (r.key === 'total' ? t('total') : r.key) },
            ...codes.map((c) => ({ label: c, num: true, cell: (r: (typeof rows)[number]) => cell(r, c) })),
          ],
          rows,
          { 'data-testid': 'scorecard' },
        ),
        chart(
          t('scoreChart'),
          codes.map((_, i) => i),
          [{ label: '%', values: b.total.metrics.map((m) => (m.ratio === null ? null : Math.round(m.ratio * 1000) / 10)), color: '#1d5fa8', bars: true }],
          { categories: codes, testid: 'chart-indicators' },
        ),
      )
    } catch (e) {
      if (!stale()) fill(out, errorBox(e))
    }
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    void load()
  })
  const reports = h('div', { 'data-testid': 'reports' })
  const due = h('div', { 'data-testid': 'due' })
  fill(main, heading(t('indicators')), section(t('scorecard'), form, out, drill), section(t('reports'), reports), section(t('due'), due))
  void load()
  void loadReports(reports)
  void loadDue(due)
}

async function loadReports(el: HTMLElement): Promise<void> {
  const stale = staleCheck()
  try {
    const r = await api<{ items: ReportFile[] }>('/admin/reports', { query: { limit: 50 } })
    if (stale()) return
    fill(
      el,
      canAct() ? generateForm(el) : null,
      table(
        t('reports'),
        [
          { label: t('period'), cell: (x) => x.period },
          { label: t('agency'), cell: (x) => x.agency ?? t('province') },
          { label: t('format'), cell: (x) => x.format.toUpperCase() },
          { label: 'KB', num: true, cell: (x) => fmtNum(x.size / 1024, 1) },
          { label: t('generatedAt'), cell: (x) => fmtTime(x.generatedAt) },
          {
            label: t('download'),
            cell: (x) =>
              h(
                'a',
                { href: `/admin/reports/${encodeURIComponent(x.id)}`, download: '', 'data-testid': `report-${x.id}`, 'data-format': x.format },
                `${t('download')} ${x.period} ${x.format.toUpperCase()}`,
              ),
          },
        ],
        r.items,
        { 'data-testid': 'reports-table' },
      ),
    )
  } catch (e) {
    if (!stale()) fill(el, errorBox(e))
  }
}

function generateForm(list: HTMLElement): HTMLElement {
  const period = h('input', {
    type: 'text',
    name: 'period',
    required: true,
    maxlength: 7,
    pattern: '^[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4])$',
    'data-testid': 'gen-period',
  })
  const agency = h('input', { type: 'text', name: 'agency', maxlength: 13, pattern: AGENCY, 'data-testid': 'gen-agency' })
  const form = h(
    'form',
    { class: 'card filters', 'aria-label': t('generate') },
    field(t('period'), period, t('periodHint')),
    field(t('agency'), agency),
    h('button', { type: 'submit', 'data-testid': 'gen-submit' }, t('generate')),
  )
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    api('/admin/reports', { method: 'POST', body: { period: period.value, ...(agency.value.trim() ? { agency: agency.value.trim() } : {}) } })
      .then(() => {
        announce(t('generateQueued'))
        setTimeout(() => void loadReports(list), 1500)
      })
      .catch((err: unknown) => form.append(errorBox(err)))
  })
  return form
}

async function loadDue(el: HTMLElement): Promise<void> {
  const stale = staleCheck()
  try {
    const r = await api<Due>('/admin/dossiers/due', { query: { within: '2d', limit: 200 } })
    if (stale()) return
    const rows = r.agencies.flatMap((a) => a.dossiers.map((d) => ({ ...d, agency: a.agency })))
    fill(
      el,
      table(
        t('due'),
        [
          { label: t('agency'), cell: (a) => a.agency },
          { label: t('overdue'), num: true, cell: (a) => fmtNum(a.overdue) },
          { label: t('dueSoon'), num: true, cell: (a) => fmtNum(a.dueSoon) },
        ],
        r.agencies,
        { 'data-testid': 'due-agencies' },
      ),
      table(
        t('dossiers'),
        [
          { label: t('dossierCode'), cell: (d) => h('a', { href: `#/dossier/${encodeURIComponent(d.dossierCode)}` }, d.dossierCode) },
          { label: t('agency'), cell: (d) => d.agency },
          { label: t('procedure'), cell: (d) => d.procedure },
          { label: t('dueAt'), cell: (d) => fmtTime(d.effectiveDueAt) },
          { label: t('state'), cell: (d) => (d.overdue ? t('overdue') : t('dueSoon')) },
        ],
        rows,
      ),
    )
  } catch (e) {
    if (!stale()) fill(el, errorBox(e))
  }
}
