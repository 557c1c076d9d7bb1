/**
 * Top self-time functions of a V8 CPU profile (`node --cpu-prof`), e.g. the ones
 * `BENCH_CPU_PROF=/dir npm run bench:dossiers` writes:
 *   npx tsx bench/cpu-profile-top.ts <file.cpuprofile> [top=25]
 * Prints self time per function (name, file:line) and per package/area, as a share of
 * the sampled time (idle and GC shown as such).
 */
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}
interface Profile {
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

/** The area a script belongs to: a package name, node internals, or the hub's own folder. */
function area(url: string): string {
  if (!url) return '(native/vm)'
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0]
  const nm = url.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + 14).split('/')
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!
  }
  const src = url.indexOf('/src/')
  if (src >= 0)
    return (
      'hub:' +
      url
        .slice(src + 5)
        .split('/')
        .slice(0, -1)
        .join('/')
    )
  return url
}

export function summarise(p: Profile, top = 25) {
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0))
  const total = [...self.values()].reduce((a, b) => a + b, 0)
  const fn = new Map<string, number>()
  const areas = new Map<string, number>()
  for (const [id, us] of self) {
    const n = byId.get(id)!
    const f = n.callFrame
    const key = `${f.functionName || '(anonymous)'} ${f.url ? `${f.url.replace(/^.*\/(node_modules|src)\//, '$1/')}:${f.lineNumber + 1}` : ''}`.trim()
    fn.set(key, (fn.get(key) ?? 0) + us)
    const a = f.functionName === '(idle)' || f.functionName === '(garbage collector)' || f.functionName === '(program)' ? f.functionName : area(f.url)
    areas.set(a, (areas.get(a) ?? 0) + us)
  }
  const pct = (us: number) => `${((us * 100) / total).toFixed(1)} %`
  const busy = total - (areas.get('(idle)') ?? 0)
  areas.delete('(idle)')
  for (const k of fn.keys()) if (k.startsWith('(idle)')) fn.delete(k)
  return {
    sampledMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    functions: [...fn]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => ({ fn: k, share: pct(us), busyShare: `${((us * 100) / busy).toFixed(1)} %` })),
    areas: [...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, us]) => ({ area: k, share: pct(us), busyShare: `${((us * 100) / busy).toFixed(1)} %` })),
  }
}

if (process.argv[1]?.endsWith('cpu-profile-top.ts')) {
  const file = process.argv[2]
  if (!file) {
    console.error('usage: tsx bench/cpu-profile-top.ts <file.cpuprofile> [top]')
    process.exit(64)
  }
  const s = summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(process.argv[3] ?? 25))
  console.log(`sampled ${s.sampledMs} ms, busy ${s.busyMs} ms`)
  console.log('\nself time by area (share of busy):')
  for (const a of s.areas) console.log(`  ${a.busyShare.padStart(7)}  ${a.area}`)
  console.log('\ntop self-time functions (share of busy):')
  for (const f of s.functions) console.log(`  ${f.busyShare.padStart(7)}  ${f.fn}`)
}
