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
interface Gaps {
  agency: string
  items: { dossierCode: string; procedureCode: string; status: string; returnedAt?: string; resultCodes: string[]; unsignedLinkedResults: number }[]
}

const AGENCY = '^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}$'

/** Per agency and month: GET /admin/warehouse/stats; an agency's dossiers returned without a signed result: GET /admin/digitisation/gaps. */
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
  const s = await api<Stats>('/admin/warehouse/stats', { query: { period: 'month' } })
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
    section(t('perAgency'), perAgency),
    section(t('gapsOf'), form, gapsOut),
  )
}
