import { api } from '../api.js'
import { field, fill, h, select, table } from '../dom.js'
import { fmtNum, fmtTime, t } from '../i18n.js'
import { staleCheck } from '../nav.js'
import { badge, errorBox, heading, section } from '../ui.js'

interface Access {
  id: string
  at: string
  clientId: string
  service: string
  action: string
  purpose?: string
  outcome: string
  status?: number
}
interface Verify {
  ok: boolean
  records: number
  checkpoints: number
  problem?: { kind: string; message: string }
  ms: number
}

const columns = () => [
  { label: t('at'), cell: (a: Access) => fmtTime(a.at) },
  { label: t('client'), cell: (a: Access) => a.clientId },
  { label: t('service'), cell: (a: Access) => a.service },
  { label: t('action'), cell: (a: Access) => a.action },
  { label: t('purpose'), cell: (a: Access) => a.purpose ?? '' },
  { label: t('outcome'), cell: (a: Access) => a.outcome },
]

/** Who read a subject (GET /admin/audit/subjects/:idType/:idNumber), operator actions (GET /admin/audit?service=admin), chain state (GET /admin/audit/verify). */
export async function renderAudit(main: HTMLElement): Promise<void> {
  const stale = staleCheck()
  const idType = select('idType', [
    ['cccd', 'CCCD'],
    ['cmnd', 'CMND'],
    ['mst', 'MST'],
    ['social-insurance', 'BHXH'],
  ])
  const idNumber = h('input', { type: 'text', name: 'idNumber', required: true, maxlength: 40, autocomplete: 'off', 'data-testid': 'subject-id' })
  const subjectOut = h('div', { 'aria-live': 'polite', 'data-testid': 'subject-out' })
  const form = h(
    'form',
    { class: 'card filters', 'aria-label': t('subject') },
    field(t('idType'), idType),
    field(t('idNumber'), idNumber, t('idHint')),
    h('button', { type: 'submit', 'data-testid': 'subject-submit' }, t('search')),
  )
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    api<{ items: Access[] }>(`/admin/audit/subjects/${encodeURIComponent(idType.value)}/${encodeURIComponent(idNumber.value.trim())}`, {
      query: { limit: 200 },
    })
      .then((r) => fill(subjectOut, h('p', {}, fmtNum(r.items.length)), table(t('subject'), columns(), r.items, { 'data-testid': 'subject-table' })))
      .catch((err: unknown) => fill(subjectOut, errorBox(err)))
  })
  const chainOut = h('div', { 'aria-live': 'polite', 'data-testid': 'chain-out' })
  const verify = h('button', { type: 'button', 'data-testid': 'chain-verify' }, t('verify'))
  verify.addEventListener('click', () => {
    verify.disabled = true
    fill(chainOut, h('p', { class: 'muted' }, t('loading')))
    api<Verify>('/admin/audit/verify')
      .then((v) =>
        fill(
          chainOut,
          h(
            'p',
            { 'data-testid': 'chain-state', 'data-value': String(v.ok), role: 'status' },
            badge(v.ok ? 'ok' : 'bad', v.ok ? 'OK' : '!'),
            ' ',
            v.ok ? t('chainOk', { n: fmtNum(v.records), c: fmtNum(v.checkpoints) }) : t('chainBad', { message: v.problem?.message ?? v.problem?.kind ?? '' }),
          ),
        ),
      )
      .catch((err: unknown) => fill(chainOut, errorBox(err)))
      .finally(() => (verify.disabled = false))
  })
  const actions = await api<{ items: Access[] }>('/admin/audit', { query: { service: 'admin', limit: 50 } })
  if (stale()) return
  fill(
    main,
    heading(t('audit'), () => void renderAudit(main)),
    section(t('chain'), verify, chainOut),
    section(t('subject'), form, subjectOut),
    section(t('operatorActions'), table(t('operatorActions'), columns(), actions.items, { 'data-testid': 'operator-actions' })),
  )
}
