import { api, canAct } from '../api.js'
import { announce, field, fill, h, select, table } from '../dom.js'
import { fmtNum, fmtTime, t } from '../i18n.js'
import { staleCheck } from '../nav.js'
import { badge, errorBox, heading, section, stateLabel } from '../ui.js'

/** An item of GET /admin/dossiers/search. */
export interface DossierItem {
  dossierCode: string
  agencyCode: string
  procedureCode: string
  state: string
  pendingEvents: number
  receivedAt: string
  updatedAt: string
  parkedReason?: string
}

interface Attempt {
  at: string
  outcome: string
  httpStatus?: number
  portalCode?: string
  portalMessage?: string
  errorKind?: string
  durationMs?: number
}
interface Timeline {
  dossier: DossierItem
  events: { eventId: string; kind: string; status?: string; occurredAt: string; receivedAt: string; state: string; deliveredAt?: string; attempts: Attempt[] }[]
}

const AGENCY = '^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}$'
const text = (name: string, attrs: Record<string, string | number> = {}) => h('input', { type: 'text', name, autocomplete: 'off', ...attrs })

async function replayOne(code: string): Promise<string[]> {
  const r = await api<{ replayed: string[] }>(`/admin/dossiers/${encodeURIComponent(code)}/replay`, { method: 'POST' })
  announce(t('replayDone', { n: r.replayed.length }))
  return r.replayed
}

function replayButton(code: string, after: () => void): HTMLElement | null {
  if (!canAct()) return null
  const b = h('button', { type: 'button', class: 'small', 'data-testid': `replay-${code}`, 'aria-label': `${t('replay')} ${code}` }, t('replay'))
  b.addEventListener('click', () => {
    b.disabled = true
    replayOne(code).then(after, (e: unknown) => {
      b.disabled = false
      b.after(errorBox(e))
    })
  })
  return b
}

export function renderDossiers(main: HTMLElement): void {
  const code = text('code', { maxlength: 80, 'data-testid': 'search-code' })
  const agency = text('agency', { maxlength: 13, pattern: AGENCY, placeholder: '000.00.06.H56', 'data-testid': 'search-agency' })
  const procedure = text('procedure', { maxlength: 40, 'data-testid': 'search-procedure' })
  const state = select('state', [
    ['', t('anyState')],
    ...(['delivered', 'pending', 'failed', 'parked'] as const).map((s): [string, string] => [s, stateLabel(s)]),
  ])
  state.dataset['testid'] = 'search-state'
  const results = h('div', { 'aria-live': 'polite', 'data-testid': 'search-results' })
  const form = h(
    'form',
    { class: 'card filters', role: 'search', 'aria-label': t('search') },
    field(t('codePrefix'), code),
    field(t('agency'), agency),
    field(t('procedure'), procedure),
    field(t('state'), state),
    h('button', { type: 'submit', 'data-testid': 'search-submit' }, t('search')),
  )
  const items: DossierItem[] = []
  const search = async (after?: string) => {
    const stale = staleCheck()
    if (!after) items.length = 0
    let page: { items: DossierItem[]; next?: string }
    try {
      page = await api('/admin/dossiers/search', {
        query: { code: code.value.trim(), agency: agency.value.trim(), procedure: procedure.value.trim(), state: state.value, limit: 50, after },
      })
    } catch (e) {
      if (!stale()) fill(results, errorBox(e))
      return
    }
    if (stale()) return
    items.push(...page.items)
    const more = page.next
      ? h('button', { type: 'button', class: 'secondary', 'data-testid': 'search-more', onclick: () => void search(page.next) }, t('more'))
      : null
    fill(
      results,
      h('p', { 'data-testid': 'search-count', 'data-value': items.length }, t('found', { n: fmtNum(items.length) })),
      table(
        t('results'),
        [
          {
            label: t('dossierCode'),
            cell: (r) => h('a', { href: `#/dossier/${encodeURIComponent(r.dossierCode)}`, 'data-testid': `dossier-${r.dossierCode}` }, r.dossierCode),
          },
          { label: t('agency'), cell: (r) => r.agencyCode },
          { label: t('procedure'), cell: (r) => r.procedureCode },
          { label: t('state'), cell: (r) => h('span', { 'data-testid': `state-${r.dossierCode}` }, badge(r.state, stateLabel(r.state))) },
          { label: t('pendingEvents'), num: true, cell: (r) => fmtNum(r.pendingEvents) },
          { label: t('receivedAt'), cell: (r) => fmtTime(r.receivedAt) },
          { label: t('parkedReason'), cell: (r) => r.parkedReason ?? '' },
          ...(canAct()
            ? [{ label: t('actions'), cell: (r: DossierItem) => (r.state === 'parked' ? replayButton(r.dossierCode, () => void search()) : null) }]
            : []),
        ],
        items,
        { 'data-testid': 'search-table' },
      ),
      more,
    )
  }
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    void search()
  })
  fill(main, heading(t('dossiers')), section(t('search'), form, results), canAct() ? bulkReplay() : null)
}

/** Bulk replay by filter: a dry run tells how many (and which, a sample) before the operator confirms. */
function bulkReplay(): HTMLElement {
  const agency = text('agency', { maxlength: 13, pattern: AGENCY, placeholder: '000.00.06.H56', 'data-testid': 'bulk-agency' })
  const procedure = text('procedure', { maxlength: 40, 'data-testid': 'bulk-procedure' })
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'bulk-out' })
  const body = () => ({
    ...(agency.value.trim() ? { agency: agency.value.trim() } : {}),
    ...(procedure.value.trim() ? { procedure: procedure.value.trim() } : {}),
  })
  const form = h(
    'form',
    { class: 'card filters', 'aria-label': t('bulkReplay') },
    field(t('agency'), agency),
    field(t('procedure'), procedure),
    h('button', { type: 'submit', 'data-testid': 'bulk-preview' }, t('preview')),
  )
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    const filter = body()
    api<{ count: number; sample: string[] }>('/admin/dossiers/replay', { method: 'POST', body: { ...filter, dryRun: true } })
      .then((p) => {
        const confirm = h(
          'button',
          { type: 'button', class: 'danger', 'data-testid': 'bulk-confirm', disabled: p.count === 0 },
          t('confirmReplay', { n: fmtNum(p.count) }),
        )
        const cancel = h('button', { type: 'button', class: 'secondary', 'data-testid': 'bulk-cancel', onclick: () => fill(out) }, t('cancel'))
        confirm.addEventListener('click', () => {
          confirm.disabled = true
          api<{ replayed: string[] }>('/admin/dossiers/replay', { method: 'POST', body: filter })
            .then((r) => {
              const msg = t('replayDone', { n: fmtNum(r.replayed.length) })
              fill(out, h('p', { role: 'status', 'data-testid': 'bulk-result', 'data-value': r.replayed.length }, msg))
              announce(msg)
            })
            .catch((err: unknown) => fill(out, errorBox(err)))
        })
        fill(
          out,
          h('p', { 'data-testid': 'bulk-count', 'data-value': p.count }, t('previewCount', { n: fmtNum(p.count) })),
          p.sample.length ? h('ul', { class: 'sample', 'data-testid': 'bulk-sample' }, ...p.sample.map((c) => h('li', {}, c))) : null,
          h('div', { class: 'row' }, confirm, cancel),
        )
        confirm.focus()
      })
      .catch((err: unknown) => fill(out, errorBox(err)))
  })
  return section(t('bulkReplay'), h('p', { class: 'muted' }, t('bulkHint')), form, out)
}

/** #/dossier/<code>: GET /admin/dossiers/:code/timeline, events oldest first with each delivery attempt. */
export async function renderTimeline(main: HTMLElement, code: string): Promise<void> {
  const stale = staleCheck()
  const tl = await api<Timeline>(`/admin/dossiers/${encodeURIComponent(code)}/timeline`)
  if (stale()) return
  const d = tl.dossier
  const poll = async (tries: number) => {
    // After a replay: read the timeline again until the dossier is no longer waiting (or 30 tries).
    await new Promise((r) => setTimeout(r, 1000))
    if (stale()) return
    const next = await api<Timeline>(`/admin/dossiers/${encodeURIComponent(code)}/timeline`)
    if (stale()) return
    if ((next.dossier.state === 'parked' || next.dossier.state === 'pending' || next.dossier.state === 'failed') && tries > 0) return poll(tries - 1)
    await renderTimeline(main, code)
  }
  fill(
    main,
    heading(t('timeline', { code: d.dossierCode }), () => void renderTimeline(main, code)),
    h('p', {}, h('a', { href: '#/dossiers' }, t('back'))),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('state')),
      h('dd', { 'data-testid': 'tl-state', 'data-value': d.state }, badge(d.state, stateLabel(d.state))),
      h('dt', {}, t('agency')),
      h('dd', {}, d.agencyCode),
      h('dt', {}, t('procedure')),
      h('dd', {}, d.procedureCode),
      h('dt', {}, t('pendingEvents')),
      h('dd', {}, fmtNum(d.pendingEvents)),
      d.parkedReason ? h('dt', {}, t('parkedReason')) : null,
      d.parkedReason ? h('dd', {}, d.parkedReason) : null,
    ),
    d.state === 'parked' ? replayButton(d.dossierCode, () => void poll(30)) : null,
    section(
      t('events'),
      ...tl.events.map((ev) =>
        h(
          'article',
          { class: 'event card', 'data-testid': `event-${ev.eventId}` },
          h('h3', {}, `${ev.kind}${ev.status ? ` · ${ev.status}` : ''} · ${fmtTime(ev.occurredAt)}`),
          h('p', {}, badge(ev.state, stateLabel(ev.state)), ev.deliveredAt ? ` ${t('deliveredAt')}: ${fmtTime(ev.deliveredAt)}` : ''),
          ev.attempts.length
            ? table(
                `${t('attempts')} (${ev.eventId})`,
                [
                  { label: t('at'), cell: (a) => fmtTime(a.at) },
                  { label: t('outcome'), cell: (a) => badge(a.outcome) },
                  { label: 'HTTP', num: true, cell: (a) => (a.httpStatus === undefined ? '' : String(a.httpStatus)) },
                  { label: t('portalAnswer'), cell: (a) => [a.portalCode, a.portalMessage, a.errorKind].filter(Boolean).join(' · ') },
                  { label: t('duration'), num: true, cell: (a) => fmtNum(a.durationMs) },
                ],
                ev.attempts,
              )
            : null,
        ),
      ),
    ),
  )
}
