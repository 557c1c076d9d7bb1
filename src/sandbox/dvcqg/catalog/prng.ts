/** Small deterministic PRNG for the sandbox: same seed, same catalog, on every machine. */

import { mulberry32 } from '../../faults.js'

// One mulberry32 for the whole sandbox (fault injection and seeded data share it).
export { mulberry32 }

/** FNV-1a over the parts' text, to derive independent sub-seeds (per procedure, per mutation). */
export function mixSeed(...parts: (string | number)[]): number {
  let h = 0x811c9dc5
  for (const ch of parts.join('\u0001')) {
    h ^= ch.codePointAt(0) ?? 0
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

export class Rng {
  private readonly next: () => number
  constructor(seed: number) {
    this.next = mulberry32(seed)
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.next()
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n)
  }
  /** Integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1)
  }
  chance(p: number): boolean {
    return this.next() < p
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list')
    return items[this.int(items.length)] as T
  }
  /** `n` distinct items (fewer if the list is shorter), in pick order. */
  sample<T>(items: readonly T[], n: number): T[] {
    return this.shuffle(items).slice(0, Math.min(n, items.length))
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1)
      ;[out[i], out[j]] = [out[j] as T, out[i] as T]
    }
    return out
  }
  hex(len: number): string {
    let s = ''
    while (s.length < len) s += this.int(16).toString(16)
    return s
  }
}
