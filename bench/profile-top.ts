/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): the functions with the most self time,
 * and self time grouped by package / source folder.
 *
 *   npx tsx bench/profile-top.ts bench/results/profile/<file>.cpuprofile [top=30] [skip first seconds=0]
 */
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
const file = process.argv[2]
if (!file) throw new Error('usage: profile-top.ts <file.cpuprofile> [top]')
const top = Number(process.argv[3] ?? 30)
/** Leave out the first seconds of the profile (start-up: module loading, schema compilation). */
const skipUs = Number(process.argv[4] ?? 0) * 1e6
const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] }
const byId = new Map(prof.nodes.map((n) => [n.id, n]))
const self = new Map<number, number>()
let t = 0
prof.samples.forEach((id, i) => {
  t += prof.timeDeltas[i] ?? 0
  if (t >= skipUs) self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0))
})
const idle = new Set(prof.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id))
for (const id of idle) self.delete(id)
const total = [...self.values()].reduce((a, b) => a + b, 0)
const parent = new Map<number, number>()
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
const where = (url: string) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (m) return m[1]!
  const s = /\/(src\/[^/]+(?:\/[^/]+)?)/.exec(url)
  if (s) return s[1]!
  return url.startsWith('node:') ? url : url ? url.split('/').slice(-1)[0]! : '(native/vm)'
}
const fn = new Map<string, number>()
const pkg = new Map<string, number>()
for (const [id, us] of self) {
  const n = byId.get(id)!
  const cf = n.callFrame
  const key = `${cf.functionName || '(anonymous)'} ${cf.url ? `${cf.url.replace(/^.*node_modules\//, '').replace(/^.*\/(src|bench)\//, '$1/')}:${cf.lineNumber + 1}` : ''}`
  fn.set(key, (fn.get(key) ?? 0) + us)
  pkg.set(where(cf.url), (pkg.get(where(cf.url)) ?? 0) + us)
}
// Inclusive time per package / folder: each sample counts once for every place on its stack.
const incl = new Map<string, number>()
for (const [id, us] of self) {
  const seen = new Set<string>()
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const cf = byId.get(n)!.callFrame
    const k = cf.url.includes('/src/') || cf.url.includes('node_modules') ? `${where(cf.url)} ${cf.functionName || '(anonymous)'}` : ''
    if (k && !seen.has(k)) {
      seen.add(k)
      incl.set(k, (incl.get(k) ?? 0) + us)
    }
  }
}
const pc = (us: number) => `${((us / total) * 100).toFixed(1)}%`
console.log(`busy ${(total / 1000).toFixed(0)} ms sampled (idle left out)\n\nself time by function:`)
for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pc(us).padStart(6)}  ${k}`)
console.log('\nself time by package / folder:')
for (const [k, us] of [...pkg].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pc(us).padStart(6)}  ${k}`)
console.log('\ninclusive time by function (src/ and packages):')
for (const [k, us] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pc(us).padStart(6)}  ${k}`)
