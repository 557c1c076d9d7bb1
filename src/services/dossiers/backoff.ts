/**
 * Delay before retry `attempt` (1-based): exponential from `baseMs`, capped at `maxMs`,
 * with "equal jitter" (half fixed, half random) so a fleet of failed dossiers does not
 * retry in lock-step. A `Retry-After` from the portal is a floor.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1))
  const jittered = exp / 2 + random() * (exp / 2)
  return Math.round(Math.min(maxMs, Math.max(jittered, retryAfterMs ?? 0)))
}
