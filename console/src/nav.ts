/** Navigation on the hash (#/<view>/<arg>), shared by the shell and the views. */
let renderer: () => Promise<void> = async () => {}
let generation = 0

export function setRenderer(fn: () => Promise<void>): void {
  renderer = fn
}

/** Starts a navigation; returns a check telling whether a newer one has started since. */
export function nextGeneration(): () => boolean {
  const g = ++generation
  return () => g !== generation
}

/** For a view: true once the operator has navigated away (its late answers draw nothing). */
export function staleCheck(): () => boolean {
  const g = generation
  return () => g !== generation
}

export function go(hash: string): void {
  if (location.hash === hash) void renderer()
  else location.hash = hash
}
