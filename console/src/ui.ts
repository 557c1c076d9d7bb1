import { h, type Child } from './dom.js'
import { t, type Key } from './i18n.js'

/** A page heading (focused after navigation) with an optional refresh button. */
export function heading(text: string, onRefresh?: () => void): HTMLElement {
  return h(
    'div',
    { class: 'page-head' },
    h('h1', { tabindex: -1 }, text),
    onRefresh ? h('button', { type: 'button', class: 'secondary', onclick: onRefresh, 'data-testid': 'refresh' }, t('refresh')) : null,
  )
}

export function section(title: string, ...children: Child[]): HTMLElement {
  const id = `s-${title.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase()}-${Math.random().toString(36).slice(2, 6)}`
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...children)
}

/** A figure card: label, value, with the raw number in data-value (the tests compare it with the API's). */
export function stat(label: string, shown: string, raw: number | string | null, testid: string, tone = ''): HTMLElement {
  return h(
    'div',
    { class: `stat ${tone}` },
    h('span', { class: 'stat-label' }, label),
    h('span', { class: 'stat-value', 'data-testid': testid, 'data-value': raw === null ? 'null' : String(raw) }, shown),
  )
}

export function badge(value: string, label?: string): HTMLElement {
  return h('span', { class: `badge b-${value.replace(/[^a-z-]/g, '')}` }, label ?? value)
}

export const stateLabel = (s: string): string => (['delivered', 'pending', 'failed', 'parked'].includes(s) ? t(`st_${s}` as Key) : s)

export function errorBox(e: unknown): HTMLElement {
  return h('p', { role: 'alert', class: 'error' }, t('error', { message: (e as Error).message }))
}
