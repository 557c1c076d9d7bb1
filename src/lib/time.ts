/** Small time helpers shared by the capabilities (one copy each). */

/** ISO-8601 UTC text of a database timestamp, or undefined for NULL. */
export const iso = (d: Date | string | null | undefined): string | undefined => (d ? new Date(d).toISOString() : undefined)

/** Waits `ms`; resolves early (never rejects) when `signal` aborts, so shutdown is not held up. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve()
    const done = () => {
      clearTimeout(t)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const t = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
