/** Tiny DOM helpers: elements built with properties, never HTML strings (no injection from data). */
type Attr = string | number | boolean | null | undefined | EventListener
export type Child = Node | string | number | null | undefined | false

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, Attr> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v)
    else if (k === 'class') el.className = String(v)
    else el.setAttribute(k, v === true ? '' : String(v))
  }
  append(el, children)
  return el
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c)
  }
}

/** Replaces an element's content. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren()
  append(el, children)
}

export interface Column<T> {
  label: string
  cell: (row: T) => Child
  /** Right-aligned numbers. */
  num?: boolean
}

/** A data table with a caption and column headers (screen readers announce both). */
export function table<T>(caption: string, columns: Column<T>[], rows: T[], attrs: Record<string, Attr> = {}): HTMLElement {
  const t = h(
    'table',
    attrs,
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : undefined }, c.label)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...columns.map((c) => h('td', { class: c.num ? 'num' : undefined }, c.cell(r)))))),
  )
  return h('div', { class: 'table-wrap' }, t)
}

/** A labelled form field (label bound by id). */
export function field(label: string, input: HTMLInputElement | HTMLSelectElement, hint?: string): HTMLElement {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`
  input.id = id
  const hintEl = hint ? h('small', { id: `${id}-hint`, class: 'hint' }, hint) : null
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id)
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hintEl)
}

export function select(name: string, options: [string, string][], value = ''): HTMLSelectElement {
  const s = h('select', { name })
  for (const [v, label] of options) s.appendChild(h('option', { value: v, selected: v === value }, label))
  return s
}

/** Announces a short message to screen readers (the page's aria-live region). */
export function announce(message: string): void {
  const live = document.getElementById('live')
  if (live) live.textContent = message
}
