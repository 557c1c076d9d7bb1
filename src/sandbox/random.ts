/**
 * The sandbox's deterministic randomness, one copy for every simulator: same seed,
 * same data and same faults on every machine.
 */

/** mulberry32: small, fast, good enough for reproducible test streams. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** FNV-1a (32 bits) over the code points of `text`. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (const ch of text) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 0x01000193)
  return h >>> 0
}

/** A stable 32-bit hash of a label, to derive one stream per label from the seed. */
export const hashLabel = (label: string): number => fnv1a(label)

/** FNV-1a over the parts' text, to derive independent sub-seeds (per procedure, per mutation). */
export const mixSeed = (...parts: (string | number)[]): number => fnv1a(parts.join('\u0001'))

/** A seeded stream with the usual draws. */
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
