import uPlot from 'uplot'
import { h, table } from './dom.js'
import { t } from './i18n.js'

export interface Series {
  label: string
  values: (number | null)[]
  color: string
  bars?: boolean
}

/**
 * A uPlot chart over time (x: unix seconds) or categories, with its figures also as a
 * table (in a <details>) for screen readers and for reading exact numbers.
 */
export function chart(title: string, x: number[], series: Series[], opts: { categories?: string[]; testid?: string; height?: number } = {}): HTMLElement {
  const holder = h('div', { class: 'chart', role: 'img', 'aria-label': title })
  const wrap = h('figure', { class: 'chart-box', 'data-testid': opts.testid }, h('figcaption', {}, title), holder)
  const legend = h('ul', { class: 'legend' }, ...series.map((s) => h('li', {}, h('span', { class: 'swatch', 'data-color': s.color }), s.label)))
  wrap.appendChild(legend)
  for (const sw of legend.querySelectorAll<HTMLElement>('.swatch')) sw.style.background = sw.dataset['color'] ?? ''
  const labelOf = (i: number) => (opts.categories ? (opts.categories[i] ?? '') : new Date((x[i] ?? 0) * 1000).toISOString().slice(11, 16))
  wrap.appendChild(
    h(
      'details',
      {},
      h('summary', {}, t('chartData')),
      table(
        title,
        [
          { label: t('time'), cell: (i: number) => labelOf(i) },
          ...series.map((s) => ({ label: s.label, num: true, cell: (i: number) => String(s.values[i] ?? '—') })),
        ],
        x.map((_, i) => i),
      ),
    ),
  )
  const bars = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6, 60] }) : undefined
  const make = () => {
    const width = Math.max(260, holder.clientWidth || 600)
    const plot = new uPlot(
      {
        width,
        height: opts.height ?? 220,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        // Counts and percentages: the y axis starts at 0, so a small change does not look like a cliff.
        scales: {
          x: opts.categories ? { time: false, range: [-0.5, Math.max(0.5, x.length - 0.5)] } : { time: true },
          y: { range: (_u: uPlot, _min: number, max: number): uPlot.Range.MinMax => [0, max > 0 ? max * 1.1 : 1] },
        },
        tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Asia/Ho_Chi_Minh'),
        axes: [
          opts.categories
            ? { splits: () => x, values: (_u: uPlot, splits: number[]) => splits.map((v) => opts.categories?.[Math.round(v)] ?? ''), rotate: -35, size: 110 }
            : {},
          { size: 60 },
        ],
        series: [
          {},
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            fill: s.bars ? s.color : undefined,
            width: 2,
            paths: s.bars ? bars : undefined,
            points: { show: !s.bars },
          })),
        ],
      },
      [x, ...series.map((s) => s.values)] as uPlot.AlignedData,
      holder,
    )
    return plot
  }
  // Drawn once the holder is in the page (its width is known), and again when it is resized.
  requestAnimationFrame(() => {
    if (!holder.isConnected) return
    const plot = make()
    const ro = new ResizeObserver(() => {
      if (!holder.isConnected) return ro.disconnect()
      plot.setSize({ width: Math.max(260, holder.clientWidth), height: opts.height ?? 220 })
    })
    ro.observe(holder)
  })
  return wrap
}
