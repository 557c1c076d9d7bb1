import { api, currentSession, maybeSignedIn, setSession, whenUnauthorized, type Session } from './api.js'
import { fill, h } from './dom.js'
import { getLang, setLang, t, type Key } from './i18n.js'
import { go, nextGeneration, setRenderer } from './nav.js'
import { renderSignIn } from './views/signin.js'
import { prefetchOverview, renderOverview } from './views/overview.js'
import { renderDossiers, renderTimeline } from './views/dossiers.js'
import { renderIndicators } from './views/indicators.js'
import { renderWarehouse } from './views/warehouse.js'
import { renderDocuments } from './views/documents.js'
import { renderAudit } from './views/audit.js'

/** A view draws itself into <main>; `arg` is what follows its name in the hash (#/dossier/<code>). */
export type View = (main: HTMLElement, arg: string) => Promise<void> | void

const VIEWS: Record<string, { title: Key; view: View; nav?: boolean }> = {
  overview: { title: 'overview', view: renderOverview, nav: true },
  dossiers: { title: 'dossiers', view: renderDossiers, nav: true },
  dossier: { title: 'dossiers', view: renderTimeline },
  indicators: { title: 'indicators', view: renderIndicators, nav: true },
  warehouse: { title: 'warehouse', view: renderWarehouse, nav: true },
  documents: { title: 'documents', view: renderDocuments, nav: true },
  audit: { title: 'audit', view: renderAudit, nav: true },
}

let notice = ''

function route(): { name: string; arg: string } {
  const [, name = '', ...rest] = location.hash.replace(/^#/, '').split('/')
  return { name, arg: decodeURIComponent(rest.join('/')) }
}

function shell(): void {
  const s = currentSession()
  const { name } = route()
  const nav = document.getElementById('nav')!
  nav.setAttribute('aria-label', t('navLabel'))
  fill(
    nav,
    s
      ? h(
          'ul',
          {},
          ...Object.entries(VIEWS)
            .filter(([, v]) => v.nav)
            .map(([k, v]) =>
              h(
                'li',
                {},
                h(
                  'a',
                  { href: `#/${k}`, 'aria-current': k === name || (k === 'dossiers' && name === 'dossier') ? 'page' : undefined, 'data-testid': `nav-${k}` },
                  t(v.title),
                ),
              ),
            ),
        )
      : null,
  )
  const tools = document.getElementById('tools')!
  fill(
    tools,
    s
      ? h('span', { class: 'who', 'data-testid': 'who' }, t('signedInAs', { client: s.client, role: s.role === 'admin' ? t('roleAdmin') : t('roleRead') }))
      : null,
    h(
      'button',
      {
        type: 'button',
        class: 'link',
        lang: getLang() === 'vi' ? 'en' : 'vi',
        'aria-label': t('switchLangLabel'),
        'data-testid': 'lang',
        onclick: () => {
          setLang(getLang() === 'vi' ? 'en' : 'vi')
          void render()
        },
      },
      t('switchLang'),
    ),
    s ? h('button', { type: 'button', class: 'link', 'data-testid': 'signout', onclick: () => void signOut() }, t('signout')) : null,
  )
  document.getElementById('skip')!.textContent = t('skip')
}

async function signOut(): Promise<void> {
  try {
    await api('/console/api/session', { method: 'DELETE' })
  } finally {
    setSession(null)
    go('#/signin')
  }
}

async function render(): Promise<void> {
  const stale = nextGeneration()
  const main = document.getElementById('main')!
  const { name, arg } = route()
  const s = currentSession()
  if (!s || name === 'signin') {
    if (s && name === 'signin') return go('#/overview')
    document.title = `${t('signin')} · LGSP Hub`
    shell()
    renderSignIn(main, notice)
    notice = ''
    return
  }
  const entry = VIEWS[name]
  if (!entry) return go('#/overview')
  document.title = `${t(entry.title)} · ${t('title')} · LGSP Hub`
  shell()
  fill(main, h('p', { class: 'muted' }, t('loading')))
  try {
    await entry.view(main, arg)
  } catch (e) {
    if (!stale() && currentSession()) fill(main, h('p', { role: 'alert', class: 'error' }, t('error', { message: (e as Error).message })))
  }
  if (!stale()) main.querySelector('h1')?.focus({ preventScroll: false })
}

async function start(): Promise<void> {
  setLang(getLang())
  setRenderer(render)
  whenUnauthorized(() => {
    if (currentSession() === null && route().name !== 'signin') notice = t('sessionExpired')
    go('#/signin')
  })
  document.getElementById('skip')!.addEventListener('click', (e) => {
    e.preventDefault()
    document.getElementById('main')!.focus()
  })
  window.addEventListener('hashchange', () => void render())
  if ((route().name === 'overview' || route().name === '') && maybeSignedIn()) prefetchOverview()
  try {
    setSession(await api<Session>('/console/api/session', { signInCall: true }))
  } catch {
    setSession(null)
  }
  await render()
}

void start()
