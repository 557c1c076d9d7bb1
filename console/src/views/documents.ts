import { api, canAct } from '../api.js'
import { announce, field, fill, h, select, table } from '../dom.js'
import { fmtNum, fmtTime, t } from '../i18n.js'
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

/** VDXP: the outbox by state (GET /admin/documents/outbox?state=) and replay of a parked message. */
export async function renderDocuments(main: HTMLElement): Promise<void> {
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
  fill(
    main,
    heading(t('documents'), () => void renderDocuments(main)),
    section(t('inbox'), h('p', { class: 'muted', 'data-testid': 'inbox-note' }, t('inboxNote'))),
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
