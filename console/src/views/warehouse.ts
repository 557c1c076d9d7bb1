import { api } from '../api.js'
import { field, fill, h, table } from '../dom.js'
import { fmtNum, fmtTime, t } from '../i18n.js'
import { staleCheck } from '../nav.js'
import { errorBox, heading, section } from '../ui.js'

interface Stats {
  period: string
  rows: {
    agencyCode: string
    period: string
    digitised: number
    pushed: number
    mirrored: number
    reused: number
    signatures: { valid: number; invalid: number; unsigned: number; untrusted: number }
  }[]
}
interface SummaryRow {
  agencyCode: string
  digitised: number
  pushed: number
  mirrored: number
  reused: number
  signature: { pass: number; warn: number; fail: number }
  gaps: number
}
interface Gaps {
  agency: string
  items: { dossierCode: string; procedureCode: string; status: string; returnedAt?: string; resultCodes: string[]; unsignedLinkedResults: number }[]
}

const AGENCY = '^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}$'

/** A count cell with the raw number in data-value (the tests compare it with the API's). */
const count = (n: number) => h('span', { 'data-value': n }, fmtNum(n))

/** GET /admin/digitisation/summary?agency=&from=&to=: per agency, with its filter form. */
function summarySection(): { form: HTMLElement; out: HTMLElement; load: () => Promise<void> } {
  const agency = h('input', {
    type: 'text',
    name: 'summary-agency',
    maxlength: 13,
    pattern: AGENCY,
    placeholder: '000.00.06.H56',
    'data-testid': 'summary-agency',
  })
  const from = h('input', { type: 'date', name: 'summary-from', 'data-testid': 'summary-from' })
  const to = h('input', { type: 'date', name: 'summary-to', 'data-testid': 'summary-to' })
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'summary-out' })
  const load = async () => {
    try {
      const q: Record<string, string> = {}
      if (agency.value.trim()) q['agency'] = agency.value.trim()
      if (from.value) q['from'] = from.value
      if (to.value) q['to'] = to.value
      const r = await api<{ rows: SummaryRow[] }>('/admin/digitisation/summary', { query: q })
      const tbl = table(
        t('summaryTitle'),
        [
          { label: t('agency'), cell: (x) => x.agencyCode },
          { label: t('digitised'), num: true, cell: (x) => count(x.digitised) },
          { label: t('pushed'), num: true, cell: (x) => count(x.pushed) },
          { label: t('mirrored'), num: true, cell: (x) => count(x.mirrored) },
          { label: t('reused'), num: true, cell: (x) => count(x.reused) },
          { label: t('sigPolicyPass'), num: true, cell: (x) => count(x.signature.pass) },
          { label: t('sigPolicyWarn'), num: true, cell: (x) => count(x.signature.warn) },
          { label: t('sigPolicyFail'), num: true, cell: (x) => count(x.signature.fail) },
          { label: t('gaps'), num: true, cell: (x) => count(x.gaps) },
        ],
        r.rows,
        { 'data-testid': 'summary-table' },
      )
      // One test id per row, by agency code.
      tbl.querySelectorAll('tbody tr').forEach((tr, i) => tr.setAttribute('data-testid', `summary-row-${r.rows[i]!.agencyCode}`))
      fill(out, tbl)
    } catch (e) {
      fill(out, errorBox(e))
    }
  }
  const form = h(
    'form',
    { class: 'card filters', 'aria-label': t('summaryTitle') },
    field(t('agency'), agency),
    field(t('from'), from),
    field(t('toIncl'), to),
    h('button', { type: 'submit', 'data-testid': 'summary-submit' }, t('show')),
  )
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    void load()
  })
  return { form, out, load }
}

/** Per agency: GET /admin/digitisation/summary; per agency and month: GET /admin/warehouse/stats; an agency's dossiers returned without a signed result: GET /admin/digitisation/gaps. */
export async function renderWarehouse(main: HTMLElement): Promise<void> {
  const stale = staleCheck()
  const agency = h('input', {
    type: 'text',
    name: 'agency',
    required: true,
    maxlength: 13,
    pattern: AGENCY,
    placeholder: '000.00.06.H56',
    'data-testid': 'gaps-agency',
  })
  const gapsOut = h('div', { 'aria-live': 'polite', 'data-testid': 'gaps-out' })
  const form = h(
    'form',
    { class: 'card filters', 'aria-label': t('gapsOf') },
    field(t('agency'), agency),
    h('button', { type: 'submit', 'data-testid': 'gaps-submit' }, t('show')),
  )
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    api<Gaps>('/admin/digitisation/gaps', { query: { agency: agency.value.trim(), limit: 200 } })
      .then((g) =>
        fill(
          gapsOut,
          table(
            `${t('gapsOf')} (${g.agency})`,
            [
              { label: t('dossierCode'), cell: (r) => h('a', { href: `#/dossier/${encodeURIComponent(r.dossierCode)}` }, r.dossierCode) },
              { label: t('procedure'), cell: (r) => r.procedureCode },
              { label: t('status'), cell: (r) => r.status },
              { label: t('returnedAt'), cell: (r) => fmtTime(r.returnedAt) },
              { label: t('resultCodes'), cell: (r) => r.resultCodes.join(', ') },
            ],
            g.items,
            { 'data-testid': 'gaps-table' },
          ),
        ),
      )
      .catch((err: unknown) => fill(gapsOut, errorBox(err)))
  })
  const summary = summarySection()
  const [s] = await Promise.all([api<Stats>('/admin/warehouse/stats', { query: { period: 'month' } }), summary.load()])
  const perAgency = table(
    t('perAgency'),
    [
      { label: t('agency'), cell: (r) => r.agencyCode },
      { label: t('period'), cell: (r) => r.period },
      { label: t('digitised'), num: true, cell: (r) => fmtNum(r.digitised) },
      { label: t('pushed'), num: true, cell: (r) => fmtNum(r.pushed) },
      { label: t('mirrored'), num: true, cell: (r) => fmtNum(r.mirrored) },
      { label: t('reused'), num: true, cell: (r) => fmtNum(r.reused) },
      { label: t('sigPass'), num: true, cell: (r) => fmtNum(r.signatures.valid) },
      { label: t('sigFail'), num: true, cell: (r) => fmtNum(r.signatures.invalid) },
      { label: t('sigUnsigned'), num: true, cell: (r) => fmtNum(r.signatures.unsigned) },
      { label: t('sigUntrusted'), num: true, cell: (r) => fmtNum(r.signatures.untrusted) },
    ],
    s.rows,
    { 'data-testid': 'digitisation-table' },
  )
  if (stale()) return
  fill(
    main,
    heading(t('warehouse'), () => void renderWarehouse(main)),
    section(t('summaryTitle'), h('p', { class: 'muted' }, t('summaryHint')), summary.form, summary.out),
    section(t('perAgency'), perAgency),
    section(t('gapsOf'), form, gapsOut),
  )
}
