import { ApiError, api, canAct } from '../api.js'
import { announce, field, fill, h, select, table } from '../dom.js'
import { fmtNum, fmtTime, t } from '../i18n.js'
import { staleCheck } from '../nav.js'
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
type InboxItem = Record<string, unknown> & {
  documentId?: string
  id?: string | number
  status?: string
  state?: string
  receivedAt?: string
  from?: string
  sender?: string
}

/** VDXP: GET /admin/documents/inbox (received, with status) and GET /admin/documents/outbox?state=. */
export async function renderDocuments(main: HTMLElement): Promise<void> {
  const stale = staleCheck()
  const state = select('state', [
    ['parked', 'parked'],
    ['pending', 'pending'],
    ['sent', 'sent'],
  ])
  state.dataset['testid'] = 'outbox-state'
  const outbox = h('div', { 'aria-live': 'polite', 'data-testid': 'outbox' })
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
  let inbox: HTMLElement
  try {
    const r = await api<{ items: InboxItem[] }>('/admin/documents/inbox', { query: { limit: 200 } })
    const keys = [...new Set(r.items.flatMap((i) => Object.keys(i).filter((k) => typeof i[k] !== 'object')))].slice(0, 8)
    inbox = table(
      t('inbox'),
      keys.map((k) => ({ label: k, cell: (x: InboxItem) => (/At$/.test(k) ? fmtTime(String(x[k] ?? '')) : String(x[k] ?? '')) })),
      r.items,
      { 'data-testid': 'inbox-table' },
    )
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e
    inbox = h('p', { class: 'muted', 'data-testid': 'inbox-table' }, t('notAvailable'))
  }
  if (stale()) return
  fill(
    main,
    heading(t('documents'), () => void renderDocuments(main)),
    section(t('inbox'), inbox),
    section(t('outbox'), h('div', { class: 'card filters' }, field(t('state'), state)), outbox),
  )
  await loadOutbox()
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
