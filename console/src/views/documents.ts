import { api, canAct } from '../api.js'
import { announce, field, fill, h, select, table } from '../dom.js'
import { fmtNum, fmtTime, t, type Key } from '../i18n.js'
import { badge, errorBox, heading, section } from '../ui.js'

interface OutboxItem {
  id: number
  documentId: string
  kind: string
  state: string
  attempts: number
  lastError?: string
  createdAt: string
}

interface InboxItem {
  id: string
  agency: string
  sender: string
  code?: string
  subject?: string
  businessType: string
  state: string
  stateReason?: string
  receivedAt: string
  ackedAt: string | null
  lastStatus?: { statusCode: string; name: string; direction: 'in' | 'out'; at: string }
}
interface TimelineEvent {
  at: string
  kind: string
  direction?: 'in' | 'out'
  statusCode?: string
  name?: string
  delivery?: string
  attempts?: number
  reason?: string
}

const AGENCY = '^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}$'
const KINDS = ['stored', 'sent', 'pending', 'parked', 'status', 'acknowledged', 'changed']
const kindLabel = (k: string) => (KINDS.includes(k) ? t(`ev_${k}` as Key) : k)

/** GET /admin/documents/:id/timeline into `out`. */
async function showTimeline(out: HTMLElement, id: string): Promise<void> {
  try {
    const r = await api<{ document: { id: string; state: string }; events: TimelineEvent[] }>(`/admin/documents/${encodeURIComponent(id)}/timeline`)
    fill(
      out,
      table(
        t('docTimeline', { id }),
        [
          { label: t('at'), cell: (e) => fmtTime(e.at) },
          { label: t('kind'), cell: (e) => kindLabel(e.kind) },
          { label: t('direction'), cell: (e) => e.direction ?? '' },
          { label: t('status'), cell: (e) => (e.statusCode ? `${e.statusCode} ${e.name ?? ''}` : '') },
          { label: t('delivery'), cell: (e) => (e.delivery ? badge(e.delivery) : '') },
          { label: t('attempts'), num: true, cell: (e) => (e.attempts === undefined ? '' : fmtNum(e.attempts)) },
          { label: t('reason'), cell: (e) => e.reason ?? '' },
        ],
        r.events,
        { 'data-testid': 'document-timeline' },
      ),
    )
    out.querySelector('caption')?.setAttribute('tabindex', '-1')
  } catch (e) {
    fill(out, errorBox(e))
  }
}

const timelineButton = (out: HTMLElement, id: string) =>
  h(
    'button',
    {
      type: 'button',
      class: 'small secondary',
      'aria-label': `${t('showTimeline')} ${id}`,
      'data-testid': `timeline-${id}`,
      onclick: () => void showTimeline(out, id),
    },
    t('showTimeline'),
  )

/** GET /admin/documents/inbox: filters, newest first, more pages by cursor. */
function inboxSection(timelineOut: HTMLElement): { node: HTMLElement; load: () => Promise<void> } {
  const state = select('inbox-state', [
    ['', t('anyState')],
    ['received', 'received'],
    ['revoked', 'revoked'],
    ['updated', 'updated'],
    ['replaced', 'replaced'],
  ])
  state.dataset['testid'] = 'inbox-state'
  const agency = h('input', { type: 'text', name: 'inbox-agency', maxlength: 13, pattern: AGENCY, placeholder: '000.00.06.H56', 'data-testid': 'inbox-agency' })
  const sender = h('input', { type: 'text', name: 'inbox-sender', maxlength: 40, 'data-testid': 'inbox-sender' })
  const unacked = h('input', { type: 'checkbox', name: 'inbox-unacked', 'data-testid': 'inbox-unacked' })
  const out = h('div', { 'aria-live': 'polite', 'data-testid': 'inbox' })
  const columns = [
    { label: t('receivedAt'), cell: (x: InboxItem) => fmtTime(x.receivedAt) },
    { label: t('agency'), cell: (x: InboxItem) => x.agency },
    { label: t('sender'), cell: (x: InboxItem) => x.sender },
    { label: t('docCode'), cell: (x: InboxItem) => x.code ?? '' },
    { label: t('docSubject'), cell: (x: InboxItem) => x.subject ?? '' },
    { label: t('state'), cell: (x: InboxItem) => badge(x.state) },
    { label: t('lastStatus'), cell: (x: InboxItem) => (x.lastStatus ? `${x.lastStatus.statusCode} ${x.lastStatus.name}` : '') },
    { label: t('ackedAt'), cell: (x: InboxItem) => fmtTime(x.ackedAt) },
    { label: t('actions'), cell: (x: InboxItem) => timelineButton(timelineOut, x.id) },
  ]
  const load = async (after?: string) => {
    try {
      const query: Record<string, string | number> = { limit: 50 }
      if (state.value) query['state'] = state.value
      if (agency.value.trim()) query['agency'] = agency.value.trim()
      if (sender.value.trim()) query['sender'] = sender.value.trim()
      if (unacked.checked) query['unacked'] = 'true'
      if (after) query['after'] = after
      const r = await api<{ items: InboxItem[]; next?: string }>('/admin/documents/inbox', { query })
      const more = r.next ? h('button', { type: 'button', class: 'secondary', 'data-testid': 'inbox-more', onclick: () => void load(r.next) }, t('more')) : null
      fill(out, table(t('inbox'), columns, r.items, { 'data-testid': 'inbox-table' }), more)
    } catch (e) {
      fill(out, errorBox(e))
    }
  }
  const form = h(
    'form',
    { class: 'card filters', 'aria-label': t('inbox') },
    field(t('state'), state),
    field(t('agency'), agency),
    field(t('sender'), sender),
    h('div', { class: 'field' }, h('label', {}, unacked, ' ', t('unacked'))),
    h('button', { type: 'submit', 'data-testid': 'inbox-submit' }, t('show')),
  )
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    void load()
  })
  return { node: section(t('inbox'), h('p', { class: 'muted', 'data-testid': 'inbox-note' }, t('inboxNote')), form, out), load: () => load() }
}

/** VDXP: the inbox (GET /admin/documents/inbox), the outbox by state (GET /admin/documents/outbox?state=), replay of a parked message, a document's timeline. */
export async function renderDocuments(main: HTMLElement): Promise<void> {
  const state = select('state', [
    ['parked', 'parked'],
    ['pending', 'pending'],
    ['sent', 'sent'],
  ])
  state.dataset['testid'] = 'outbox-state'
  const outbox = h('div', { 'aria-live': 'polite', 'data-testid': 'outbox' })
  const timelineOut = h('div', { 'aria-live': 'polite', 'data-testid': 'timeline-out' })
  const inbox = inboxSection(timelineOut)
  const loadOutbox = async () => {
    try {
      const r = await api<{ items: OutboxItem[] }>('/admin/documents/outbox', { query: { state: state.value, limit: 200 } })
      fill(
        outbox,
        table(
          t('outbox'),
          [
            { label: t('documentId'), cell: (x) => x.documentId },
            { label: t('kind'), cell: (x) => x.kind },
            { label: t('state'), cell: (x) => badge(x.state) },
            { label: t('attempts'), num: true, cell: (x) => fmtNum(x.attempts) },
            { label: t('lastError'), cell: (x) => x.lastError ?? '' },
            { label: t('createdAt'), cell: (x) => fmtTime(x.createdAt) },
            { label: t('showTimeline'), cell: (x) => timelineButton(timelineOut, x.documentId) },
            ...(canAct() ? [{ label: t('actions'), cell: (x: OutboxItem) => (x.state === 'parked' ? replayDoc(x.documentId, loadOutbox) : null) }] : []),
          ],
          r.items,
          { 'data-testid': 'outbox-table' },
        ),
      )
    } catch (e) {
      fill(outbox, errorBox(e))
    }
  }
  state.addEventListener('change', () => void loadOutbox())
  fill(
    main,
    heading(t('documents'), () => void renderDocuments(main)),
    inbox.node,
    section(t('outbox'), h('div', { class: 'card filters' }, field(t('state'), state)), outbox),
    section(t('showTimeline'), timelineOut),
  )
  await Promise.all([inbox.load(), loadOutbox()])
}

function replayDoc(documentId: string, after: () => Promise<void>): HTMLElement {
  const b = h('button', { type: 'button', class: 'small', 'aria-label': `${t('replay')} ${documentId}` }, t('replay'))
  b.addEventListener('click', () => {
    b.disabled = true
    api<{ replayed: string[] }>('/admin/documents/replay', { method: 'POST', body: { documentId } })
      .then((r) => {
        announce(t('replayDone', { n: r.replayed.length }))
        return after()
      })
      .catch((e: unknown) => b.after(errorBox(e)))
  })
  return b
}
