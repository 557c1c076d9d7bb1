/** A counting semaphore: at most `max` holders, the rest wait in FIFO order. */
export class Semaphore {
  private active = 0
  private readonly waiting: (() => void)[] = []
  constructor(readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.active++
    try {
      return await fn()
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.active--
    }
  }

  get pending() {
    return this.waiting.length
  }
}
