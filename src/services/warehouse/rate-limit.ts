import { sleep } from '../../lib/time.js'

/**
 * A pacing rate limiter: callers reserve evenly spaced slots (`1000 / ratePerSec` ms apart)
 * and wait for theirs, so a burst of owners never exceeds the national warehouse's budget.
 * `ratePerSec` 0 means unlimited. An aborted wait returns at once (shutdown is not held up).
 */
export class RateLimiter {
  private next = 0
  constructor(readonly ratePerSec: number) {}

  async take(signal?: AbortSignal): Promise<void> {
    if (this.ratePerSec <= 0) return
    const now = performance.now()
    const slot = Math.max(now, this.next)
    this.next = slot + 1000 / this.ratePerSec
    const wait = slot - now
    if (wait < 1) return
    await sleep(wait, signal)
  }
}
