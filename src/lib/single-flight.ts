/**
 * Runs `fetch` at most once at a time: concurrent callers share the same promise.
 * The building block of every token cache (one refresh in flight, whatever the load).
 */
export function singleFlight<T>(fetch: () => Promise<T>): () => Promise<T> {
  let inflight: Promise<T> | undefined
  return () => {
    inflight ??= fetch().finally(() => {
      inflight = undefined
    })
    return inflight
  }
}
