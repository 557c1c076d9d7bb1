import { describe, expect, it } from 'vitest'
import { FaultInjector } from '../../src/sandbox/faults.js'

describe('sandbox fault injection', () => {
  const draw = (seed: number, n: number) => {
    const f = new FaultInjector(seed)
    f.set('dvcqg', '*', { errorRate: 0.2, hangRate: 0.05, rate429: 0.05, retryAfterSec: 2 })
    return Array.from({ length: n }, () => f.decide('dvcqg', 'DongBoHoSoMC').decision.kind)
  }

  it('is reproducible by seed and differs across seeds', () => {
    expect(draw(7, 200)).toEqual(draw(7, 200))
    expect(draw(7, 200)).not.toEqual(draw(8, 200))
  })

  it('injects each fault at about its configured rate', () => {
    const kinds = draw(1, 20_000)
    const share = (k: string) => kinds.filter((x) => x === k).length / kinds.length
    expect(share('error')).toBeGreaterThan(0.18)
    expect(share('error')).toBeLessThan(0.22)
    expect(share('hang')).toBeGreaterThan(0.04)
    expect(share('hang')).toBeLessThan(0.06)
    expect(share('429')).toBeGreaterThan(0.04)
    expect(share('429')).toBeLessThan(0.06)
  })

  it('an operation without faults is untouched', () => {
    const f = new FaultInjector(1)
    f.set('dvcqg', 'LayThuTuc', { errorRate: 1 })
    expect(f.decide('dvcqg', 'DongBoHoSoMC').decision.kind).toBe('none')
    expect(f.decide('dvcqg', 'LayThuTuc').decision.kind).toBe('error')
  })
})
